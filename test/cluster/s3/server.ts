import { spawn } from 'node:child_process';
import { mkdir, open, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3EnvironmentError } from './errors.ts';
import type { S3Credentials } from './credentials.ts';
import type { ServerRecord } from './plan.ts';
import { listenAddress } from './plan.ts';

// Starting, finding and stopping the MinIO process. The pid and how it was started are kept in
// server.json; a record is only trusted while that pid is alive AND runs the recorded binary, so
// a recycled pid is never mistaken for our server (or killed).

export async function readServerRecord(file: string): Promise<ServerRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ServerRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function isServerProcess(record: ServerRecord): Promise<boolean> {
  try {
    return (await readlink(`/proc/${record.pid}/exe`)) === record.binary;
  } catch {
    return false;
  }
}

/** The recorded server if it still runs; a stale record is removed. */
export async function findRunningServer(file: string): Promise<ServerRecord | undefined> {
  const record = await readServerRecord(file);
  if (!record) return undefined;
  if (await isServerProcess(record)) return record;
  await rm(file, { force: true });
  return undefined;
}

export async function isReady(port: number, fetchImpl: typeof fetch = fetch): Promise<boolean> {
  try {
    const response = await fetchImpl(`http://127.0.0.1:${port}/minio/health/ready`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

export interface StartOptions {
  binary: string;
  version: string;
  credentials: S3Credentials;
  port: number;
  region: string;
  hostAddress?: string;
  dataDir: string;
  logFile: string;
  serverFile: string;
  owner: string;
  readyTimeoutMs?: number;
}

export async function startServer(options: StartOptions): Promise<ServerRecord> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const log = await open(options.logFile, 'a', 0o600);
  const child = spawn(options.binary, ['server', '--quiet', '--address', listenAddress(options.port, options.hostAddress), options.dataDir], {
    detached: true, // its own process group: it outlives `s3:up` and a test run's worker
    stdio: ['ignore', log.fd, log.fd],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Credentials go through the environment, never the command line (visible in ps).
      MINIO_ROOT_USER: options.credentials.accessKeyId,
      MINIO_ROOT_PASSWORD: options.credentials.secretAccessKey,
      MINIO_SITE_REGION: options.region,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_CALLHOME_ENABLE: 'off',
    },
  });
  await log.close();
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)));
  child.unref();
  if (child.pid === undefined) throw new S3EnvironmentError('MR_ERR_S3_START_FAILED', `cannot start ${options.binary}`);

  const record: ServerRecord = {
    pid: child.pid,
    binary: await realpath(options.binary), // what /proc/<pid>/exe will show

    version: options.version,
    port: options.port,
    region: options.region,
    startedAt: new Date().toISOString(),
    owner: options.owner,
    ...(options.hostAddress ? { hostAddress: options.hostAddress } : {}),
  };
  await writeFile(options.serverFile, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let ended: string | undefined;
  void exited.then((how) => (ended = how));
  while (!(await isReady(options.port))) {
    if (ended !== undefined || Date.now() > deadline) {
      if (ended === undefined) process.kill(child.pid, 'SIGKILL');
      await rm(options.serverFile, { force: true });
      const tail = (await readFile(options.logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
      throw new S3EnvironmentError(
        'MR_ERR_S3_START_FAILED',
        `MinIO on ${listenAddress(options.port, options.hostAddress)} ${ended ? `ended (${ended})` : 'was not ready in time'}; ` +
          `if the port is taken set MILLRACE_S3_PORT to a free one. Last lines of ${options.logFile}:\n${tail}`,
      );
    }
    await sleep(200);
  }
  return record;
}

/** Stops exactly the recorded process (SIGTERM, then SIGKILL after a grace period). */
export async function stopServer(record: ServerRecord, serverFile: string, graceMs = 10_000): Promise<void> {
  if (await isServerProcess(record)) {
    process.kill(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while ((await isServerProcess(record)) && Date.now() < deadline) await sleep(100);
    if (await isServerProcess(record)) process.kill(record.pid, 'SIGKILL');
    while (await isServerProcess(record)) await sleep(50);
  }
  await rm(serverFile, { force: true });
}
