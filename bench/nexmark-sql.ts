// `npm run bench:nexmark-sql`: the Nexmark SQL queries (test/sql/nexmark/queries, the files
// `npm run sql:conformance` runs) on Millrace SQL (`millrace run <file>.sql`) and on Flink SQL
// (bench/flink-sql's SqlBench: the same statements in one TableEnvironment, local mini-cluster),
// the same SQL text on both sides, measured as `npm run bench:nexmark` measures (bench/lib).
//
// Per run: the outputs of every selected query verified first (bench/lib/sql-verify.ts; a mismatch
// fails the run); then per query its plans on both sides and `--runs` runs per side, alternating,
// each `--warmup-seconds` of warm-up and `--measure-seconds` measured (events and CPU of every
// process from /proc over exactly that window). Writes bench/results/nexmark-sql.json and the
// Nexmark SQL section of bench/RESULTS.md (queries of an earlier run with the same settings that
// this run did not measure are kept, each with its own time and load average); not with
// --no-write, nor for smoke runs (shorter than 3 runs of 30 s after 10 s of warm-up).
//
//   npm run bench:nexmark-sql -- [--queries q0,q1,q2,q5,q7] [--runs 3] [--measure-seconds 30]
//     [--warmup-seconds 10] [--parallelism 2] [--taskmanagers 2] [--verify-events 100000] [--seed 42]
//     [--no-verify] [--no-write]

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildStreamGraph } from '../runtime/api/environment.ts';
import { createConnectorRegistry } from '../runtime/connectors/factory/index.ts';
import { buildJobGraph } from '../runtime/graph/job-graph.ts';
import { parseScript } from '../runtime/sql/parser/index.ts';
import { sqlScriptJob } from '../runtime/sql/physical/sql-job.ts';
import { judge, runFlink, runMillrace } from '../test/sql/flink-oracle/conformance.ts';
import { ensureOracleJar, FLINK_VERSION, runOracle, type OracleResult } from '../test/sql/flink-oracle/oracle.ts';
import { prepareRun } from '../test/sql/flink-oracle/prepare.ts';
import { nexmarkPlaceholders, replaceWithClause, substitutePlaceholders } from '../test/sql/flink-oracle/sql-text.ts';
import { nexmarkQueryNames, QUERIES_DIR } from '../test/sql/nexmark/nexmark-queries.ts';
import { runBench } from './lib/children.ts';
import { javaArgs } from './lib/flink.ts';
import { describeMachine } from './lib/machine.ts';
import { millraceCommand } from './lib/millrace.ts';
import { isSmokeRun, MIN_MEASURE_SECONDS, MIN_RUNS, MIN_WARMUP_SECONDS } from './lib/report.ts';
import { figuresOf, perCoreRatio, type SystemOutcome } from './lib/results.ts';
import { runCaptured } from './lib/run-process.ts';
import { sampleLoad, sourceOf, type LoadSample } from './lib/run-facts.ts';
import { mergeQueries, renderSqlSection, renderSqlTable, replaceSqlSection, sqlTargetRatio, type SqlBenchReport, type SqlBenchSettings, type SqlQueryResult } from './lib/sql-report.ts';
import { verifySqlQuery, type SqlVerification } from './lib/sql-verify.ts';
import type { WindowFigures } from './lib/window.ts';
import { measureFlinkWindow, measureMillraceWindow } from './lib/window-run.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const SQL_BENCH_CLASS = 'dev.millrace.sqloracle.SqlBench';
/** Flink's configuration besides the statements: object reuse, as the Nexmark project's flink-conf and bench:nexmark's Flink peer */
const FLINK_CONFIGURATION = { 'pipeline.object-reuse': 'true' };
/** Why a query is not benchmarked: its result is not comparable, or the two sides would not run the same statements. */
const NOT_BENCHMARKED: Readonly<Record<string, string>> = {
  q6: 'Flink SQL 1.20 refuses it (sql:conformance: refused by both)',
  q10: 'it writes every bid to files (the filesystem sink): a disk benchmark, left out of the default list',
  q12: 'processing-time windows: the results of two runs are not comparable (sql:conformance: not comparable)',
  q14: 'its Java UDF CountChar runs on Flink, a JAVASCRIPT port on Millrace: not the same statements',
};
const DEFAULT_QUERIES = nexmarkQueryNames().filter((q) => NOT_BENCHMARKED[q] === undefined);
const RESULTS_JSON = join(ROOT, 'bench', 'results', 'nexmark-sql.json');

