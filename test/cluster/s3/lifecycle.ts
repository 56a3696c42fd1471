import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { ensureBucket } from './bucket.ts';
import { ensureMinioBinary } from './build.ts';
import { loadOrCreateCredentials } from './credentials.ts';
import { S3EnvironmentError } from './errors.ts';
import type { S3Paths } from './paths.ts';
import { s3Paths } from './paths.ts';
import type { S3Connection, ServerRecord } from './plan.ts';
import { decideServerAction, endpointFor } from './plan.ts';
import { findRunningServer, startServer, stopServer } from './server.ts';
import { minio } from './version.ts';

// Below Linux's ephemeral range (32768-60999): a port in it can be taken by any outgoing
// connection's source port, and then MinIO cannot listen (seen once at the start of a CI run).
export const defaults = { port: 19000, region: 'us-east-1', bucket: 'millrace-test' } as const;

export interface UpOptions {
  /** An address of this machine pods can reach; the server listens there as well as on loopback. */
  hostAddress?: string;
  /** Listen there too when the server is started, but never restart a running one for it. */
  preferHostAddress?: string;
  port?: number;
  bucket?: string;
  /** Recorded with the server so a test run stops only what it started. */
  owner?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface UpResult {
  connection: S3Connection;
  record: ServerRecord;
  started: boolean;
}

function settings(options: UpOptions) {
  const env = options.env ?? process.env;
  const port = options.port ?? (env.MILLRACE_S3_PORT ? Number(env.MILLRACE_S3_PORT) : defaults.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new S3EnvironmentError('MR_ERR_S3_START_FAILED', `MILLRACE_S3_PORT=${env.MILLRACE_S3_PORT} is not a TCP port; set it to a free port such as ${defaults.port}`);
  }
  return {
    env,
    paths: s3Paths(env),
    port,
    hostAddress: options.hostAddress ?? env.MILLRACE_S3_HOST_ADDRESS,
    preferHostAddress: options.preferHostAddress,
    bucket: options.bucket ?? env.MILLRACE_S3_BUCKET ?? defaults.bucket,
    owner: options.owner ?? 'manual',
    log: options.log ?? (() => {}),
  };
}

// One process at a time decides whether to start, reuse or restart the server (jest runs test
// files in parallel workers that may all ask for S3 at once).
async function withStateLock<T>(paths: S3Paths, action: () => Promise<T>): Promise<T> {
  await mkdir(dirname(paths.stateDir), { recursive: true }); // run/ is shared with the cluster tiers
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
  const release = await lockfile.lock(paths.stateDir, {
    lockfilePath: `${paths.stateDir}/.lock`,
    stale: 30_000,
    retries: { retries: 600, minTimeout: 100, maxTimeout: 1000 },
  });
  try {
    return await action();
  } finally {
    await release();
  }
}

/** Builds MinIO if needed, starts it or reuses the running one, and makes sure the bucket exists. */
export async function upS3(options: UpOptions = {}): Promise<UpResult> {
  const { env, paths, port, hostAddress, preferHostAddress, bucket, owner, log } = settings(options);
  const binary = await ensureMinioBinary({ binary: paths.binary, env, log });
  return withStateLock(paths, async () => {
    const credentials = await loadOrCreateCredentials(paths.credentialsFile);
    const action = decideServerAction(await findRunningServer(paths.serverFile), { version: minio.version, port, hostAddress });
    let record: ServerRecord;
    if (action.kind === 'reuse') {
      record = action.record;
      log(`MinIO already runs (pid ${record.pid})`);
    } else {
      if (action.kind === 'restart') {
        log(`restarting MinIO (pid ${action.record.pid}): ${action.reason}`);
        await stopServer(action.record, paths.serverFile);
      }
      const listenOn = hostAddress ?? preferHostAddress;
      record = await startServer({
        binary,
        version: minio.version,
        credentials,
        port,
        region: defaults.region,
        dataDir: paths.dataDir,
        logFile: paths.logFile,
        serverFile: paths.serverFile,
        // A restarted server keeps the owner of the one it replaces.
        owner: action.kind === 'restart' ? action.record.owner : owner,
        ...(listenOn ? { hostAddress: listenOn } : {}),
      });
      log(`MinIO started (pid ${record.pid}) on 127.0.0.1:${port}${listenOn ? ` and ${listenOn}:${port}` : ''}, data in ${paths.dataDir}`);
    }
    const connection: S3Connection = {
      endpoint: endpointFor(record, hostAddress !== undefined),
      ...credentials,
      region: record.region,
      bucket,
    };
    await ensureBucket(connection);
    return { connection, record, started: action.kind !== 'reuse' };
  });
}

export interface DownOptions {
  /** Stop only a server started by this owner (a test run); omit to stop whatever `s3:up` started. */
  owner?: string;
  env?: NodeJS.ProcessEnv;
}

/** Stops the recorded server (by pid). Returns the stopped record, or undefined when none ran. */
export async function downS3(options: DownOptions = {}): Promise<ServerRecord | undefined> {
  const paths = s3Paths(options.env ?? process.env);
  return withStateLock(paths, async () => {
    const record = await findRunningServer(paths.serverFile);
    if (!record || (options.owner !== undefined && record.owner !== options.owner)) return undefined;
    await stopServer(record, paths.serverFile);
    return record;
  });
}

export async function statusS3(env: NodeJS.ProcessEnv = process.env): Promise<ServerRecord | undefined> {
  return findRunningServer(s3Paths(env).serverFile);
}
