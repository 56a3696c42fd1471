// `npm run bench:recovery`: checkpoint duration and size, and recovery time (from a TaskManager
// SIGKILL to output flowing again) for about 100 MB and 1 GB of keyed state checkpointed to the
// S3 server (MinIO, test/cluster/s3); and the throughput cost of a 10 s checkpoint interval on
// Nexmark q5 against none, in the same run on the same machine; and the pause of a checkpoint
// (the longest time a subtask stood still for it, `sync_duration` of GET /jobs/:id/checkpoints)
// for the keyed state and for q5. Prints a table, writes bench/results/recovery.json and the
// Recovery section of bench/RESULTS.md (unless --no-write).
//
//   npm run bench:recovery -- [--quick] [--state-mb 100,1000] [--state-parallelism 4] [--payload-bytes 1000] [--kills 3]
//     [--checkpoint-interval-ms 10000] [--steady-rate 2000] [--q5-events 80000000]
//     [--q5-interval-ms 10000] [--rounds 5] [--parts state,throughput,pause] [--seed N] [--log-dir DIR] [--no-write]
//     [--standby N] [--local-recovery] [--tier process|node] [--tm-cu 0.5] [--jm-cu 0.25]
//
// --standby N: N more TaskManagers that the JobManager keeps free (`--standby-taskmanagers`, Flink's
// slotmanager.redundant-taskmanager-num); each kill hits a TaskManager that runs tasks, after the
// standby is back. Its figures go to bench/results/recovery-standby-N.json only: the generated
// Recovery section of bench/RESULTS.md describes runs without standby.
//
// --tier node: the keyed-state part only, on the node tier (bench/lib/recovery-node.ts): the job
// as a Deployment whose pods run localhost/millrace:dev (run `npm run image:build` after runtime
// changes), checkpoints in the workspace bucket (MinIO), and each kill a TaskManager POD deleted,
// timed until caught up as on the process tier. With --standby N the Deployment sets
// spec.taskManager.standby N. --tm-cu/--jm-cu size the pods (1 CU = 1 core; the node has the
// machine's cores). Its figures go to bench/results/recovery-node-standby-N.json only. Run it
// under the cluster lock (`flock /tmp/millrace-cluster.lock npm run bench:recovery -- --tier node ...`).
//
// --parts pause: q5 on a JobManager with two TaskManagers, checkpoints every --q5-interval-ms (at most 2 s) to
// S3, every completed checkpoint's pause, end-to-end duration and size from the REST API.
//
// --quick: a smoke run in about two minutes (10 MB of state, one kill, 2 s checkpoints,
// q5 over 1,000,000 events with a 2 s interval); its figures say nothing about the targets.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { useS3, type S3Connection } from '../test/cluster/s3/environment.ts';
import { isRunning, JobApi, waitFor, type CompletedCheckpoint, type RecoveryJobStatus } from '../test/recovery/support/job-api.ts';
import { RecoveryCluster } from '../test/recovery/support/recovery-cluster.ts';
import { deletePrefix, listKeys, s3ProcessEnv, storageUri, uniqueName } from '../test/recovery/support/s3-storage.ts';
import { faultSeed, seededRandom, type SeededRandom } from '../test/recovery/support/seeded-random.ts';
import { onInterrupt, runBench, trackPids } from './lib/children.ts';
import { describeMachine } from './lib/machine.ts';
import { millraceCommand } from './lib/millrace.ts';
import { evaluateTargets, renderRecoverySection, renderRecoveryTables, replaceRecoverySection, type RecoveryBenchReport, type StateSizeResult, type ThroughputResult } from './lib/recovery-report.ts';
import { parseProgressMarkers, recoveryTimeMs, summarize, throughputCost, type ThroughputRun } from './lib/recovery-stats.ts';
import { bucketMarkers, DEFAULT_CRITERIA, detectRecovery, type LagMarker } from './lib/recovery-detect.ts';
import { runMeasured, tail } from './lib/run-process.ts';
import { measureStateOnNode, renderNodeRecovery, writeNodeResult } from './lib/recovery-node.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// keyed state updated on a fixed wall-clock schedule, so a kill leaves a backlog to catch up on
const RECOVERY_LOAD = fileURLToPath(new URL('./jobs/recovery-load.ts', import.meta.url));
const Q5_PARALLELISM = 2;
const TASK_MANAGERS = 2;

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'state-mb': { type: 'string' },
    'state-parallelism': { type: 'string', default: '4' },
    'payload-bytes': { type: 'string', default: '1000' },
    kills: { type: 'string' },
    'checkpoint-interval-ms': { type: 'string' },
    'steady-rate': { type: 'string', default: '2000' },
    'q5-events': { type: 'string' },
    'q5-interval-ms': { type: 'string' },
    rounds: { type: 'string' },
    parts: { type: 'string', default: 'state,throughput,pause' },
    seed: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '1800' },
    'log-dir': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    standby: { type: 'string', default: '0' },
    'local-recovery': { type: 'boolean', default: false },
    tier: { type: 'string', default: 'process' },
    'tm-cu': { type: 'string', default: '0.5' },
    'jm-cu': { type: 'string', default: '0.25' },
  },
});

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`MR_ERR_BENCH_OPTION: --${name} must be a positive integer, got "${text}"`);
  return value;
}

