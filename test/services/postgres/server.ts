// Starting, finding and stopping the PostgreSQL server process. Its identity (pid and start time
// from /proc/<pid>/stat) is kept in server.json, so a record is trusted only while that very
// process runs: a recycled pid is never mistaken for the server, or killed.
//
// PostgreSQL refuses to run as root. Run as root (CI, this machine), the server runs as the
// `postgres` user the Debian package creates; when that user cannot reach the cache directory
// (under /root, mode 700), the cluster lives in /var/lib/postgresql/millrace-<hash> and
// `<state>/data` is a link to it, so the cache still shows where the data is.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, chmod, chown, mkdir, open, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PostgresEnvironmentError } from './errors.ts';
import type { PostgresPaths, ServerRecord } from './plan.ts';
import { defaults, pickMajorVersion, renderHba, serverArguments } from './plan.ts';
import { findRunningRecord, startTicksOf } from '../support/process-record.ts';

export interface Binaries {
  version: string;
  bin: string;
}

/** Debian's server binaries (`apt-get install postgresql`); MILLRACE_POSTGRES_BIN names another bin directory. */
export async function findBinaries(env: NodeJS.ProcessEnv = process.env): Promise<Binaries> {
  if (env.MILLRACE_POSTGRES_BIN) {
    const out = spawnSync(join(env.MILLRACE_POSTGRES_BIN, 'postgres'), ['--version'], { encoding: 'utf8' });
    const major = /(\d+)(\.\d+)?/.exec(out.stdout ?? '')?.[1];
    if (!major) throw new PostgresEnvironmentError('MR_ERR_POSTGRES_NOT_INSTALLED', `MILLRACE_POSTGRES_BIN=${env.MILLRACE_POSTGRES_BIN} holds no working postgres binary`);
    return { version: major, bin: env.MILLRACE_POSTGRES_BIN };
  }
  const version = pickMajorVersion(await readdir('/usr/lib/postgresql').catch(() => []));
  if (!version) throw new PostgresEnvironmentError('MR_ERR_POSTGRES_NOT_INSTALLED', 'no PostgreSQL server in /usr/lib/postgresql; run `bash .ci/prepare-postgres.sh` (apt-get install postgresql) or set MILLRACE_POSTGRES_BIN');
  return { version, bin: `/usr/lib/postgresql/${version}/bin` };
}

interface RunAs {
  uid: number;
  gid: number;
}

/** The user the server runs as: this one, or `postgres` when this one is root. */
function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).stdout ?? '';
  const [, , uid, gid] = passwd.trim().split(':');
  if (!uid || !gid) throw new PostgresEnvironmentError('MR_ERR_POSTGRES_NOT_INSTALLED', 'running as root, and there is no `postgres` user to run the server as; install the Debian package postgresql');
  return { uid: Number(uid), gid: Number(gid) };
}

