// bench/results/nexmark-sql.json and the Nexmark SQL section of bench/RESULTS.md (pure). Every
// sentence about what ran comes from the run: the SQL text of the file each side ran, the tasks
// Millrace built from it, the execution plan Flink's planner printed for it, the verification's
// row counts and checksums, and the load average sampled while each query was measured.

import type { MachineDescription } from './machine.ts';
import { isSmokeRun, MIN_MEASURE_SECONDS, MIN_RUNS, MIN_WARMUP_SECONDS, replaceMarkedSection } from './report.ts';
import type { SystemFigures } from './results.ts';
import { busyBeyondItself, loadText, mergeRows, sourceText, type LoadSample, type SourceTree } from './run-facts.ts';
import { formatSpread } from './stats.ts';
import type { SqlVerification } from './sql-verify.ts';

export interface SqlBenchSettings {
  readonly parallelism: number;
  readonly taskmanagers: number;
  readonly runs: number;
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly verifyEvents: number;
  readonly seed: number;
  readonly flinkVersion: string;
  /** what the Flink side's TableEnvironment got besides the statements */
  readonly flinkConfiguration: Readonly<Record<string, string>>;
}

export interface SqlQueryResult {
  readonly query: string;
  /** the query file as it ran on both sides (Nexmark's ${...} placeholders substituted) */
  readonly statement: string;
  readonly measuredAt: string;
  /** 1-minute load average sampled every few seconds while this query ran */
  readonly loadAverage: LoadSample | null;
  /** the checkout Millrace ran from: its commit and the files under runtime/ that differed from it */
  readonly source?: SourceTree;
  /** Millrace's tasks (operator chains) built from the file, and how many of them scan the generated table */
  readonly millraceTasks: readonly string[];
  readonly millraceSourceScans: number;
  /** Flink's "Optimized Execution Plan" for the file (StatementSet#explain) */
  readonly flinkPlan: readonly string[];
  readonly flink: SystemFigures;
  readonly millrace: SystemFigures;
  readonly ratioMillraceToFlinkPerCore: number | null;
  readonly ratioRange: readonly [number, number] | null;
  /** issue 11: at least Flink's events/s per core on every query, 2x on q0-q2 */
  readonly targetRatio: number;
  readonly targetMet: boolean | null;
  readonly verification: SqlVerification | null;
}

export interface SqlBenchReport {
  readonly generatedAt: string;
  readonly machine: MachineDescription;
  readonly settings: SqlBenchSettings;
  /** ddl_gen.sql and ddl_views.sql as they ran before every query */
  readonly ddl: string;
  readonly queries: readonly SqlQueryResult[];
}

export function sqlTargetRatio(query: string): number {
  return ['q0', 'q1', 'q2'].includes(query) ? 2 : 1;
}

const queryNumber = (q: string): number => Number(/\d+/.exec(q)?.[0] ?? 0);

/**
 * The queries of this run plus those of the previous report that this run did not measure, when
 * both were measured with the same settings (a long run split into several under the cluster
 * lock); each query keeps its own time and load average. Ordered by query number.
 */
export function mergeQueries(previous: SqlBenchReport | null, current: SqlBenchReport): { queries: SqlQueryResult[]; kept: string[] } {
  const merged = mergeRows(previous && { settings: previous.settings, rows: previous.queries }, { settings: current.settings, rows: current.queries }, (q) => q.query);
  const queries = merged.rows.sort((a, b) => queryNumber(a.query) - queryNumber(b.query) || a.query.localeCompare(b.query));
  return { queries, kept: merged.kept };
}

export const SQL_SECTION_BEGIN = '<!-- nexmark-sql:begin (written by npm run bench:nexmark-sql) -->';
export const SQL_SECTION_END = '<!-- nexmark-sql:end -->';

export function replaceSqlSection(previous: string, section: string): string {
  return replaceMarkedSection(previous, section, SQL_SECTION_BEGIN, SQL_SECTION_END, 'last');
}
const spread = formatSpread;

