// `npm run bench:nexmark`: Nexmark on Apache Flink (bench/flink, local mini-cluster) and on
// Millrace (`millrace run`, local mode) with the same generator and parallelism.
//
// Per row (bench/lib/plans.ts): both sides' declared plans and tasks; both outputs verified on the
// same bounded input (a wrong result stops the benchmark); then `--runs` runs per system,
// alternating, each measuring `--measure-seconds` after `--warmup-seconds` of an unbounded,
// rate-free source: events and CPU seconds of every process from /proc over exactly that window
// (bench/lib/window-run.ts); median and min–max; then a latency run at half the median maximum.
// Writes bench/results/nexmark.json and the Nexmark section of bench/RESULTS.md, nothing else of
// it; not with --no-write, nor for smoke runs (shorter than 3 runs of 30 s after 10 s of warm-up).
//
//   npm run bench:nexmark -- [--queries q0,q1,q2,q3,q5,q5-best-keys,q7,q8] [--runs 3]
//     [--measure-seconds 30] [--warmup-seconds 10] [--parallelism 2] [--taskmanagers 2] [--seed 42]
//     [--latency-seconds 20] [--latency-warmup-seconds 5] [--no-latency] [--no-verify] [--no-write]
//     [--systems flink,millrace] [--timeout-seconds 900]

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureFlinkJar, javaArgs } from './lib/flink.ts';
import { runBench } from './lib/children.ts';
import { describeMachine } from './lib/machine.ts';
import { millraceCommand, millraceUnavailable } from './lib/millrace.ts';
import { flinkPlan, millracePlan, ROWS, type BenchRow } from './lib/plans.ts';
import { isSmokeRun, MIN_MEASURE_SECONDS, MIN_RUNS, MIN_WARMUP_SECONDS, renderResultsMarkdown, replaceNexmarkSection } from './lib/report.ts';
import type { BenchReport, BenchSettings, Verification } from './lib/report.ts';
import { latencyRate, queryResult, renderTable } from './lib/results.ts';
import type { DeclaredPlan, LatencyOutcome, QueryResult, RowVerification, RunSummary, SystemOutcome } from './lib/results.ts';
import { runMeasured, tail } from './lib/run-process.ts';
import { mergeRows, sampleLoad, sourceOf, type LoadSample } from './lib/run-facts.ts';
import { spreadOf } from './lib/stats.ts';
import { checkRows, committedParts, flinkVerificationRows, generatorChecksumMatches, readJsonLines, VERIFY_EVENTS, verificationReference, verifyParameters } from './lib/verify.ts';
import type { WindowFigures } from './lib/window.ts';
import { measureFlinkWindow, measureMillraceWindow } from './lib/window-run.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const LATENCY_PARALLELISM = 2;
const LOAD_FRACTION = 0.5;
const FLINK_LATENCY_TUNING = { watermarkIntervalMs: 20, bufferTimeoutMs: 10 };
const WINDOWS = { q5WindowMs: 10_000, q5SlideMs: 2_000, q7WindowMs: 10_000, q8WindowMs: 10_000 };

