// `npm run bench:nexmark`: runs each Nexmark query on Apache Flink (bench/flink, local
// mini-cluster) and on Millrace (`millrace run`, local mode) with the same generator, event count
// and parallelism; prints a table, writes bench/results/nexmark.json and bench/RESULTS.md
// (not with --no-write: then it only prints, e.g. for a run of a few queries while developing).
//
//   npm run bench:nexmark -- [--queries q0,q1,q2,q3,q5,q7,q8] [--events 5000000] [--parallelism 2]
//     [--taskmanagers 2] [--seed 42] [--latency-seconds 20] [--latency-warmup-seconds 5]
//     [--no-latency] [--no-verify] [--no-write]
//     [--systems flink,millrace] [--timeout-seconds 900]

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureFlinkJar, javaArgs } from './lib/flink.ts';
import { describeMachine } from './lib/machine.ts';
import { millraceCommand, millraceUnavailable } from './lib/millrace.ts';
import { keepMarkedSections, renderResultsMarkdown } from './lib/report.ts';
import type { BenchReport, BenchSettings, Verification } from './lib/report.ts';
import { latencyRate, queryResult, renderTable } from './lib/results.ts';
import type { LatencyOutcome, RunSummary, SystemOutcome } from './lib/results.ts';
import { runMeasured, tail } from './lib/run-process.ts';
import type { ProcessRun } from './lib/run-process.ts';
import { generatorChecksumMatches, verifyFlinkQuery } from './lib/verify.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const ALL_QUERIES = ['q0', 'q1', 'q2', 'q3', 'q5', 'q7', 'q8'];
const LATENCY_PARALLELISM = 2;
const LOAD_FRACTION = 0.5;
const FLINK_LATENCY_TUNING = { watermarkIntervalMs: 20, bufferTimeoutMs: 10 };
const WINDOWS = { q5WindowMs: 10_000, q5SlideMs: 2_000, q7WindowMs: 10_000, q8WindowMs: 10_000 };

const { values: options } = parseArgs({
  options: {
    queries: { type: 'string', default: ALL_QUERIES.join(',') },
    events: { type: 'string', default: '5000000' },
    parallelism: { type: 'string', default: '2' },
    taskmanagers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '42' },
    'events-per-second': { type: 'string', default: '10000' },
    'latency-seconds': { type: 'string', default: '20' },
    'latency-warmup-seconds': { type: 'string', default: '5' },
    'no-latency': { type: 'boolean', default: false },
    'no-verify': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    systems: { type: 'string', default: 'flink,millrace' },
    'timeout-seconds': { type: 'string', default: '900' },
  },
});

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`MR_ERR_BENCH_OPTION: --${name} must be a positive integer, got "${text}"`);
  return value;
}

const queries = options.queries.split(',').map((q) => q.trim());
for (const query of queries) {
  if (!ALL_QUERIES.includes(query)) throw new Error(`MR_ERR_BENCH_OPTION: --queries has unknown query "${query}"; use some of ${ALL_QUERIES.join(',')}`);
}
const events = positiveInteger('events', options.events);
const parallelism = positiveInteger('parallelism', options.parallelism);
const taskmanagers = positiveInteger('taskmanagers', options.taskmanagers);
const seed = Number(options.seed);
const eventsPerSecond = positiveInteger('events-per-second', options['events-per-second']);
const latencySeconds = positiveInteger('latency-seconds', options['latency-seconds']);
const warmupSeconds = Number(options['latency-warmup-seconds']);
if (!Number.isSafeInteger(warmupSeconds) || warmupSeconds < 0) {
  throw new Error(`MR_ERR_BENCH_OPTION: --latency-warmup-seconds must be a non-negative integer, got "${options['latency-warmup-seconds']}"`);
}
const timeoutMs = positiveInteger('timeout-seconds', options['timeout-seconds']) * 1000;
const systems = new Set(options.systems.split(','));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'millrace-nexmark-'));

function windowParameters(query: string): Record<string, number> {
  if (query === 'q5') return { windowSizeMs: WINDOWS.q5WindowMs, slideMs: WINDOWS.q5SlideMs };
  if (query === 'q7') return { windowSizeMs: WINDOWS.q7WindowMs };
  if (query === 'q8') return { windowSizeMs: WINDOWS.q8WindowMs };
  return {};
}