export function sqlTableRows(results: readonly SqlQueryResult[]): string[][] {
  return results.flatMap((r) => (['flink', 'millrace'] as const).map((system) => {
    const f = r[system];
    const m = system === 'millrace';
    return [
      m ? '' : r.query,
      system,
      f.available ? spread(f.eventsPerSecond) : (f.reason ?? 'n/a'),
      f.available && f.cores ? f.cores.median.toFixed(2) : '',
      f.available ? spread(f.eventsPerSecondPerCore) : '',
      f.available ? (f.channelRecordsPerEvent === null ? 'not measured' : f.channelRecordsPerEvent.toFixed(3)) : '',
      m && r.ratioMillraceToFlinkPerCore !== null ? `${r.ratioMillraceToFlinkPerCore.toFixed(2)} (${r.ratioRange![0].toFixed(2)}–${r.ratioRange![1].toFixed(2)})` : '',
      m ? `>= ${r.targetRatio}: ${r.targetMet === null ? 'unknown' : r.targetMet ? 'met' : 'NOT met'}` : '',
    ];
  }));
}

const HEADERS = ['query', 'system', 'events/s median (min–max)', 'cores', 'events/s per core median (min–max)', 'channel records/event', 'M/F per core (range)', 'target'];

export function renderSqlTable(results: readonly SqlQueryResult[]): string {
  const rows = [HEADERS, ...sqlTableRows(results)];
  const widths = HEADERS.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}

function markdownTable(results: readonly SqlQueryResult[]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  return [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`, ...sqlTableRows(results).map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function verificationLine(r: SqlQueryResult): string {
  const v = r.verification;
  if (v === null) return `- ${r.query}: not verified (--no-verify)`;
  return `- ${r.query}: first ${v.events.toLocaleString('en-US')} events; oracle ${v.oracle.rows} rows (checksum ${v.oracle.checksum}); `
    + `Flink ${v.flink.rows} rows (checksum ${v.flink.checksum}, ${v.flink.equalToOracle ? 'equal to the oracle' : 'DIFFERENT from the oracle'}); `
    + `Millrace ${v.millrace.rows ?? 'no'} rows, ${v.millrace.verdict}${v.millrace.verdict === 'equal' ? '' : ` (${v.millrace.detail})`}; row counts ${v.rowCountsEqual ? 'equal' : 'DIFFERENT'}`;
}

function queryText(r: SqlQueryResult): string {
  return [
    `### ${r.query}`,
    '',
    `Measured ${r.measuredAt}; 1-minute load average during its runs ${loadText(r.loadAverage)}.${r.source === undefined ? '' : ` ${sourceText(r.source)}.`}`,
    '',
    'Statement (the same text on both sides):',
    '',
    '```sql',
    r.statement.trim(),
    '```',
    '',
    `- Millrace tasks (${r.millraceSourceScans} scan${r.millraceSourceScans === 1 ? '' : 's'} of \`datagen\`): ${r.millraceTasks.map((t) => `\`${t}\``).join(', ')}`,
    '- Flink optimized execution plan:',
    '',
    '```',
    ...r.flinkPlan,
    '```',
  ].join('\n');
}

