// One measured run of one system: start it with an unbounded, rate-free source, let it warm up,
// then take a sample (events emitted by the sources + CPU ticks of every process of the system
// from /proc) at the window's start and end, and stop it. The figures are over exactly that window.
//
// - Flink (bench/flink, one JVM): `--probe` answers every stdin line with the events its source
//   subtasks emitted so far (published every 1024 events) and the records its non-source tasks
//   read from channels (their numRecordsIn metric); /proc is read right after the answer.
// - Millrace (`millrace run`: a runner, a JobManager and TaskManager processes): the JobManager's
//   REST API has each source's records, which TaskManagers report with their heartbeat (every
//   second). A sample is taken right after that figure changes, so both samples have the same
//   staleness (one heartbeat phase) and the window's count is exact to within the jitter of the
//   heartbeat timer.

import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnChild, stopChild } from './children.ts';
import { sampleTreeCpu } from './proc-cpu.ts';
import { tail } from './run-process.ts';
import { windowFigures, type WindowFigures, type WindowSample } from './window.ts';

export interface WindowRunOptions {
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly cwd: string;
  readonly log: (line: string) => void;
  /**
   * Millrace: how many source vertices scan the same generated table (a SQL plan without source
   * reuse scans it once per view reference); the window's events are their records / this. Default 1.
   */
  readonly sourceScans?: number;
}

export type WindowRunResult = { readonly ok: true; readonly figures: WindowFigures } | { readonly ok: false; readonly reason: string };

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<void>;
  readonly lines: AsyncIterator<string>;
}

function start(command: string, args: readonly string[], cwd: string, stdin: 'pipe' | 'ignore'): Started {
  // own process group, tracked: stopped with its whole tree, also when the benchmark is interrupted
  const child = spawnChild(command, args, { cwd, stdio: [stdin, 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-64 * 1024); };
  child.stderr!.on('data', keep);
  const pending: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let buffered = '';
  let ended = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    keep(chunk);
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      const w = waiting.shift();
      if (w) w(line);
      else pending.push(line);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(null);
    resolve();
  }));
  const lines: AsyncIterator<string> = {
    next: () => {
      const line = pending.shift();
      if (line !== undefined) return Promise.resolve({ value: line, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiting.push((l) => resolve(l === null ? { value: undefined, done: true } : { value: l, done: false })));
    },
  };
  return { child, output: () => output, exited, lines };
}

/**
 * Stops a system: `signal` to its root process (SIGINT: the runner cancels the job and stops its
 * JobManager and TaskManagers) or to its whole tree (SIGKILL), and after `graceMs` SIGKILL to every
 * process of the tree still running, whatever process group it is in.
 */
async function stopGroup(s: Started, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  await stopChild(s.child, signal, graceMs, signal === 'SIGINT' ? 'root' : 'tree');
  await s.exited;
}

async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`MR_ERR_BENCH_TIMEOUT: ${what} took more than ${ms / 1000} s`)), ms); });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- Flink

export async function measureFlinkWindow(javaArgs: readonly string[], o: WindowRunOptions): Promise<WindowRunResult> {
  const s = start('java', [...javaArgs, '--events', '0', '--probe'], o.cwd, 'pipe');
  const probe = async (): Promise<{ events: number; channelRecords: number }> => {
    s.child.stdin!.write('\n');
    for (;;) {
      const r = await s.lines.next();
      if (r.done) throw new Error(`MR_ERR_BENCH_EXITED: the Flink peer exited: ${tail(s.output())}`);
      const m = /^probe (\d+) (\d+)$/.exec(r.value as string);
      if (m) return { events: Number(m[1]), channelRecords: Number(m[2]) };
    }
  };
  const sample = async (): Promise<WindowSample> => {
    const { events, channelRecords } = await probe();
    const atMs = performance.now();
    return { atMs, events, cpu: sampleTreeCpu(s.child.pid!), channelRecords };
  };
  try {
    await within(120_000, 'the Flink job to start emitting', (async () => {
      while ((await probe()).events === 0) await sleep(100);
    })());
    await sleep(o.warmupSeconds * 1000);
    const first = await sample();
    await sleep(o.measureSeconds * 1000);
    const last = await sample();
    return { ok: true, figures: windowFigures(first, last) };
  } catch (error) {
    return { ok: false, reason: `${(error as Error).message} | ${tail(s.output(), 3)}` };
  } finally {
    await stopGroup(s, 'SIGKILL', 5000);
  }
}