function canReach(user: RunAs, dir: string): boolean {
  return spawnSync('test', ['-w', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/** The directory initdb fills, made (owned by the server's user) if needed. */
async function resolveDataDir(paths: PostgresPaths, user: RunAs | undefined): Promise<string> {
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
  const existing = await readlink(paths.dataDir).catch(() => undefined);
  if (existing) return existing;
  if (!user) return paths.dataDir;
  await chmod(paths.stateDir, 0o755);
  if (canReach(user, paths.stateDir)) {
    await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
    await chown(paths.dataDir, user.uid, user.gid);
    return paths.dataDir;
  }
  const real = `/var/lib/postgresql/millrace-${createHash('sha256').update(paths.stateDir).digest('hex').slice(0, 12)}`;
  await mkdir(real, { recursive: true, mode: 0o700 });
  await chown(real, user.uid, user.gid);
  await symlink(real, paths.dataDir);
  return real;
}

async function run(command: string, args: string[], user: RunAs | undefined, logFd: number): Promise<number | null> {
  const child = spawn(command, args, { stdio: ['ignore', logFd, logFd], ...(user ?? {}) });
  return new Promise((resolve, reject) => child.once('error', reject).once('exit', resolve));
}

/** initdb once: superuser `millrace` with a generated password, scram-sha-256 on TCP. */
async function ensureCluster(paths: PostgresPaths, binaries: Binaries, user: RunAs | undefined, logFd: number): Promise<string> {
  const dataDir = await resolveDataDir(paths, user);
  const exists = (file: string) => access(file).then(() => true, () => false);
  if (await exists(join(dataDir, 'PG_VERSION'))) {
    if (await exists(paths.passwordFile)) return dataDir;
    // Its password file went with a removed cache directory while the data stayed under
    // /var/lib/postgresql: the password is unknown and the data is test data, so start afresh.
    for (const entry of await readdir(dataDir)) await rm(join(dataDir, entry), { recursive: true, force: true });
  }
  const password = randomBytes(18).toString('base64url');
  await writeFile(paths.passwordFile, password + '\n', { mode: 0o600 });
  // initdb reads the password from a file its user can read; it is removed right after
  const pwfile = join(dataDir, '..', `.millrace-initdb-${process.pid}`);
  await writeFile(pwfile, password + '\n', { mode: 0o600 });
  if (user) await chown(pwfile, user.uid, user.gid);
  try {
    const code = await run(join(binaries.bin, 'initdb'), ['-D', dataDir, '-U', defaults.user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions'], user, logFd);
    if (code !== 0) throw new PostgresEnvironmentError('MR_ERR_POSTGRES_START_FAILED', `initdb of ${dataDir} failed (exit ${code}); see ${paths.logFile}`);
  } finally {
    await rm(pwfile, { force: true });
  }
  return dataDir;
}

export async function readPassword(paths: PostgresPaths): Promise<string> {
  return (await readFile(paths.passwordFile, 'utf8')).trim();
}

async function isServerProcess(record: ServerRecord): Promise<boolean> {
  return (await startTicksOf(record.pid)) === record.startTicks;
}

/** The recorded server if it still runs; a stale record is removed. */
export function findRunningServer(file: string): Promise<ServerRecord | undefined> {
  return findRunningRecord<ServerRecord>(file);
}

export interface StartOptions {
  paths: PostgresPaths;
  binaries: Binaries;
  port: number;
  /** an address of this machine pods reach: the server listens there too (plan.ts renderHba says who may log in) */
  hostAddress?: string;
  owner: string;
  readyTimeoutMs?: number;
}

async function tryConnect(port: number, password: string, database: string): Promise<pg.Client | undefined> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: defaults.user, password, database, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => {});
    return undefined;
  }
}

export async function startServer(o: StartOptions): Promise<ServerRecord> {
  const { paths } = o;
  const user = runAs();
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
  const log = await open(paths.logFile, 'a', 0o644);
  if (user) await chown(paths.logFile, user.uid, user.gid);
  try {
    const dataDir = await ensureCluster(paths, o.binaries, user, log.fd);
    const password = await readPassword(paths);
    // the server's own pg_hba.conf, not initdb's: it must match the addresses listened on now
    const hba = join(dataDir, 'pg_hba.conf');
    await writeFile(hba, renderHba(o.hostAddress), { mode: 0o600 });
    if (user) await chown(hba, user.uid, user.gid);
    const child = spawn(join(o.binaries.bin, 'postgres'), serverArguments(dataDir, o.port, o.hostAddress), {
      detached: true, // its own process group: it outlives `postgres:up` and a test run's worker
      stdio: ['ignore', log.fd, log.fd],
      ...(user ?? {}),
    });
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)));
    child.once('error', () => {});
    child.unref();
    if (child.pid === undefined) throw new PostgresEnvironmentError('MR_ERR_POSTGRES_START_FAILED', `cannot start ${o.binaries.bin}/postgres`);
    const record: ServerRecord = { pid: child.pid, startTicks: (await startTicksOf(child.pid)) ?? '', version: o.binaries.version, port: o.port, ...(o.hostAddress ? { hostAddress: o.hostAddress } : {}), startedAt: new Date().toISOString(), owner: o.owner };
    await writeFile(paths.serverFile, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
    let ended: string | undefined;
    void exited.then((how) => (ended = how));
    const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
    for (;;) {
      const client = ended === undefined ? await tryConnect(o.port, password, 'postgres') : undefined;
      if (client) {
        try {
          const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [defaults.database]);
          if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${defaults.database}`);
        } finally {
          await client.end();
        }
        return record;
      }
      if (ended !== undefined || Date.now() > deadline) {
        if (ended === undefined) process.kill(child.pid, 'SIGKILL');
        await rm(paths.serverFile, { force: true });
        const text = await readFile(paths.logFile, 'utf8').catch(() => '');
        throw new PostgresEnvironmentError(
          'MR_ERR_POSTGRES_START_FAILED',
          `PostgreSQL on 127.0.0.1${o.hostAddress ? ` and ${o.hostAddress}` : ''}:${o.port} ${ended ? `ended (${ended})` : 'was not ready in time'}; if the port is taken set MILLRACE_POSTGRES_PORT to a free one. Last lines of ${paths.logFile}:\n${text.split('\n').slice(-15).join('\n')}`,
        );
      }
      await sleep(200);
    }
  } finally {
    await log.close();
  }
}

/** Stops exactly the recorded process: SIGINT (fast shutdown), SIGQUIT after the grace period. */
export async function stopServer(record: ServerRecord, serverFile: string, graceMs = 30_000): Promise<void> {
  if (await isServerProcess(record)) {
    process.kill(record.pid, 'SIGINT');
    const deadline = Date.now() + graceMs;
    while ((await isServerProcess(record)) && Date.now() < deadline) await sleep(100);
    if (await isServerProcess(record)) process.kill(record.pid, 'SIGQUIT');
    while (await isServerProcess(record)) await sleep(50);
  }
  await rm(serverFile, { force: true });
}