const { values: options } = parseArgs({
  options: {
    queries: { type: 'string', default: DEFAULT_QUERIES.join(',') },
    runs: { type: 'string', default: String(MIN_RUNS) },
    'measure-seconds': { type: 'string', default: String(MIN_MEASURE_SECONDS) },
    'warmup-seconds': { type: 'string', default: String(MIN_WARMUP_SECONDS) },
    parallelism: { type: 'string', default: '2' },
    taskmanagers: { type: 'string', default: '2' },
    'verify-events': { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    'no-verify': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`MR_ERR_BENCH_OPTION: --${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

const queries = options.queries.split(',').map((q) => q.trim());
for (const q of queries) {
  if (!nexmarkQueryNames().includes(q)) throw new Error(`MR_ERR_BENCH_OPTION: --queries has unknown query "${q}"; the Nexmark queries are ${nexmarkQueryNames().join(',')}`);
  if (NOT_BENCHMARKED[q] !== undefined && q !== 'q10') throw new Error(`MR_ERR_BENCH_OPTION: --queries: ${q} is not benchmarked: ${NOT_BENCHMARKED[q]}`);
}
const settings: SqlBenchSettings = {
  parallelism: positiveInteger('parallelism', options.parallelism),
  taskmanagers: positiveInteger('taskmanagers', options.taskmanagers),
  runs: positiveInteger('runs', options.runs),
  warmupSeconds: positiveInteger('warmup-seconds', options['warmup-seconds'], 0),
  measureSeconds: positiveInteger('measure-seconds', options['measure-seconds']),
  verifyEvents: positiveInteger('verify-events', options['verify-events']),
  seed: positiveInteger('seed', options.seed, 0),
  flinkVersion: FLINK_VERSION,
  flinkConfiguration: FLINK_CONFIGURATION,
};
const smoke = isSmokeRun(settings);
const log = (line: string) => process.stderr.write(`[bench:nexmark-sql] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'millrace-nexmark-sql-'));
const ddl = ['ddl_gen.sql', 'ddl_views.sql'].map((f) => readFileSync(join(QUERIES_DIR, f), 'utf8').trim().replace(/;?\s*$/, ';')).join('\n\n');
const placeholders = nexmarkPlaceholders(0, workDir);
const queryText = (q: string): string => readFileSync(join(QUERIES_DIR, `${q}.sql`), 'utf8');

// ---- verification: the oracle, Flink with the benchmark's nexmark table, Millrace (bench/lib/sql-verify.ts)

/** Flink SQL on the same statements, its generated table the benchmark's in-JVM `nexmark` table bounded to the same events. */
async function flinkWithNexmarkTable(jar: string): Promise<OracleResult> {
  const dir = join(workDir, 'verify-flink-nexmark');
  mkdirSync(dir, { recursive: true });
  const prepared = await prepareRun(`${ddl}\n${queries.map((q) => queryText(q).replace(/;?\s*$/, ';')).join('\n')}`, createConnectorRegistry(), { events: settings.verifyEvents, seed: settings.seed, workDir: dir });
  const generated = { connector: 'nexmark', 'events.num': String(settings.verifyEvents), seed: String(settings.seed) };
  const flinkStatements = prepared.flinkStatements.map((s) => (prepared.inputs.some((i) => s.includes(i.file)) ? replaceWithClause(s, generated) : s));
  return runOracle({ ...prepared, flinkStatements }, dir, jar, { skipRefused: true });
}

async function verifyAll(jar: string): Promise<Map<string, SqlVerification>> {
  const root = join(workDir, 'verify');
  const o = { events: settings.verifyEvents, seed: settings.seed, parallelism: settings.parallelism };
  const texts = queries.map((query) => ({ query, text: queryText(query) }));
  log(`verification: ${queries.join(', ')} on ${o.events} events: the conformance oracle (Flink reading Millrace's events from a file)`);
  const oracle = await runFlink(texts, root, o);
  log('verification: Flink with the benchmark\'s nexmark table');
  const flink = await flinkWithNexmarkTable(jar);
  const out = new Map<string, SqlVerification>();
  for (const { query, text } of texts) {
    const m = await runMillrace(query, text, root, o);
    const verdict = await judge(query, m, oracle, o.parallelism);
    const tables = m.prepared.sinks.map((s) => s.table);
    const v = verifySqlQuery({ events: o.events, tables, oracle: oracle.sinks, flink: flink.sinks, millrace: { rows: verdict.millraceRows, verdict: verdict.verdict, detail: verdict.detail } });
    log(`${query}: oracle ${v.oracle.rows} rows ${v.oracle.checksum}; Flink ${v.flink.rows} rows ${v.flink.checksum}; Millrace ${v.millrace.rows} rows, ${v.millrace.verdict}${v.ok ? '' : `: ${v.problem}`}`);
    if (!v.ok) throw new Error(`MR_ERR_BENCH_WRONG_RESULT: ${query}: ${v.problem}; fix the query or the engine before comparing speeds${verdict.lines.length > 0 ? `\n${verdict.lines.slice(0, 10).join('\n')}` : ''}`);
    out.set(query, v);
  }
  return out;
}

// ---- plans: Millrace's tasks from the file, Flink's optimized execution plan

function millraceTasks(sqlFile: string): { tasks: string[]; scans: number } {
  const graph = buildJobGraph(buildStreamGraph(sqlScriptJob(sqlFile), settings.parallelism, {}));
  return { tasks: graph.vertices.map((v) => v.name), scans: graph.vertices.filter((v) => v.isSource && v.name.includes('TableSourceScan(datagen)')).length };
}

async function flinkPlan(jar: string, planFile: string): Promise<string[]> {
  const out = await runCaptured('java', [...javaArgs(jar, 1, SQL_BENCH_CLASS), planFile, '--explain'], { timeoutMs: 300_000 });
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.startsWith('== Optimized Execution Plan =='));
  return (at < 0 ? lines : lines.slice(at + 1)).filter((l) => l.trim().length > 0);
}

// ---- one query: plans, runs on both sides

async function measureQuery(jar: string, query: string, verification: SqlVerification | null): Promise<SqlQueryResult> {
  const statement = substitutePlaceholders(queryText(query), placeholders);
  const script = `${substitutePlaceholders(ddl, placeholders)}\n\n${statement}`;
  const sqlFile = join(workDir, `${query}.sql`);
  writeFileSync(sqlFile, script);
  const planFile = join(workDir, `${query}-flink.json`);
  writeFileSync(planFile, JSON.stringify({ statements: parseScript(script).map((s) => s.text), parallelism: settings.parallelism, configuration: FLINK_CONFIGURATION }, null, 2));
  const { tasks, scans } = millraceTasks(sqlFile);
  const flinkExecutionPlan = await flinkPlan(jar, planFile);

  const sampler = sampleLoad();
  let loadAverage: LoadSample | null;
  const figures: { flink: WindowFigures[]; millrace: WindowFigures[] } = { flink: [], millrace: [] };
  const failed: { flink?: string; millrace?: string } = {};
  const windowOptions = { warmupSeconds: settings.warmupSeconds, measureSeconds: settings.measureSeconds, cwd: ROOT, log };
  try {
    for (let i = 0; i < settings.runs; i++) {
      if (failed.flink === undefined) {
        const r = await measureFlinkWindow([...javaArgs(jar, 3, SQL_BENCH_CLASS), planFile], windowOptions);
        if (r.ok) figures.flink.push(r.figures);
        else failed.flink = r.reason;
        log(`${query} flink run ${i + 1}/${settings.runs}: ${r.ok ? JSON.stringify(r.figures) : r.reason}`);
      }
      if (failed.millrace === undefined) {
        const { command, args } = millraceCommand(ROOT, {
          job: sqlFile, parallelism: settings.parallelism, taskmanagers: settings.taskmanagers, checkpointIntervalMs: 0,
          summaryFile: join(workDir, `millrace-${query}-${i}.json`), parameters: {},
        });
        const r = await measureMillraceWindow(command, args, { ...windowOptions, sourceScans: Math.max(1, scans) });
        if (r.ok) figures.millrace.push(r.figures);
        else failed.millrace = r.reason;
        log(`${query} millrace run ${i + 1}/${settings.runs}: ${r.ok ? JSON.stringify(r.figures) : r.reason}`);
      }
    }
  } finally {
    loadAverage = sampler.stop();
  }
  const outcome = (system: 'flink' | 'millrace', planTasks: string[]): SystemOutcome => {
    const plan = { logical: [], implementation: [], tasks: planTasks };
    if (failed[system] !== undefined) return { status: 'failed', reason: failed[system]!, plan };
    return { status: 'ok', runs: figures[system], plan, latency: { status: 'not measured', reason: 'bench:nexmark-sql measures throughput' } };
  };
  const flink = figuresOf(outcome('flink', flinkExecutionPlan));
  const millrace = figuresOf(outcome('millrace', tasks));
  const { ratio, range } = perCoreRatio(millrace, flink);
  const targetRatio = sqlTargetRatio(query);
  return {
    query, statement, measuredAt: new Date().toISOString(),
    loadAverage,
    millraceTasks: tasks, millraceSourceScans: scans, flinkPlan: flinkExecutionPlan, flink, millrace,
    ratioMillraceToFlinkPerCore: ratio, ratioRange: range, targetRatio, targetMet: ratio === null ? null : ratio >= targetRatio, verification,
  };
}

async function main(): Promise<void> {
  const machine = describeMachine(join(ROOT, 'node_modules', '.bin', 'node'));
  if (smoke) log(`smoke run (${settings.runs} run(s) of ${settings.measureSeconds} s after ${settings.warmupSeconds} s): figures are printed, never written`);
  const jar = ensureOracleJar(log);
  const verified = options['no-verify'] ? new Map<string, SqlVerification>() : await verifyAll(jar);
  const results: SqlQueryResult[] = [];
  for (const query of queries) {
    log(`${query}: measuring (load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')})`);
    const source = sourceOf(ROOT);
    const result = { ...await measureQuery(jar, query, verified.get(query) ?? null), source };
    results.push(result);
    log(`${query}: M/F per core ${result.ratioMillraceToFlinkPerCore ?? 'n/a'}`);
  }
  const report: SqlBenchReport = { generatedAt: new Date().toISOString(), machine, settings, ddl: substitutePlaceholders(ddl, placeholders), queries: results };
  process.stdout.write(`${renderSqlTable(results)}\n`);
  if (options['no-write'] || smoke) {
    log(`${smoke ? 'smoke run' : '--no-write'}: bench/results/nexmark-sql.json and bench/RESULTS.md left as they were`);
    return;
  }
  const previous = existsSync(RESULTS_JSON) ? JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as SqlBenchReport : null;
  const merged = mergeQueries(previous, report);
  if (merged.kept.length > 0) log(`kept the earlier figures of ${merged.kept.join(', ')} (same settings, not measured in this run)`);
  const written: SqlBenchReport = { ...report, queries: merged.queries };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS_JSON, `${JSON.stringify(written, null, 2)}\n`);
  const resultsFile = join(ROOT, 'bench', 'RESULTS.md');
  writeFileSync(resultsFile, replaceSqlSection(existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '', renderSqlSection(written)));
  log('wrote bench/results/nexmark-sql.json and the Nexmark SQL section of bench/RESULTS.md');
}

// every process started is stopped on return, error, SIGINT, SIGTERM and SIGHUP (bench/lib/children.ts)
await runBench(main, () => rmSync(workDir, { recursive: true, force: true }));
