// The log archive of a JobManager or TaskManager pod (log-archive.ts), set up from what the
// operator gives every pod: the workspace bucket (MILLRACE_S3_*, credentials of the namespace) and
// the Deployment (MILLRACE_CONFIG). Outside a pod with storage there is none. Everything the
// process writes is archived: its pino log and its stdout (print sinks, user code's console.log,
// also of slot worker threads, whose stdout the main thread writes).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { pino } from 'pino';
import type { DestinationStream } from 'pino';
import { openObjectStore } from '../storage/open-object-store.ts';
import { LogArchive } from './log-archive.ts';

export const LOG_ARCHIVE_ENV = {
  /** `off` disables archiving */
  mode: 'MILLRACE_LOG_ARCHIVE',
  intervalMs: 'MILLRACE_LOG_ARCHIVE_INTERVAL_MS',
} as const;

export function podLogArchive(role: 'jobmanager' | 'taskmanager', env: Record<string, string | undefined> = process.env, options: { teeStdout?: boolean } = {}): LogArchive | undefined {
  if (env[LOG_ARCHIVE_ENV.mode] === 'off') return undefined;
  const bucket = env.MILLRACE_S3_BUCKET;
  const configPath = env.MILLRACE_CONFIG;
  if (!bucket || !configPath) return undefined;
  let deployment: { namespace?: string; name?: string } | undefined;
  try {
    deployment = (JSON.parse(readFileSync(configPath, 'utf8')) as { deployment?: { namespace?: string; name?: string } }).deployment;
  } catch {
    return undefined;
  }
  if (!deployment?.namespace || !deployment.name) return undefined;
  const interval = Number(env[LOG_ARCHIVE_ENV.intervalMs] ?? 10_000);
  const prefix = env.MILLRACE_S3_PREFIX ?? '';
  let warned = false;
  const archive = new LogArchive({
    store: openObjectStore(`s3://${bucket}/${prefix}`, { env }), namespace: deployment.namespace, deployment: deployment.name, role,
    pod: env.HOSTNAME ?? os.hostname(), intervalMs: Number.isFinite(interval) && interval >= 0 ? interval : 10_000,
    onError: (err) => {
      // once: the process's own log says why the archive lags, without flooding it
      if (!warned) process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: 'log archive upload failed; retrying at the next interval', err: (err as Error).message })}\n`);
      warned = true;
    },
  });
  if (options.teeStdout !== false) teeStdout(archive);
  return archive;
}

function teeStdout(archive: LogArchive): void {
  const original = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    archive.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return original(chunk, ...rest);
  }) as typeof process.stdout.write;
}

/** The pino destination: stderr as before, plus the archive when there is one. */
export function logDestination(archive: LogArchive | undefined): DestinationStream {
  const stderr = pino.destination(2);
  if (!archive) return stderr;
  return pino.multistream([{ stream: stderr, level: 'trace' }, { stream: { write: (line: string) => archive.write(line) }, level: 'trace' }]);
}