/** One JSON object, pretty-printed or on one line (the last line wins if several were written). */
function readSummary(file: string): RunSummary {
  const text = readFileSync(file, 'utf8').trim();
  try {
    return JSON.parse(text) as RunSummary;
  } catch {
    return JSON.parse(text.split('\n').pop() as string) as RunSummary;
  }
}

function failure(run: ProcessRun): string {
  if (run.timedOut) return `timed out after ${timeoutMs / 1000} s`;
  return `exit ${run.exitCode ?? run.signal}: ${tail(run.stderr || run.stdout)}`;
}

// ---- one run of one system

interface RunRequest {
  readonly query: string;
  readonly parallelism: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly rate: number | null;
}

type RunResult = { ok: true; summary: RunSummary; run: ProcessRun } | { ok: false; reason: string };

async function runFlink(jar: string, request: RunRequest): Promise<RunResult> {
  const summaryFile = join(workDir, `flink-${request.query}-${Date.now()}.json`);
  const windows = ['--q5-window-ms', WINDOWS.q5WindowMs, '--q5-slide-ms', WINDOWS.q5SlideMs, '--q7-window-ms', WINDOWS.q7WindowMs, '--q8-window-ms', WINDOWS.q8WindowMs];
  const latency = request.rate === null ? [] : [
    '--latency', '--rate', request.rate, '--latency-warmup-ms', warmupSeconds * 1000,
    '--watermark-interval-ms', FLINK_LATENCY_TUNING.watermarkIntervalMs, '--buffer-timeout-ms', FLINK_LATENCY_TUNING.bufferTimeoutMs,
  ];
  const args = [
    ...javaArgs(jar), '--query', request.query, '--events', request.events, '--parallelism', request.parallelism, '--seed', seed,
    '--events-per-second', request.eventsPerSecond, ...windows, ...latency, '--summary-json', summaryFile,
  ].map(String);
  const run = await runMeasured('java', args, { cwd: ROOT, timeoutMs });
  if (run.exitCode !== 0) return { ok: false, reason: failure(run) };
  return { ok: true, summary: readSummary(summaryFile), run };
}

async function runMillrace(request: RunRequest): Promise<RunResult> {
  const summaryFile = join(workDir, `millrace-${request.query}-${Date.now()}.json`);
  const parameters: Record<string, string | number | boolean> = {
    events: request.events, seed, eventsPerSecond: request.eventsPerSecond, ...windowParameters(request.query),
  };
  if (request.rate !== null) Object.assign(parameters, { rate: request.rate, latency: true, latencyWarmupMs: warmupSeconds * 1000 });
  // no checkpoints, like the Flink peer (its runs have none either)
  const { command, args } = millraceCommand(ROOT, {
    query: request.query, parallelism: request.parallelism, taskmanagers, parameters, summaryFile, checkpointIntervalMs: 0,
  });
  const run = await runMeasured(command, args, { cwd: ROOT, timeoutMs });
  if (run.exitCode !== 0) return { ok: false, reason: failure(run) };
  let summary: RunSummary;
  try {
    summary = readSummary(summaryFile);
  } catch (error) {
    return { ok: false, reason: `no readable --summary-json (${(error as Error).message})` };
  }
  if (summary.state !== undefined && summary.state !== 'FINISHED') return { ok: false, reason: `job ended in state ${summary.state}` };
  return { ok: true, summary: { ...summary, events: summary.events ?? request.events }, run };
}

// ---- one system, one query: throughput, then latency at half of the maximum

async function measure(query: string, runner: (request: RunRequest) => Promise<RunResult>): Promise<SystemOutcome> {
  const throughput = await runner({ query, parallelism, events, eventsPerSecond, rate: null });
  if (!throughput.ok) return { status: 'failed', reason: throughput.reason };
  const usage = { wallMs: throughput.run.wallMs, cpuMs: throughput.run.cpuMs };
  if (options['no-latency']) return { status: 'ok', throughput: throughput.summary, usage, latency: { status: 'not measured', reason: '--no-latency' } };

  let maximum = throughput.summary;
  if (parallelism !== LATENCY_PARALLELISM) {
    const atTwo = await runner({ query, parallelism: LATENCY_PARALLELISM, events, eventsPerSecond, rate: null });
    if (!atTwo.ok) return { status: 'ok', throughput: throughput.summary, usage, latency: { status: 'failed', reason: atTwo.reason } };
    maximum = atTwo.summary;
  }
  const rate = latencyRate((maximum.events * 1000) / maximum.durationMs, LOAD_FRACTION);
  const latencyEvents = rate * (warmupSeconds + latencySeconds);
  log(`${query}: latency run at ${rate} events/s for ${warmupSeconds} s warm-up + ${latencySeconds} s measured`);
  const run = await runner({ query, parallelism: LATENCY_PARALLELISM, events: latencyEvents, eventsPerSecond: rate, rate });
  const latency: LatencyOutcome = run.ok ? { status: 'ok', rate, summary: run.summary } : { status: 'failed', reason: run.reason, rate };
  return { status: 'ok', throughput: throughput.summary, usage, latency };
}