// ---- Millrace

interface VertexMetrics { readonly id: string; readonly isSource: boolean; readonly recordsIn: number }
interface JobMetrics { readonly state: string; readonly restarts: number; readonly runningSince: number | null; readonly vertices: readonly VertexMetrics[] }

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`MR_ERR_BENCH_REST: GET ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

const sourceRecords = (j: JobMetrics) => j.vertices.filter((v) => v.isSource).reduce((a, v) => a + v.recordsIn, 0);
const channelRecords = (j: JobMetrics) => j.vertices.filter((v) => !v.isSource).reduce((a, v) => a + v.recordsIn, 0);

export async function measureMillraceWindow(command: string, args: readonly string[], o: WindowRunOptions): Promise<WindowRunResult> {
  const sourceEvents = (j: JobMetrics) => Math.floor(sourceRecords(j) / (o.sourceScans ?? 1));
  const s = start(command, [...args, '--no-progress'], o.cwd, 'ignore');
  try {
    const url = await within(60_000, 'the JobManager to start', (async () => {
      for (;;) {
        const m = /JobManager (http:\/\/\S+),/.exec(s.output());
        if (m) return m[1]!;
        if (s.child.exitCode !== null) throw new Error(`MR_ERR_BENCH_EXITED: millrace run exited: ${tail(s.output())}`);
        await sleep(100);
      }
    })());
    const jobUrl = await within(60_000, 'the job to run', (async () => {
      for (;;) {
        const { jobs } = await getJson<{ jobs: Array<{ id: string }> }>(`${url}/jobs`).catch(() => ({ jobs: [] }));
        if (jobs[0]) {
          const u = `${url}/jobs/${jobs[0].id}`;
          const j = await getJson<JobMetrics>(u);
          if (j.state === 'RUNNING' && j.runningSince !== null && sourceEvents(j) > 0) return u;
          if (j.state !== 'RUNNING' && j.state !== 'CREATED' && j.state !== 'RESTARTING') throw new Error(`MR_ERR_BENCH_JOB: the job is ${j.state}`);
        }
        await sleep(200);
      }
    })());
    const sample = async (): Promise<{ sample: WindowSample; job: JobMetrics }> => {
      // right after a heartbeat brought new figures: same staleness at both ends of the window
      const before = sourceEvents(await getJson<JobMetrics>(jobUrl));
      for (;;) {
        const job = await getJson<JobMetrics>(jobUrl);
        const events = sourceEvents(job);
        if (events !== before) {
          const atMs = performance.now();
          return { sample: { atMs, events, cpu: sampleTreeCpu(s.child.pid!), channelRecords: channelRecords(job) }, job };
        }
        await sleep(10);
      }
    };
    await sleep(o.warmupSeconds * 1000);
    const first = await within(10_000, 'a metrics report', sample());
    await sleep(o.measureSeconds * 1000);
    const last = await within(10_000, 'a metrics report', sample());
    if (last.job.state !== 'RUNNING' || last.job.restarts !== first.job.restarts) {
      return { ok: false, reason: `the job is ${last.job.state} with ${last.job.restarts} restart(s) at the end of the window` };
    }
    return { ok: true, figures: windowFigures(first.sample, last.sample) };
  } catch (error) {
    return { ok: false, reason: `${(error as Error).message} | ${tail(s.output(), 3)}` };
  } finally {
    // the runner cancels the job and stops its JobManager and TaskManagers
    await stopGroup(s, 'SIGINT', 20_000);
  }
}
