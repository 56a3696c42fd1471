// Jest test runner with two lanes, so the suite takes the time of its longest lane instead of the
// sum of all files:
//   - the shared lane runs, one file at a time, every file that uses one of this machine's
//     singletons (the local cluster tiers and their containerd, the shared MinIO, the Kafka
//     broker, PostgreSQL), as the whole suite ran before;
//   - the free lane runs every other file (unit tests, process-tier jobs, private MinIO servers)
//     in the remaining workers, at the same time.
// A file belongs to the shared lane when it imports, directly or through its helpers, one of the
// modules below that start or use a singleton. `--runInBand` runs everything in one lane as before.
const { existsSync, readFileSync } = require('node:fs');
const { dirname, relative, resolve } = require('node:path');
const TestRunner = require('jest-runner').default;

const ROOT = dirname(require.resolve('../../package.json'));
const SINGLETON_MODULES = new Set([
  'test/cluster/environment.ts',
  'test/cluster/kube/cluster.ts',
  'test/cluster/kube/control-plane.ts',
  'test/cluster/kube/node.ts',
  'test/cluster/image/build-image.ts',
  'test/cluster/image/containerd.ts',
  'test/cluster/image/node-image.ts',
  'test/cluster/s3/environment.ts',
  'test/cluster/s3/lifecycle.ts',
  'test/services/kafka/environment.ts',
  'test/services/kafka/broker.ts',
  'test/services/kafka/lifecycle.ts',
  'test/services/postgres/environment.ts',
  'test/services/postgres/lifecycle.ts',
  'test/services/postgres/server.ts',
]);
const RELATIVE_IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+\.ts)'/g;

const verdicts = new Map();

/** Whether `file` imports, directly or transitively, one of the singleton modules. */
function usesSingleton(file, visiting = new Set()) {
  if (verdicts.has(file)) return verdicts.get(file);
  if (visiting.has(file)) return false;
  visiting.add(file);
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
  let found = false;
  for (const match of source.matchAll(RELATIVE_IMPORT)) {
    const target = resolve(dirname(file), match[1]);
    if (SINGLETON_MODULES.has(relative(ROOT, target)) || usesSingleton(target, visiting)) {
      found = true;
      break;
    }
  }
  visiting.delete(file);
  verdicts.set(file, found);
  return found;
}

class LaneRunner {
  supportsEventEmitters = true;

  constructor(globalConfig, context) {
    this.shared = new TestRunner({ ...globalConfig, maxWorkers: 1 }, context);
    this.free = new TestRunner({ ...globalConfig, maxWorkers: Math.max(1, globalConfig.maxWorkers - 1) }, context);
  }

  async runTests(tests, watcher, options) {
    const shared = tests.filter((test) => usesSingleton(test.path));
    const free = tests.filter((test) => !usesSingleton(test.path));
    if (options.serial || free.length === 0) return this.shared.runTests(tests, watcher, options);
    if (shared.length === 0) return this.free.runTests(tests, watcher, options);
    await Promise.all([this.shared.runTests(shared, watcher, options), this.free.runTests(free, watcher, options)]);
  }

  on(eventName, listener) {
    const offShared = this.shared.on(eventName, listener);
    const offFree = this.free.on(eventName, listener);
    return () => {
      offShared();
      offFree();
    };
  }
}

module.exports = LaneRunner;
module.exports.usesSingleton = usesSingleton;
