// `millrace logs <deployment>`: the archived log of a Deployment's job (the newest, or --job),
// read through the console (runtime/artifacts/console-client.ts), so it works after the pods
// are gone and RBAC decides (viewers may read). --follow keeps polling for new chunks; with
// --exceptions the job's exception history is printed instead.
import { parseArgs } from 'node:util';
import { RuntimeError } from '../errors/runtime-error.ts';
import { consoleFetch, consoleTarget, enc } from '../artifacts/console-client.ts';
import type { ArchivedJob } from '../artifacts/artifact-store.ts';

export const LOGS_USAGE = `  millrace logs <deployment> [--job ID] [--follow] [--exceptions] [--jobs] [--raw]
               (archived JobManager and TaskManager logs; -n NAMESPACE, --console URL, --token-file FILE)`;

export interface LogsIo { out: (s: string) => void; env: Record<string, string | undefined>; sleep?: (ms: number) => Promise<void>; signal?: AbortSignal }

/** How late a pod's chunk may be uploaded after a later-named one (the archive's interval is 10 s). */
const LATE_CHUNK_MARGIN_MS = 120_000;

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A pino line as `time LEVEL [role pod] msg {fields}`; anything else (stdout of the job) as written. */
export function formatLine(line: string, source: string): string {
  if (!line.startsWith('{')) return `${source} ${line}`;
  try {
    const { time, level, msg, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const when = typeof time === 'number' ? new Date(time).toISOString() : '';
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${when} ${LEVELS[level as number] ?? String(level ?? '')} ${source} ${String(msg ?? '')}${extra}`;
  } catch {
    return `${source} ${line}`;
  }
}

/** `<ms>-<role>-<pod>-<seq>.log` → `[role pod]` */
const sourceOf = (file: string) => {
  const m = /^\d+-(jobmanager|taskmanager)-(.+)-\d+\.log$/.exec(file);
  return m ? `[${m[1]} ${m[2]}]` : `[${file}]`;
};

export async function runLogsCommand(args: string[], io: LogsIo = { out: (s) => void process.stdout.write(s), env: process.env }): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { namespace: { type: 'string', short: 'n' }, console: { type: 'string' }, 'token-file': { type: 'string' }, job: { type: 'string' }, follow: { type: 'boolean', short: 'f' }, exceptions: { type: 'boolean' }, jobs: { type: 'boolean' }, raw: { type: 'boolean' }, 'interval-ms': { type: 'string' } },
  });
  const deployment = positionals[0];
  if (!deployment) throw new RuntimeError('MR_ERR_CLI', 'logs needs a deployment: millrace logs <deployment> -n <namespace>');
  const t = consoleTarget(values, io.env);
  const base = `/api/namespaces/${enc(t.namespace)}/deployments/${enc(deployment)}/logs`;
  const { jobs } = (await (await consoleFetch(t, base)).json()) as { jobs: ArchivedJob[] };
  if (values.jobs) {
    for (const j of jobs) io.out(`${j.jobId}  ${j.lastModified ?? ''}  ${j.files.length} files\n`);
    return 0;
  }
  const jobId = values.job ?? jobs.at(-1)?.jobId;
  if (!jobId) {
    if (!values.follow) { io.out(`no archived logs of ${t.namespace}/${deployment} yet\n`); return 0; }
  }
  if (values.exceptions) {
    const ex = (await (await consoleFetch(t, `${base}/${enc(jobId!)}/exceptions`)).json()) as { state?: string; failureCause?: string; exceptions?: Array<{ time?: string; message: string }> };
    io.out(`job ${jobId} ${ex.state ?? ''}${ex.failureCause ? `: ${ex.failureCause}` : ''}\n`);
    for (const e of ex.exceptions ?? []) io.out(`${e.time ?? ''} ${e.message}\n`);
    return 0;
  }
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = Number(values['interval-ms'] ?? 2000);
  let current = jobId;
  const seen = new Set<string>();
  for (;;) {
    if (current) {
      // chunks are named by their first line's time; one uploaded late by another pod still sorts
      // after this margin, and what was printed already is skipped
      const newest = [...seen].sort().at(-1);
      let after = newest ? String(Math.max(0, Number(newest.slice(0, 13)) - LATE_CHUNK_MARGIN_MS)).padStart(13, '0') : undefined;
      for (;;) {
        const r = (await (await consoleFetch(t, `${base}/${enc(current)}${after ? `?after=${enc(after)}` : ''}`)).json()) as { chunks: Array<{ file: string; text: string }>; more: boolean };
        for (const c of r.chunks.filter((x) => !seen.has(x.file))) {
          seen.add(c.file);
          for (const line of c.text.split('\n')) if (line !== '') io.out(`${values.raw ? line : formatLine(line, sourceOf(c.file))}\n`);
        }
        if (!r.more || r.chunks.length === 0) break;
        after = r.chunks.at(-1)!.file;
      }
    }
    if (!values.follow || io.signal?.aborted) return 0;
    await sleep(interval);
    if (io.signal?.aborted) return 0;
    // a newer job (a restart of the deployment) is followed from its start
    if (!values.job) {
      const latest = ((await (await consoleFetch(t, base)).json()) as { jobs: ArchivedJob[] }).jobs.at(-1)?.jobId;
      if (latest && latest !== current) { current = latest; seen.clear(); io.out(`--- job ${latest}\n`); }
    }
  }
}