const quick = options.quick;
const stateSizesMB = (options['state-mb'] ?? (quick ? '10' : '100,1000')).split(',').map((s) => positiveInteger('state-mb', s.trim()));
// Keyed state is spread over 4 subtasks (2 TaskManagers × 2 slots), so a kill loses half of
// them and the restore of the other half's state runs in parallel threads.
const stateParallelism = positiveInteger('state-parallelism', options['state-parallelism']);
const payloadBytes = positiveInteger('payload-bytes', options['payload-bytes']);
const kills = positiveInteger('kills', options.kills ?? (quick ? '1' : '3'));
const stateIntervalMs = positiveInteger('checkpoint-interval-ms', options['checkpoint-interval-ms'] ?? (quick ? '2000' : '10000'));
const steadyRate = positiveInteger('steady-rate', options['steady-rate']);
const q5Events = positiveInteger('q5-events', options['q5-events'] ?? (quick ? '1000000' : '80000000'));
const q5IntervalMs = positiveInteger('q5-interval-ms', options['q5-interval-ms'] ?? (quick ? '2000' : '10000'));
// The pause needs several checkpoints within one q5 run, which lasts about 15 s at 20M events on two cores.
const pauseIntervalMs = Math.min(q5IntervalMs, 2000);
// issue 15: a checkpoint cost from at least 5 alternating rounds, so one noisy round cannot make it
const rounds = positiveInteger('rounds', options.rounds ?? (quick ? '1' : '5'));
const parts = new Set(options.parts.split(',').map((p) => p.trim()));
const noWrite = options['no-write'];
const standby = options.standby === '0' ? 0 : positiveInteger('standby', options.standby);
/** --local-recovery: the job sets state.backend.local-recovery, so restarted tasks on a surviving TaskManager read their state from its disk */
const localRecovery = options['local-recovery'];
if (options.tier !== 'process' && options.tier !== 'node') throw new Error(`MR_ERR_BENCH_OPTION: --tier is process or node, got "${options.tier}"`);
const tier = options.tier;
function cuOption(name: string, text: string): number {
  const value = Number(text);
  if (!(value >= 0.25) || value * 4 !== Math.round(value * 4)) throw new Error(`MR_ERR_BENCH_OPTION: --${name} is a CU size in steps of 0.25 (at least 0.25), got "${text}"`);
  return value;
}
const taskManagerCU = cuOption('tm-cu', options['tm-cu']);
const jobManagerCU = cuOption('jm-cu', options['jm-cu']);
const seed = options.seed === undefined ? faultSeed() : positiveInteger('seed', options.seed);
const timeoutMs = positiveInteger('timeout-seconds', options['timeout-seconds']) * 1000;
/** Where the JobManager/TaskManager logs of the keyed-state runs are kept (default: removed at the end). */
const keptLogDir = options['log-dir'];
const log = (line: string) => process.stderr.write(`[bench:recovery] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'millrace-bench-recovery-'));
const clusters = new Set<RecoveryCluster>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Never leave processes behind: interrupted, the clusters stop gracefully; whatever still runs
// then, or at any exit, is killed (bench/lib/children.ts). A cluster's live processes are those
// started and not yet exited.
onInterrupt(() => Promise.all([...clusters].map((c) => c.stop())));
trackPids(() => [...clusters].flatMap((c) => {
  const exited = new Set(c.events.filter((e) => e.kind === 'exit').map((e) => e.pid));
  return c.events.filter((e) => e.kind === 'start' && !exited.has(e.pid)).map((e) => e.pid);
}));

function readMarkers(dir: string): LagMarker[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).flatMap((f) => parseProgressMarkers(readFileSync(join(dir, f), 'utf8')) as unknown as LagMarker[]);
}

const BUCKET_MS = 100;

/** The RecoveryCluster process indexes (`tm-<index>-<start>`) of the TaskManagers the job runs on. */
function hostingIndexes(s: RecoveryJobStatus): number[] {
  const ids = new Set(s.vertices.flatMap((v) => v.subtasks.map((t) => t.taskManagerId ?? '')));
  return [...ids].map((tm) => Number(/^tm-(\d+)-/.exec(tm)?.[1] ?? NaN)).filter((i) => Number.isInteger(i)).sort((a, b) => a - b);
}

/** Waits until the JobManager has the configured number of standby TaskManagers again. */
async function standbyBack(restUrl: string, what: string): Promise<void> {
  await waitFor(`${what}: ${standby} standby TaskManager(s)`, async () => {
    const o = (await (await fetch(`${restUrl}/overview`)).json()) as { 'taskmanagers-standby'?: number };
    return (o['taskmanagers-standby'] ?? 0) >= standby ? true : undefined;
  }, timeoutMs, 200);
}

// ---- keyed state: checkpoint duration/size and recovery time

interface KillRecovery {
  /** kill → every subtask of the attempt that took over has output (the old, optimistic figure) */
  readonly firstOutputMs: number;
  /** kill → output back at the pre-kill rate and the backlog consumed (bench/lib/recovery-detect.ts) */
  readonly caughtUpMs: number;
  /** how far behind its schedule the job fell */
  readonly worstLagMs: number;
}

/**
 * Recovery of one kill. First output: waits for an attempt after `attemptAtKill` that runs with
 * output from all its subtasks and is still the current attempt 2 s later (an attempt deployed
 * before the lost TaskManager was noticed fails again and does not count). Caught up: from the
 * sink's markers, when the rate is back to the pre-kill rate and the lag back to the pre-kill lag,
 * and both stay so for the hold time.
 */
async function recoveryAfter(api: JobApi, id: string, progressDir: string, killedAt: number, attemptAtKill: number, what: string): Promise<KillRecovery> {
  const firstOutputMs = await waitFor(`${what}: output from every subtask`, async () => {
    const s = await api.job(id);
    if (!isRunning(s) || s.attempt <= attemptAtKill) return undefined;
    const ms = recoveryTimeMs(killedAt, s.attempt, stateParallelism, readMarkers(progressDir));
    if (ms === null) return undefined;
    await sleep(2000);
    return (await api.job(id)).attempt === s.attempt ? ms : undefined;
  }, timeoutMs, 100);
  const from = killedAt - DEFAULT_CRITERIA.baselineMs - BUCKET_MS;
  const caughtUp = await waitFor(`${what}: caught up`, async () => {
    const d = detectRecovery(bucketMarkers(readMarkers(progressDir), from, Date.now() - BUCKET_MS, BUCKET_MS), killedAt);
    return d.recovered ? d : undefined;
  }, timeoutMs, 500);
  return { firstOutputMs, caughtUpMs: caughtUp.recoveryMs, worstLagMs: caughtUp.worstLagMs };
}

async function measureState(s3: S3Connection, targetMB: number, random: SeededRandom): Promise<StateSizeResult> {
  const keys = Math.round((targetMB * 1e6) / payloadBytes);
  const prefix = uniqueName(`bench-recovery-${targetMB}mb`);
  const dir = mkdtempSync(join(workDir, `state-${targetMB}mb-`));
  const progressDir = join(dir, 'progress');
  const cluster = new RecoveryCluster({
    taskManagers: TASK_MANAGERS + standby, slotsPerTaskManager: Math.ceil(stateParallelism / TASK_MANAGERS), logDir: keptLogDir ? join(keptLogDir, `state-${targetMB}mb`) : join(dir, 'logs'), env: s3ProcessEnv(s3), restartDelayMs: 500, log,
    jobManagerArgs: ['--checkpoint-storage', storageUri(s3, prefix), '--namespace', 'bench', '--deployment', `state-${targetMB}mb`,
      '--checkpoint-interval-ms', String(stateIntervalMs), '--checkpoints-retained', '2', '--tolerable-failed-checkpoints', '100',
      ...(standby > 0 ? ['--standby-taskmanagers', String(standby)] : [])],
  });
  clusters.add(cluster);
  const completed = new Map<number, CompletedCheckpoint>();
  let poller: ReturnType<typeof setInterval> | undefined;
  try {
    await cluster.start();
    const api = new JobApi(cluster.restUrl);
    const id = await api.submit({
      jobUrl: RECOVERY_LOAD, parallelism: stateParallelism, restartStrategy: 'fixed-delay:attempts=1000,delayMs=0',
      params: { keys: String(keys), payloadBytes: String(payloadBytes), rate: String(steadyRate), progressDir, ...(localRecovery ? { 'state.backend.local-recovery': 'true' } : {}) },
    });
    poller = setInterval(() => {
      api.checkpoints(id).then((c) => {
        const latest = c.latest.completed;
        if (latest && !completed.has(latest.id)) completed.set(latest.id, latest);
      }, () => undefined);
    }, 250);
    log(`${targetMB} MB: building ${keys.toLocaleString('en-US')} keys × ${payloadBytes} characters`);
    await api.waitForJob(id, 'all keys in state', (s) => isRunning(s) && (s.vertices.at(-1)?.recordsIn ?? 0) >= keys, timeoutMs);
    const filledAt = Date.now();
    const afterFill = () => [...completed.values()].filter((c) => c.latest_ack_timestamp > filledAt);
    await waitFor(`${targetMB} MB: a checkpoint of the full state`, async () => (afterFill().length > 0 ? true : undefined), timeoutMs, 250);
    log(`${targetMB} MB: first full checkpoint ${JSON.stringify(afterFill()[0])}`);

    const recoveries: KillRecovery[] = [];
    // the rate and lag before a kill are measured over the baseline: the job must have been steady that long
    let steadySince = filledAt;
    for (let k = 0; k < kills; k++) {
      await sleep(random.int(500, stateIntervalMs));
      await sleep(Math.max(0, steadySince + DEFAULT_CRITERIA.baselineMs + 1000 - Date.now()));
      if (standby > 0) await standbyBack(cluster.restUrl, `${targetMB} MB: kill ${k + 1}`);
      const running = await api.job(id);
      const { attempt } = running;
      // a TaskManager that runs tasks (with standby, which ones do moves with every failover)
      const hosting = standby > 0 ? hostingIndexes(running) : Array.from({ length: TASK_MANAGERS }, (_, i) => i);
      const index = hosting[random.int(0, hosting.length - 1)]!;
      const killedAt = Date.now();
      cluster.killTaskManager(index);
      const r = await recoveryAfter(api, id, progressDir, killedAt, attempt, `${targetMB} MB: kill ${k + 1}`);
      recoveries.push(r);
      steadySince = killedAt + r.caughtUpMs;
      log(`${targetMB} MB: kill ${k + 1}/${kills} of TaskManager ${index}: output again after ${r.firstOutputMs} ms, caught up after ${r.caughtUpMs} ms (at most ${Math.round(r.worstLagMs)} ms behind)`);
      // the next kill restores from a checkpoint taken after this recovery
      const seen = completed.size;
      await waitFor(`${targetMB} MB: a checkpoint after recovery ${k + 1}`, async () => (completed.size > seen ? true : undefined), timeoutMs, 250);
    }
    const full = afterFill();
    pauses.push({ job: `keyed state ${targetMB} MB`, ...pauseFigures(full) });
    await api.cancel(id).catch(() => undefined);
    return {
      targetMB, keys, status: 'ok',
      checkpoints: {
        count: full.length,
        durationMs: summarize(full.map((c) => c.end_to_end_duration)),
        sizeBytes: summarize(full.map((c) => c.state_size)),
        alignmentMs: summarize(full.map((c) => c.alignment_duration)),
      },
      recoveriesMs: recoveries.map((r) => r.caughtUpMs), recoveryMs: summarize(recoveries.map((r) => r.caughtUpMs)),
      firstOutputsMs: recoveries.map((r) => r.firstOutputMs), firstOutputMs: summarize(recoveries.map((r) => r.firstOutputMs)),
      worstLagsMs: recoveries.map((r) => Math.round(r.worstLagMs)),
    };
  } catch (error) {
    log(`${targetMB} MB failed: ${(error as Error).message}\nJobManager log tail:\n${cluster.logTail('jobmanager', 15)}`);
    return { targetMB, keys, status: 'failed', reason: (error as Error).message.slice(0, 300), checkpoints: { count: 0, durationMs: null, sizeBytes: null, alignmentMs: null }, recoveriesMs: [], recoveryMs: null, firstOutputsMs: [], firstOutputMs: null, worstLagsMs: [] };
  } finally {
    if (poller) clearInterval(poller);
    await cluster.stop();
    clusters.delete(cluster);
    await deletePrefix(s3, prefix).catch((e: unknown) => log(`could not delete s3 prefix ${prefix}: ${String(e)}`));
  }
}

// ---- the pause of a checkpoint: how long the slowest subtask stood still for it

interface PauseResult {
  readonly job: string;
  readonly checkpoints: number;
  readonly syncMs: ReturnType<typeof summarize>;
  readonly endToEndMs: ReturnType<typeof summarize>;
  readonly sizeBytes: ReturnType<typeof summarize>;
  readonly reason?: string;
}

const pauses: PauseResult[] = [];

function pauseFigures(cs: readonly CompletedCheckpoint[]): Omit<PauseResult, 'job'> {
  return {
    checkpoints: cs.length,
    syncMs: summarize(cs.map((c) => c.sync_duration ?? 0)),
    endToEndMs: summarize(cs.map((c) => c.end_to_end_duration)),
    sizeBytes: summarize(cs.map((c) => c.state_size)),
  };
}

/** q5 as the throughput runs take it, on a JobManager whose REST API reports every checkpoint. */
async function measureQ5Pause(s3: S3Connection): Promise<PauseResult> {
  const prefix = uniqueName('bench-recovery-q5-pause');
  const dir = mkdtempSync(join(workDir, 'q5-pause-'));
  const cluster = new RecoveryCluster({
    taskManagers: TASK_MANAGERS, slotsPerTaskManager: Math.ceil(Q5_PARALLELISM / TASK_MANAGERS), logDir: keptLogDir ? join(keptLogDir, 'q5-pause') : join(dir, 'logs'), env: s3ProcessEnv(s3), log,
    jobManagerArgs: ['--checkpoint-storage', storageUri(s3, prefix), '--namespace', 'bench', '--deployment', 'q5-pause',
      '--checkpoint-interval-ms', String(pauseIntervalMs), '--checkpoints-retained', '2', '--tolerable-failed-checkpoints', '100'],
  });
  clusters.add(cluster);
  const completed = new Map<number, CompletedCheckpoint>();
  const collect = (history: Array<{ status: string; [k: string]: unknown }>) => {
    for (const h of history) if (h.status === 'COMPLETED' && !h.is_savepoint) completed.set(h.id as number, h as unknown as CompletedCheckpoint);
  };
  try {
    await cluster.start();
    const api = new JobApi(cluster.restUrl);
    const id = await api.submit({
      jobUrl: join(ROOT, 'examples', 'nexmark', 'q5.ts'), parallelism: Q5_PARALLELISM,
      params: { events: String(q5Events), seed: '42', eventsPerSecond: '10000', windowSizeMs: '10000', slideMs: '2000' },
    });
    await waitFor('q5 to finish', async () => {
      const c = await api.checkpoints(id).catch(() => undefined);
      if (c) collect(c.history);
      const s = await api.job(id).catch(() => undefined);
      return s && ['FINISHED', 'FAILED', 'CANCELED'].includes(s.state) ? s.state : undefined;
    }, timeoutMs, 500);
    collect((await api.checkpoints(id)).history);
    const cs = [...completed.values()];
    log(`q5 pause: ${cs.length} checkpoints, sync ${cs.map((c) => c.sync_duration).join(', ')} ms, end to end ${cs.map((c) => c.end_to_end_duration).join(', ')} ms`);
    return { job: `Nexmark q5 (${q5Events.toLocaleString('en-US')} events, p=${Q5_PARALLELISM})`, ...pauseFigures(cs) };
  } catch (error) {
    log(`q5 pause failed: ${(error as Error).message}\nJobManager log tail:\n${cluster.logTail('jobmanager', 15)}`);
    return { job: 'Nexmark q5', ...pauseFigures([]), reason: (error as Error).message.slice(0, 300) };
  } finally {
    await cluster.stop();
    clusters.delete(cluster);
    await deletePrefix(s3, prefix).catch((e: unknown) => log(`could not delete s3 prefix ${prefix}: ${String(e)}`));
  }
}

function renderPauses(ps: readonly PauseResult[]): string {
  const ms = (s: ReturnType<typeof summarize>) => (s ? `${s.median.toFixed(1)} / ${s.max.toFixed(1)}` : '–');
  const mb = (s: ReturnType<typeof summarize>) => (s ? `${(s.median / 1e6).toFixed(1)}` : '–');
  return [
    '| job | checkpoints | pause (sync) ms, median / max | end to end ms, median / max | size MB |',
    '|---|---|---|---|---|',
    ...ps.map((p) => `| ${p.job} | ${p.checkpoints} | ${ms(p.syncMs)} | ${ms(p.endToEndMs)} | ${mb(p.sizeBytes)} |`),
  ].join('\n');
}

// ---- checkpoint cost on Nexmark q5

async function runQ5(s3: S3Connection, intervalMs: number, prefix: string): Promise<ThroughputRun & { checkpointsRetained: number }> {
  const summaryFile = join(workDir, `q5-${intervalMs}-${Date.now()}.json`);
  const { command, args } = millraceCommand(ROOT, {
    job: 'examples/nexmark/q5.ts', parallelism: Q5_PARALLELISM, taskmanagers: TASK_MANAGERS, summaryFile,
    parameters: { events: q5Events, seed: 42, eventsPerSecond: 10_000, windowSizeMs: 10_000, slideMs: 2_000 },
  });
  const checkpointArgs = ['--checkpoint-interval-ms', String(intervalMs), ...(intervalMs > 0 ? ['--checkpoint-dir', storageUri(s3, prefix)] : []), '--no-progress'];
  const run = await runMeasured(command, [...args, ...checkpointArgs], { cwd: ROOT, timeoutMs, env: { ...process.env, ...s3ProcessEnv(s3) } });
  if (run.exitCode !== 0) throw new Error(`q5 with checkpoint interval ${intervalMs} ms: ${run.timedOut ? 'timed out' : `exit ${run.exitCode ?? run.signal}`}: ${tail(run.stderr || run.stdout)}`);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { state?: string; events: number; durationMs: number };
  if (summary.state !== undefined && summary.state !== 'FINISHED') throw new Error(`q5 ended ${summary.state}`);
  const checkpointsRetained = intervalMs > 0 ? (await listKeys(s3, `${prefix}/`)).filter((k) => k.endsWith('/_metadata')).length : 0;
  return { events: summary.events, durationMs: summary.durationMs, checkpointsRetained };
}

async function measureThroughput(s3: S3Connection): Promise<ThroughputResult> {
  const without: ThroughputRun[] = [];
  const withCheckpoints: Array<ThroughputRun & { checkpointsRetained: number }> = [];
  const prefix = uniqueName('bench-recovery-q5');
  try {
    for (let round = 0; round < rounds; round++) {
      // alternate the order, so a drift of the machine's load does not favour one side
      const order = round % 2 === 0 ? [0, q5IntervalMs] : [q5IntervalMs, 0];
      for (const intervalMs of order) {
        // a prefix per run, so the checkpoints counted are this run's
        const run = await runQ5(s3, intervalMs, `${prefix}/round-${round}`);
        (intervalMs === 0 ? without : withCheckpoints).push(run);
        log(`q5 round ${round + 1}/${rounds}, checkpoint interval ${intervalMs} ms: ${Math.round((run.events * 1000) / run.durationMs).toLocaleString('en-US')} events/s`
          + (intervalMs > 0 ? `, ${run.checkpointsRetained} completed checkpoint(s) retained in S3` : ''));
      }
    }
    if (withCheckpoints.every((r) => r.checkpointsRetained === 0)) {
      return { status: 'failed', reason: `no checkpoint completed during the q5 runs; use more --q5-events or a shorter --q5-interval-ms`, without, with: withCheckpoints, cost: null };
    }
    return { status: 'ok', without, with: withCheckpoints, cost: throughputCost(without, withCheckpoints) };
  } catch (error) {
    return { status: 'failed', reason: (error as Error).message.slice(0, 400), without, with: withCheckpoints, cost: throughputCost(without, withCheckpoints) };
  } finally {
    await deletePrefix(s3, prefix).catch((e: unknown) => log(`could not delete s3 prefix ${prefix}: ${String(e)}`));
  }
}

/** --tier node: the keyed-state recovery with TaskManager pods deleted (bench/lib/recovery-node.ts). */
async function mainNode(machine: ReturnType<typeof describeMachine>): Promise<void> {
  const random = seededRandom(seed);
  const results = [];
  for (const mb of stateSizesMB) {
    const r = await measureStateOnNode({
      jobModule: RECOVERY_LOAD, targetMB: mb, payloadBytes, stateParallelism, slotsPerTaskManager: Math.ceil(stateParallelism / TASK_MANAGERS),
      steadyRate, kills, checkpointIntervalSeconds: Math.max(1, Math.round(stateIntervalMs / 1000)), standby, taskManagerCU, jobManagerCU,
      random, timeoutMs, log, ...(keptLogDir ? { logDir: join(keptLogDir, `node-${mb}mb`) } : {}),
    });
    process.stdout.write(`${renderNodeRecovery(r)}\n\n`);
    results.push(r);
  }
  if (noWrite) return;
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const file = join(ROOT, 'bench', 'results', `recovery-node-standby-${standby}.json`);
  for (const r of results) writeNodeResult(file.replace(/\.json$/, `-${r.targetMB}mb.json`), r, { generatedAt: new Date().toISOString(), machine, seed, steadyRecordsPerSecond: steadyRate, checkpointIntervalMs: stateIntervalMs, image: 'localhost/millrace:dev' });
  log(`wrote bench/results/recovery-node-standby-${standby}-<MB>mb.json (not bench/RESULTS.md: its Recovery section is the process tier's)`);
}

async function main(): Promise<void> {
  log(`seed ${seed} (replay with --seed ${seed})${quick ? '; --quick smoke run' : ''}`);
  const machine = describeMachine(join(ROOT, 'node_modules', '.bin', 'node'));
  if (tier === 'node') return mainNode(machine);
  const s3 = await useS3();
  const random = seededRandom(seed);
  const state: StateSizeResult[] = [];
  if (parts.has('state')) for (const mb of stateSizesMB) state.push(await measureState(s3, mb, random));
  const throughput: ThroughputResult = parts.has('throughput')
    ? await measureThroughput(s3)
    : { status: 'failed', reason: 'not selected (--parts)', without: [], with: [], cost: null };
  if (parts.has('pause')) pauses.push(await measureQ5Pause(s3));
  const report: RecoveryBenchReport = {
    generatedAt: new Date().toISOString(), machine,
    settings: {
      quick, s3: `MinIO (test/cluster/s3) at ${s3.endpoint}`, taskManagers: TASK_MANAGERS, stateParallelism,
      stateCheckpointIntervalMs: stateIntervalMs, payloadBytes, steadyRecordsPerSecond: steadyRate, killsPerSize: kills, seed,
      q5: { events: q5Events, parallelism: Q5_PARALLELISM, checkpointIntervalMs: q5IntervalMs, rounds },
    },
    state, throughput, targets: evaluateTargets(state, throughput, quick),
  };
  process.stdout.write(`${renderRecoveryTables(report)}\n`);
  if (throughput.cost) process.stdout.write(`\nq5 throughput with checkpoints / without: ${throughput.cost.ratio.toFixed(3)} (cost ${throughput.cost.costPercent.toFixed(1)}%)\n`);
  if (pauses.length > 0) process.stdout.write(`\nCheckpoint pause (the longest time a subtask stood still for a checkpoint):\n${renderPauses(pauses)}\n`);
  if (noWrite) return;
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  if (standby > 0) {
    writeFileSync(join(ROOT, 'bench', 'results', `recovery-standby-${standby}.json`), `${JSON.stringify({ ...report, standbyTaskManagers: standby, checkpointPause: pauses }, null, 2)}\n`);
    log(`wrote bench/results/recovery-standby-${standby}.json (the Recovery section of bench/RESULTS.md describes runs without standby)`);
    return;
  }
  writeFileSync(join(ROOT, 'bench', 'results', 'recovery.json'), `${JSON.stringify({ ...report, checkpointPause: pauses }, null, 2)}\n`);
  const resultsFile = join(ROOT, 'bench', 'RESULTS.md');
  const existing = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
  writeFileSync(resultsFile, replaceRecoverySection(existing, renderRecoverySection(report)));
  log('wrote bench/results/recovery.json and the Recovery section of bench/RESULTS.md');
}

await runBench(main, () => rmSync(workDir, { recursive: true, force: true }));