async function main(): Promise<void> {
  const machine = describeMachine(join(ROOT, 'node_modules', '.bin', 'node'));
  let jar: string | null = null;
  let flinkVersion: string | null = null;
  const verification: { generatorChecksum: Verification['generatorChecksum']; flinkQueries: Verification['flinkQueries'][number][] } = {
    generatorChecksum: null, flinkQueries: [],
  };

  if (systems.has('flink')) {
    jar = ensureFlinkJar(log);
    const checkEvents = 100_000;
    const { ts, java } = generatorChecksumMatches(jar, seed, checkEvents);
    verification.generatorChecksum = { events: checkEvents, typescript: ts, java, equal: ts === java };
    if (ts !== java) throw new Error(`MR_ERR_BENCH_GENERATOR_MISMATCH: the Java generator differs from the TypeScript one (checksums ${java} vs ${ts}); fix bench/flink before comparing speeds`);
    log(`generator cross-check: first ${checkEvents} events have checksum ${ts} in TypeScript and Java`);
    if (!options['no-verify']) {
      for (const query of queries) {
        const v = verifyFlinkQuery(jar, query, seed, LATENCY_PARALLELISM);
        const equal = v.missing === 0 && v.unexpected === 0;
        verification.flinkQueries.push({ query, expectedRows: v.expectedRows, flinkRows: v.flinkRows, equal });
        log(`verify ${query}: Flink ${v.flinkRows} rows, reference ${v.expectedRows} rows: ${equal ? 'equal' : `DIFFERENT, e.g. ${v.example}`}`);
        if (!equal) throw new Error(`MR_ERR_BENCH_FLINK_WRONG: Flink's ${query} differs from the reference result; fix bench/flink/Queries.java`);
      }
    }
  }

  const results = [];
  for (const query of queries) {
    log(`${query}: Flink`);
    let flink: SystemOutcome = { status: 'not available', reason: 'not selected (--systems)' };
    if (jar !== null) {
      const jarPath = jar;
      flink = await measure(query, (request) => runFlink(jarPath, request));
      if (flink.status === 'ok') flinkVersion = (flink.throughput as RunSummary & { flinkVersion?: string }).flinkVersion ?? flinkVersion;
    }
    log(`${query}: Millrace`);
    let millrace: SystemOutcome = { status: 'not available', reason: 'not selected (--systems)' };
    if (systems.has('millrace')) {
      const missing = millraceUnavailable(ROOT, query);
      millrace = missing !== null ? { status: 'not available', reason: missing } : await measure(query, runMillrace);
    }
    const result = queryResult(query, events, flink, millrace);
    results.push(result);
    log(`${query}: ${JSON.stringify({ flink: result.flink, millrace: result.millrace })}`);
  }

  const settings: BenchSettings = {
    parallelism, taskmanagers, events, seed, eventsPerSecond, windows: WINDOWS,
    latency: { parallelism: LATENCY_PARALLELISM, loadFraction: LOAD_FRACTION, seconds: latencySeconds, warmupSeconds },
    flink: { version: flinkVersion, objectReuse: true, latencyWatermarkIntervalMs: FLINK_LATENCY_TUNING.watermarkIntervalMs, latencyBufferTimeoutMs: FLINK_LATENCY_TUNING.bufferTimeoutMs },
  };
  const report: BenchReport = { generatedAt: new Date().toISOString(), machine, settings, verification, queries: results };
  process.stdout.write(`${renderTable(results)}\n`);
  if (options['no-write']) {
    log('--no-write: bench/results/nexmark.json and bench/RESULTS.md left as they were');
    return;
  }
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'nexmark.json'), `${JSON.stringify(report, null, 2)}\n`);
  const resultsFile = join(ROOT, 'bench', 'RESULTS.md');
  const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
  writeFileSync(resultsFile, keepMarkedSections(previous, renderResultsMarkdown(report)));
  log('wrote bench/results/nexmark.json and bench/RESULTS.md');
}

try {
  await main();
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