export function renderSqlSection(report: SqlBenchReport): string {
  const { machine, settings } = report;
  const smoke = isSmokeRun(settings);
  const loads = report.queries.flatMap((q) => (q.loadAverage ? [q.loadAverage.max] : []));
  const busy = loads.length > 0 && busyBeyondItself(Math.max(...loads), machine.logicalCpus);
  const missing = report.queries.flatMap((q) => (['flink', 'millrace'] as const).filter((s) => !q[s].available).map((s) => `- ${q.query} ${s}: ${q[s].reason}`));
  return `${SQL_SECTION_BEGIN}
# Nexmark SQL: Millrace SQL against Flink SQL

Latest figures of \`npm run bench:nexmark-sql\` (\`bench/nexmark-sql.ts\`), generated ${report.generatedAt}.
Raw figures: \`bench/results/nexmark-sql.json\`.${smoke ? `

**Smoke run, not figures:** ${settings.runs} run(s) of ${settings.measureSeconds} s after ${settings.warmupSeconds} s of warm-up (figures need at least ${MIN_RUNS} runs of ${MIN_MEASURE_SECONDS} s after ${MIN_WARMUP_SECONDS} s).` : ''}${busy ? `

**The machine was not idle:** the 1-minute load average reached ${Math.max(...loads).toFixed(2)} on ${machine.logicalCpus} logical CPUs while queries
were measured (per query below), of which the benchmark's own processes account for at most about ${machine.logicalCpus}; other work competed
for the same cores, so these figures are noisier than an idle machine's.` : ''}

## Machine

- CPU: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs; memory ${machine.memoryGiB} GiB
- OS: ${machine.os}, kernel ${machine.kernel}
- Node.js ${machine.node} (Millrace), ${machine.java} (Flink ${settings.flinkVersion})
- Load average when the run started: ${machine.loadAverageAtStart.join(' / ')}

## Method

- Both sides run the same SQL text: the Nexmark project's \`ddl_gen.sql\` and \`ddl_views.sql\`, then the query file
  (\`test/sql/nexmark/queries\`, as \`npm run sql:conformance\` runs them), with the project's placeholders set to
  TPS 10000 and EVENTS_NUM 0 (an unbounded \`nexmark\` table, no rate limit), the query's own sink (blackhole).
  Millrace: \`millrace run <file>.sql\` (JobManager and ${settings.taskmanagers} TaskManager processes, parallelism ${settings.parallelism}, no checkpoints).
  Flink ${settings.flinkVersion}: the statements in one TableEnvironment on a local mini-cluster in one JVM at parallelism ${settings.parallelism}
  (\`bench/flink-sql\`, \`SqlBench\`), configuration ${Object.entries(settings.flinkConfiguration).map(([k, v]) => `\`${k}\` = \`${v}\``).join(', ') || 'defaults'}, no checkpoints; its \`nexmark\`
  table is bench/flink's Java port of Millrace's generator (cross-checked by \`npm run bench:nexmark\`, and by the verification below).
- Per query ${settings.runs} run(s) per side, alternating; each run: ${settings.warmupSeconds} s of warm-up, then a window of ${settings.measureSeconds} s
  measured as \`npm run bench:nexmark\` measures it (\`bench/lib/window-run.ts\`): events the \`nexmark\` sources emitted and
  CPU ticks (utime+stime, reaped children included) of every process of the side from \`/proc\` at the window's start
  and end (Flink: the JVM; Millrace: runner, JobManager, TaskManagers). events/s per core = events / CPU seconds.
  Median over the runs with min–max and spread ((max − min) / median). Where Millrace's plan scans the table more
  than once (no source reuse; Flink reuses one scan), its events are the sources' records / the number of scans.
- Channel records per event: records non-source tasks received over channels / events (as in bench:nexmark).

## Verification

Before any speed is measured, each query runs on the first ${settings.verifyEvents.toLocaleString('en-US')} events (seed ${settings.seed}) three ways: the
conformance oracle (Flink SQL reading the events Millrace's \`nexmark\` connector generated, from a file; parallelism 1),
Flink SQL with the benchmark's in-JVM \`nexmark\` table (the measured Flink runs' source; parallelism 1), and Millrace SQL
in process (parallelism ${settings.parallelism}, collecting sinks; judged against the oracle as \`sql:conformance\` judges it). Flink's
final rows must have the oracle's checksum, Millrace's must be equal (or equal up to Top-N ties), and the row
counts equal; a mismatch fails the benchmark.

${report.queries.map(verificationLine).join('\n')}

## Results

${markdownTable(report.queries)}

Targets (issue 11): at least Flink SQL's events/s per core on every query both run, at least 2× on q0–q2.
${missing.length > 0 ? `\n### Missing figures\n\n${missing.join('\n')}\n` : ''}
## Statements and plans

The DDL before every query:

\`\`\`sql
${report.ddl.trim()}
\`\`\`

${report.queries.map(queryText).join('\n\n')}
${SQL_SECTION_END}
`;
}
