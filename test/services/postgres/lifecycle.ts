// `up` / `down` / `status` of the local PostgreSQL server. One process at a time decides whether to
// start, reuse or restart it (jest runs test files in parallel workers that may all ask at once).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { PostgresEnvironmentError } from './errors.ts';
import type { ConnectionSettings, PostgresPaths, ServerRecord } from './plan.ts';
import { decideServerAction, defaults, postgresPaths } from './plan.ts';
import { findBinaries, findRunningServer, readPassword, startServer, stopServer } from './server.ts';

export interface UpOptions {
  /** An address of this machine pods can reach; the server listens there as well. */
  hostAddress?: string;
  /** Listen there too when the server is started, but never restart a running one for it. */
  preferHostAddress?: string;
  /** Recorded with the server so a test run stops only what it started. */
  owner?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface UpResult {
  /** host 127.0.0.1, or the host address when one was asked for */
  connection: ConnectionSettings;
  record: ServerRecord;
  started: boolean;
}

function portFrom(env: NodeJS.ProcessEnv): number {
  if (env.MILLRACE_POSTGRES_PORT === undefined) return defaults.port;
  const port = Number(env.MILLRACE_POSTGRES_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new PostgresEnvironmentError('MR_ERR_POSTGRES_PORT', `MILLRACE_POSTGRES_PORT=${env.MILLRACE_POSTGRES_PORT} is not a TCP port; set it to a free port such as ${defaults.port}`);
  }
  return port;
}

async function withStateLock<T>(paths: PostgresPaths, action: () => Promise<T>): Promise<T> {
  await mkdir(dirname(paths.stateDir), { recursive: true });
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
  const release = await lockfile.lock(paths.stateDir, {
    lockfilePath: `${paths.stateDir}/.lock`,
    stale: 30_000,
    retries: { retries: 1200, minTimeout: 100, maxTimeout: 1000 },
  });
  try {
    return await action();
  } finally {
    await release();
  }
}

async function connectionOf(paths: PostgresPaths, record: ServerRecord, useHostAddress: boolean): Promise<ConnectionSettings> {
  const host = useHostAddress && record.hostAddress ? record.hostAddress : '127.0.0.1';
  return { host, port: record.port, user: defaults.user, password: await readPassword(paths), database: defaults.database };
}

/** Starts the server (initdb on first use) or reuses the running one. */
export async function upPostgres(options: UpOptions = {}): Promise<UpResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const paths = postgresPaths(env);
  const port = portFrom(env);
  const binaries = await findBinaries(env);
  const { hostAddress } = options;
  return withStateLock(paths, async () => {
    const action = decideServerAction(await findRunningServer(paths.serverFile), { version: binaries.version, port, ...(hostAddress ? { hostAddress } : {}) });
    if (action.kind === 'reuse') {
      log(`PostgreSQL already runs (pid ${action.record.pid})`);
      return { connection: await connectionOf(paths, action.record, hostAddress !== undefined), record: action.record, started: false };
    }
    if (action.kind === 'restart') {
      log(`restarting PostgreSQL (pid ${action.record.pid}): ${action.reason}`);
      await stopServer(action.record, paths.serverFile);
    }
    const listenOn = hostAddress ?? options.preferHostAddress;
    const record = await startServer({
      paths, binaries, port,
      // a restarted server keeps the owner of the one it replaces
      owner: action.kind === 'restart' ? action.record.owner : (options.owner ?? 'manual'),
      ...(listenOn ? { hostAddress: listenOn } : {}),
    });
    log(`PostgreSQL ${binaries.version} started (pid ${record.pid}) on 127.0.0.1${listenOn ? ` and ${listenOn}` : ''}:${port}, data in ${paths.dataDir}`);
    return { connection: await connectionOf(paths, record, hostAddress !== undefined), record, started: true };
  });
}

export interface DownOptions {
  /** Stop only a server started by this owner (a test run); omit to stop whatever runs. */
  owner?: string;
  env?: NodeJS.ProcessEnv;
}

/** Stops the recorded server. Returns its record, or undefined when none ran (or another owner's). */
export async function downPostgres(options: DownOptions = {}): Promise<ServerRecord | undefined> {
  const paths = postgresPaths(options.env ?? process.env);
  return withStateLock(paths, async () => {
    const record = await findRunningServer(paths.serverFile);
    if (!record || (options.owner !== undefined && record.owner !== options.owner)) return undefined;
    await stopServer(record, paths.serverFile);
    return record;
  });
}

export async function statusPostgres(env: NodeJS.ProcessEnv = process.env): Promise<ServerRecord | undefined> {
  return findRunningServer(postgresPaths(env).serverFile);
}