const { values: options } = parseArgs({
  options: {
    queries: { type: 'string', default: ROWS.map((r) => r.row).join(',') },
    runs: { type: 'string', default: String(MIN_RUNS) },
    'measure-seconds': { type: 'string', default: String(MIN_MEASURE_SECONDS) },
    'warmup-seconds': { type: 'string', default: String(MIN_WARMUP_SECONDS) },
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

function positiveInteger(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`MR_ERR_BENCH_OPTION: --${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

const rows: BenchRow[] = options.queries.split(',').map((name) => {
  const row = ROWS.find((r) => r.row === name.trim());
  if (!row) throw new Error(`MR_ERR_BENCH_OPTION: --queries has unknown row "${name}"; use some of ${ROWS.map((r) => r.row).join(',')}`);
  return row;
});
const runs = positiveInteger('runs', options.runs);
const measureSeconds = positiveInteger('measure-seconds', options['measure-seconds']);
const warmupSeconds = positiveInteger('warmup-seconds', options['warmup-seconds'], 0);
const parallelism = positiveInteger('parallelism', options.parallelism);
const taskmanagers = positiveInteger('taskmanagers', options.taskmanagers);
const seed = Number(options.seed);
const eventsPerSecond = positiveInteger('events-per-second', options['events-per-second']);
const latencySeconds = positiveInteger('latency-seconds', options['latency-seconds']);
const latencyWarmupSeconds = positiveInteger('latency-warmup-seconds', options['latency-warmup-seconds'], 0);
const timeoutMs = positiveInteger('timeout-seconds', options['timeout-seconds']) * 1000;
const systems = new Set(options.systems.split(','));
const smoke = isSmokeRun({ measureSeconds, warmupSeconds, runs });
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'millrace-nexmark-'));

function windowParameters(query: string): Record<string, number> {
  if (query === 'q5') return { windowSizeMs: WINDOWS.q5WindowMs, slideMs: WINDOWS.q5SlideMs };
  if (query === 'q7') return { windowSizeMs: WINDOWS.q7WindowMs };
  if (query === 'q8') return { windowSizeMs: WINDOWS.q8WindowMs };
  return {};
}

const FLINK_WINDOW_ARGS = ['--q5-window-ms', WINDOWS.q5WindowMs, '--q5-slide-ms', WINDOWS.q5SlideMs, '--q7-window-ms', WINDOWS.q7WindowMs, '--q8-window-ms', WINDOWS.q8WindowMs].map(String);

function millraceParameters(row: BenchRow, extra: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  return { seed, eventsPerSecond, ...windowParameters(row.query), ...extra };
}

function stringParameters(p: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]));
}

// ---- verification: both systems on the same bounded input, against the reference

const flinkRowsCache = new Map<string, object[]>();

async function verifyRow(jar: string | null, row: BenchRow): Promise<RowVerification> {
  const expected = verificationReference(row.query, seed);
  let flink: ReturnType<typeof checkRows> | null = null;
  if (jar !== null) {
    const actual = flinkRowsCache.get(row.query) ?? await flinkVerificationRows(jar, row.query, seed, LATENCY_PARALLELISM);
    flinkRowsCache.set(row.query, actual);
    flink = checkRows(expected, actual);
  }
  let millrace: ReturnType<typeof checkRows> | null = null;
  if (systems.has('millrace')) {
    const out = join(workDir, `verify-${row.row}`);
    const { command, args } = millraceCommand(ROOT, {
      job: row.millraceJob, parallelism: LATENCY_PARALLELISM, taskmanagers, checkpointIntervalMs: 0,
      parameters: { seed, ...verifyParameters(row.query), out }, summaryFile: join(workDir, `verify-${row.row}.json`),
    });
    const run = await runMeasured(command, [...args, '--no-progress'], { cwd: ROOT, timeoutMs });
    if (run.exitCode !== 0) throw new Error(`MR_ERR_BENCH_VERIFY: Millrace's ${row.row} verification run failed: exit ${run.exitCode ?? run.signal}: ${tail(run.stderr)}`);
    millrace = checkRows(expected, readJsonLines(committedParts(out)));
  }
  return {
    events: VERIFY_EVENTS,
    referenceRows: expected.length,
    flinkRows: flink?.rows ?? null,
    millraceRows: millrace?.rows ?? null,
    flinkEqual: flink?.equal ?? null,
    millraceEqual: millrace?.equal ?? null,
    rowCountsEqual: flink && millrace ? flink.rows === millrace.rows : null,
    example: flink?.example ?? millrace?.example ?? null,
  };
}

function assertVerified(row: BenchRow, v: RowVerification): void {
  const wrong = [v.flinkEqual === false ? `Flink (${v.flinkRows} rows)` : null, v.millraceEqual === false ? `Millrace (${v.millraceRows} rows)` : null]
    .filter((x): x is string => x !== null);
  if (wrong.length > 0 || v.rowCountsEqual === false) {
    throw new Error(`MR_ERR_BENCH_WRONG_RESULT: ${row.row}: ${wrong.join(' and ') || 'row counts'} differ from the reference (${v.referenceRows} rows)${v.example ? `, e.g. ${v.example}` : ''}; fix the query before comparing speeds`);
  }
}

// ---- latency: a bounded, rate-limited run (its summary has the p99)

function readSummary(file: string): RunSummary {
  const text = readFileSync(file, 'utf8').trim();
  try {
    return JSON.parse(text) as RunSummary;
  } catch {
    return JSON.parse(text.split('\n').pop() as string) as RunSummary;
  }
}

async function latencyRun(system: 'flink' | 'millrace', jar: string | null, row: BenchRow, rate: number): Promise<LatencyOutcome> {
  const events = rate * (latencyWarmupSeconds + latencySeconds);
  const summaryFile = join(workDir, `${system}-${row.row}-latency-${Date.now()}.json`);
  let run;
  if (system === 'flink') {
    run = await runMeasured('java', [
      ...javaArgs(jar!), '--query', row.query, '--events', String(events), '--parallelism', String(LATENCY_PARALLELISM), '--seed', String(seed),
      '--events-per-second', String(rate), ...FLINK_WINDOW_ARGS, '--latency', '--rate', String(rate), '--latency-warmup-ms', String(latencyWarmupSeconds * 1000),
      '--watermark-interval-ms', String(FLINK_LATENCY_TUNING.watermarkIntervalMs), '--buffer-timeout-ms', String(FLINK_LATENCY_TUNING.bufferTimeoutMs), '--summary-json', summaryFile,
    ], { cwd: ROOT, timeoutMs });
  } else {
    const { command, args } = millraceCommand(ROOT, {
      job: row.millraceJob, parallelism: LATENCY_PARALLELISM, taskmanagers, summaryFile, checkpointIntervalMs: 0,
      parameters: millraceParameters(row, { events, eventsPerSecond: rate, rate, latency: true, latencyWarmupMs: latencyWarmupSeconds * 1000 }),
    });
    run = await runMeasured(command, [...args, '--no-progress'], { cwd: ROOT, timeoutMs });
  }
  if (run.exitCode !== 0) return { status: 'failed', rate, reason: run.timedOut ? `timed out after ${timeoutMs / 1000} s` : `exit ${run.exitCode ?? run.signal}: ${tail(run.stderr || run.stdout)}` };
  const summary = readSummary(summaryFile);
  if (summary.state !== undefined && summary.state !== 'FINISHED') return { status: 'failed', rate, reason: `job ended ${summary.state}` };
  return { status: 'ok', rate, p99Ms: summary.latencyP99Ms ?? null };
}

// ---- one row: plans, verification, measured runs, latency

async function measureRow(jar: string | null, row: BenchRow): Promise<QueryResult> {
  const millraceAvailable = systems.has('millrace') ? millraceUnavailable(ROOT, row.millraceJob) : 'not selected (--systems)';
  const plans: { flink: DeclaredPlan | undefined; millrace: DeclaredPlan | undefined } = { flink: undefined, millrace: undefined };
  if (jar !== null) plans.flink = await flinkPlan(jar, row.query, FLINK_WINDOW_ARGS);
  if (millraceAvailable === null) plans.millrace = await millracePlan(ROOT, row.millraceJob, stringParameters(millraceParameters(row, {})), parallelism);

  let verification: RowVerification | null = null;
  if (!options['no-verify']) {
    verification = await verifyRow(millraceAvailable === null ? jar : null, row);
    log(`${row.row}: verified: reference ${verification.referenceRows} rows, Flink ${verification.flinkRows ?? '-'}, Millrace ${verification.millraceRows ?? '-'}`);
    assertVerified(row, verification);
  }

  const figures: { flink: WindowFigures[]; millrace: WindowFigures[] } = { flink: [], millrace: [] };
  const failed: { flink?: string; millrace?: string } = {};
  const windowOptions = { warmupSeconds, measureSeconds, cwd: ROOT, log };
  for (let i = 0; i < runs; i++) {
    if (jar !== null && failed.flink === undefined) {
      const r = await measureFlinkWindow([...javaArgs(jar), '--query', row.query, '--parallelism', String(parallelism), '--seed', String(seed),
        '--events-per-second', String(eventsPerSecond), ...FLINK_WINDOW_ARGS], windowOptions);
      if (r.ok) figures.flink.push(r.figures);
      else failed.flink = r.reason;
      log(`${row.row} flink run ${i + 1}/${runs}: ${r.ok ? JSON.stringify(r.figures) : r.reason}`);
    }
    if (millraceAvailable === null && failed.millrace === undefined) {
      const { command, args } = millraceCommand(ROOT, {
        job: row.millraceJob, parallelism, taskmanagers, checkpointIntervalMs: 0, summaryFile: join(workDir, `millrace-${row.row}-${i}.json`),
        parameters: millraceParameters(row, { events: 0 }),
      });
      const r = await measureMillraceWindow(command, args, windowOptions);
      if (r.ok) figures.millrace.push(r.figures);
      else failed.millrace = r.reason;
      log(`${row.row} millrace run ${i + 1}/${runs}: ${r.ok ? JSON.stringify(r.figures) : r.reason}`);
    }
  }

  const outcome = async (system: 'flink' | 'millrace', available: boolean, notAvailable: string): Promise<SystemOutcome> => {
    const plan = plans[system];
    if (!available) return { status: 'not available', reason: notAvailable, ...(plan ? { plan } : {}) };
    if (failed[system] !== undefined) return { status: 'failed', reason: failed[system]!, ...(plan ? { plan } : {}) };
    let latency: LatencyOutcome = { status: 'not measured', reason: '--no-latency' };
    if (!options['no-latency']) {
      const rate = latencyRate(spreadOf(figures[system].map((f) => f.eventsPerSecond)).median, LOAD_FRACTION);
      log(`${row.row} ${system}: latency run at ${rate} events/s for ${latencyWarmupSeconds} s warm-up + ${latencySeconds} s measured`);
      latency = await latencyRun(system, jar, row, rate);
    }
    return { status: 'ok', runs: figures[system], plan: plan!, latency };
  };
  const flink = await outcome('flink', jar !== null, 'not selected (--systems)');
  const millrace = await outcome('millrace', millraceAvailable === null, millraceAvailable ?? '');
  return queryResult(row.row, row.query, row.label, flink, millrace, verification);
}

async function main(): Promise<void> {
  const machine = describeMachine(join(ROOT, 'node_modules', '.bin', 'node'));
  let jar: string | null = null;
  const verification: { generatorChecksum: Verification['generatorChecksum'] } = { generatorChecksum: null };
  if (smoke) log(`smoke run (${runs} run(s) of ${measureSeconds} s after ${warmupSeconds} s): figures are printed, never written`);

  if (systems.has('flink')) {
    jar = await ensureFlinkJar(log);
    const checkEvents = 100_000;
    const { ts, java } = await generatorChecksumMatches(jar, seed, checkEvents);
    verification.generatorChecksum = { events: checkEvents, typescript: ts, java, equal: ts === java };
    if (ts !== java) throw new Error(`MR_ERR_BENCH_GENERATOR_MISMATCH: the Java generator differs from the TypeScript one (checksums ${java} vs ${ts}); fix bench/flink before comparing speeds`);
    log(`generator cross-check: first ${checkEvents} events have checksum ${ts} in TypeScript and Java`);
  }

  const results: QueryResult[] = [];
  for (const row of rows) {
    log(`${row.row}: ${row.millraceJob} against the Flink peer's ${row.query}`);
    const source = sourceOf(ROOT);
    const sampler = sampleLoad();
    let measured: QueryResult;
    let loadAverage: LoadSample | null;
    try {
      measured = await measureRow(jar, row);
    } finally {
      loadAverage = sampler.stop();
    }
    const result: QueryResult = { ...measured, measuredAt: new Date().toISOString(), loadAverage, source };
    results.push(result);
    log(`${row.row}: plans ${result.plans === null ? 'not compared' : result.plans.same ? 'the same' : `differ at ${result.plans.differences.length} step(s)`}; M/F per core ${result.ratioMillraceToFlinkPerCore ?? 'n/a'}`);
  }

  const flinkVersion = jar === null ? null : /<flink\.version>([^<]+)</.exec(readFileSync(join(ROOT, 'bench', 'flink', 'pom.xml'), 'utf8'))?.[1] ?? null;
  const settings: BenchSettings = {
    parallelism, taskmanagers, seed, eventsPerSecond, runs, warmupSeconds, measureSeconds, windows: WINDOWS, verifyEvents: VERIFY_EVENTS,
    latency: options['no-latency'] ? null : { parallelism: LATENCY_PARALLELISM, loadFraction: LOAD_FRACTION, seconds: latencySeconds, warmupSeconds: latencyWarmupSeconds },
    flink: { version: flinkVersion, objectReuse: true, latencyWatermarkIntervalMs: FLINK_LATENCY_TUNING.watermarkIntervalMs, latencyBufferTimeoutMs: FLINK_LATENCY_TUNING.bufferTimeoutMs },
  };
  const report: BenchReport = { generatedAt: new Date().toISOString(), machine, settings, verification, queries: results };
  process.stdout.write(`${renderTable(results)}\n`);
  if (options['no-write'] || smoke) {
    log(`${smoke ? 'smoke run' : '--no-write'}: bench/results/nexmark.json and bench/RESULTS.md left as they were`);
    return;
  }
  const resultsJson = join(ROOT, 'bench', 'results', 'nexmark.json');
  const previousReport = existsSync(resultsJson) ? JSON.parse(readFileSync(resultsJson, 'utf8')) as BenchReport : null;
  const merged = mergeRows(previousReport && { settings: previousReport.settings, rows: previousReport.queries }, { settings: report.settings, rows: report.queries }, (q) => q.row);
  if (merged.kept.length > 0) log(`kept the earlier figures of ${merged.kept.join(', ')} (same settings, not measured in this run)`);
  const written: BenchReport = { ...report, queries: ROWS.flatMap((r) => merged.rows.filter((q) => q.row === r.row)), kept: merged.kept };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(resultsJson, `${JSON.stringify(written, null, 2)}\n`);
  const resultsFile = join(ROOT, 'bench', 'RESULTS.md');
  const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
  writeFileSync(resultsFile, replaceNexmarkSection(previous, renderResultsMarkdown(written)));
  log('wrote bench/results/nexmark.json and the Nexmark section of bench/RESULTS.md');
}

// every process started is stopped on return, error, SIGINT, SIGTERM and SIGHUP (bench/lib/children.ts)
await runBench(main, () => rmSync(workDir, { recursive: true, force: true }));
