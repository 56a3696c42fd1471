// Jest runs test files in more than one worker. Files that use one of this machine's singletons
// (the local cluster tiers, MinIO, the Kafka broker, PostgreSQL: anything they import, directly or
// through helpers, from test/cluster/ or test/services/) hold one lock for their whole run, so
// they still run one at a time; self-contained files run beside them in the other workers.
//
// The lock is taken in the environment's setup, which has no timeout, so a file waiting its turn
// does not fail its beforeAll. `flock` holds it; the child exits (and frees the lock) when this
// worker closes its stdin or dies, so a crashed worker never leaves the lock behind.
const { spawn } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, relative, resolve } = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const ROOT = resolve(__dirname, '..', '..');
const SINGLETON_FOLDERS = ['test/cluster/', 'test/services/'];
const LOCK_FILE = join(tmpdir(), 'millrace-jest-shared-resources.lock');
const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g;

const verdicts = new Map();

/** Whether `file` imports, directly or transitively, a module in one of the singleton folders. */
function usesSingleton(file, seen = new Set()) {
  if (verdicts.has(file)) return verdicts.get(file);
  if (seen.has(file)) return false;
  seen.add(file);
  let found = false;
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const match of source.matchAll(IMPORT)) {
    const target = resolve(dirname(file), match[1]);
    if (!target.endsWith('.ts')) continue;
    const path = relative(ROOT, target);
    if (SINGLETON_FOLDERS.some((folder) => path.startsWith(folder)) || usesSingleton(target, seen)) {
      found = true;
      break;
    }
  }
  verdicts.set(file, found);
  return found;
}

function takeLock() {
  return new Promise((resolveLock, rejectLock) => {
    const holder = spawn('flock', [LOCK_FILE, '-c', 'echo held; exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
    holder.once('error', rejectLock);
    holder.stdout.once('data', () => resolveLock(holder));
    holder.once('exit', (code) => rejectLock(new Error(`flock on ${LOCK_FILE} exited with ${code} before taking the lock`)));
  });
}

class SharedResourcesEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.exclusive = usesSingleton(context.testPath);
  }

  async setup() {
    if (this.exclusive) this.holder = await takeLock();
    await super.setup();
  }

  async teardown() {
    try {
      await super.teardown();
    } finally {
      if (this.holder) {
        const exited = new Promise((done) => this.holder.once('exit', done));
        this.holder.stdin.end();
        await exited;
      }
    }
  }
}

module.exports = SharedResourcesEnvironment;
