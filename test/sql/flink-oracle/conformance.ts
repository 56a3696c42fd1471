// `npm run sql:conformance -- [--parallelism P] [--events N] [--seed S] [--queries q1,q2] [--write] [--results FILE]`:
// every Nexmark SQL query (test/sql/nexmark/queries, as the Nexmark project ships them) on Millrace
// and on the Flink SQL oracle over the same generated events, with sql:compare's machinery
// (prepare.ts, oracle.ts, compare.ts). Flink runs all queries in one job (an INSERT it refuses is
// reported, the others run); Millrace runs each query on its own. Prints a table (query, rows of
// each side, verdict) and writes it to --results (default .millrace/sql-conformance.md, not
// committed) or, with --write, to docs/sql/conformance.md. Exit code 1 when a comparable query
// differs or a side fails where the other runs.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createConnectorRegistry } from '../../../runtime/connectors/factory/index.ts';
import { parseScript } from '../../../runtime/sql/parser/index.ts';
import { nexmarkQueryNames, QUERIES_DIR } from '../nexmark/nexmark-queries.ts';
import { compareSinks, tieChecksFor, type SinkReport } from './compare.ts';
import { loadRunSqlFile, type MillraceSinkResult } from './millrace-side.ts';
import { planScript, processingTimeNode, type PlannedScript } from './millrace-plans.ts';
import { ensureOracleJar, runOracle, type OracleResult } from './oracle.ts';
import { prepareRun, type PreparedRun } from './prepare.ts';
import { withJavascriptPorts, type PortedFunction } from './udf-ports.ts';

const REPO = new URL('../../../', import.meta.url).pathname;
const NEXMARK_DDL = ['ddl_gen.sql', 'ddl_views.sql'].map((f) => readFileSync(path.join(QUERIES_DIR, f), 'utf8')).join(';\n');

export type Verdict = 'equal' | 'equal up to ties' | 'differs' | 'not comparable' | 'refused by both';

export interface QueryResult {
  readonly query: string;
  readonly millraceRows: string;
  readonly flinkRows: string;
  readonly verdict: Verdict;
  /** why, from what the run did */
  readonly detail: string;
  /** lines printed under the table for a difference */
  readonly lines: readonly string[];
}

/** Whether this verdict fails the run. */
export const failing = (v: Verdict): boolean => v === 'differs';

const firstLine = (message: string): string => message.split('\n').map((l) => l.trim()).filter((l) => l.length > 0).slice(0, 2).join(' / ');

/** Flink's message, reduced to what names the cause (Flink wraps it in "SQL validation failed" etc.). */
function flinkCause(error: string): string {
  const lines = error.split('\n').map((l) => l.replace(/^Caused by:\s*/, '').trim()).filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? error;
}

export interface MillraceSide {
  readonly prepared: PreparedRun;
  readonly sinks?: readonly MillraceSinkResult[];
  readonly error?: string;
  readonly plans?: PlannedScript;
  readonly ported: PortedFunction[];
}

/** The oracle's run of all queries; refused INSERTs named by their target table. */
export type FlinkRun = Omit<OracleResult, 'refused'> & { readonly refused: ReadonlyArray<{ statement: number; error: string; table: string }> };

/** Decides one query's verdict from both sides' facts. */
export async function judge(query: string, m: MillraceSide, flink: FlinkRun, parallelism: number): Promise<QueryResult> {
  const tables = m.prepared.sinks.map((s) => s.table);
  const refusedByFlink = flink.refused.filter((r) => tables.includes(r.table));
  const flinkSinks = flink.sinks.filter((s) => tables.includes(s.table));
  const flinkRows = refusedByFlink.length > 0 ? 'refused' : String(flinkSinks.reduce((n, s) => n + s.rows.length, 0));
  const base = { query, flinkRows, lines: [] as string[] };
  if (refusedByFlink.length > 0) {
    const why = flinkCause(refusedByFlink[0]!.error);
    if (m.error !== undefined) return { ...base, millraceRows: 'refused', verdict: 'refused by both', detail: `Flink 1.20 refuses it (${why}); Millrace refuses it too (${firstLine(m.error)})` };
    return { ...base, millraceRows: 'ran', verdict: 'differs', detail: `Flink 1.20 refuses it (${why}) but Millrace runs it` };
  }
  if (m.error !== undefined || m.sinks === undefined) return { ...base, millraceRows: 'failed', verdict: 'differs', detail: `Millrace failed: ${firstLine(m.error ?? 'no result')}` };

  let reports: SinkReport[] = compareSinks(m.prepared.sinks, flink.sinks, m.sinks);
  const millraceRows = String(reports.reduce((n, r) => n + (r.millraceRows ?? 0), 0));
  const proctime = [...(m.plans?.trees.values() ?? [])].map(processingTimeNode).find((n) => n !== undefined);
  if (proctime !== undefined) {
    return {
      ...base, millraceRows, verdict: 'not comparable',
      detail: `processing time: ${proctime} groups rows by the wall clock of each run, so the windows differ between any two runs (both ran; Flink emits only the windows that closed while its job ran, Millrace also the windows still open when the bounded input ends)`,
    };
  }
  if (reports.some((r) => !r.equal) && m.plans !== undefined) {
    const ties = await tieChecksFor(reports, m.prepared.sinks, m.plans, parallelism);
    if (ties.size > 0) reports = compareSinks(m.prepared.sinks, flink.sinks, m.sinks, ties);
  }
  const ported = m.ported.map((p) => `${p.name}: Flink ran the Java class ${p.javaClass} (oracle jar), Millrace its JAVASCRIPT port ${p.port}`).join('; ');
  const withPorts = (text: string): string => (ported ? `${text}; ${ported}` : text);
  if (reports.every((r) => r.equal)) {
    const tied = reports.find((r) => r.upToTies);
    if (tied) return { ...base, millraceRows, verdict: 'equal up to ties', detail: withPorts(tied.lines[0]!.replace(/^INSERT INTO \S+: equal up to ties \(\d+ rows; /, '').replace(/\)$/, '')), lines: [] };
    return { ...base, millraceRows, verdict: 'equal', detail: withPorts(reports.map((r) => r.lines[0]!.replace(/^INSERT INTO (\S+): equal \((.*)\)$/, '$1: $2')).join('; ')) };
  }
  return { ...base, millraceRows, verdict: 'differs', detail: withPorts('first differing rows below'), lines: reports.filter((r) => !r.equal).flatMap((r) => r.lines) };
}

/** The Markdown table (and differences) the run prints and writes. */
export function formatResults(results: readonly QueryResult[], run: { events: number; seed: number; parallelism: number; flinkVersion: string; date: string }): string {
  const counts = new Map<Verdict, number>();
  for (const r of results) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  const cell = (s: string): string => s.replaceAll('|', '\\|');
  return [
    `# SQL conformance: Nexmark queries on Millrace and on Flink SQL ${run.flinkVersion}`,
    '',
    `\`npm run sql:conformance -- --events ${run.events} --seed ${run.seed} --parallelism ${run.parallelism}\`, ${run.date}.`,
    `Millrace at parallelism ${run.parallelism}, Flink at parallelism 1 (all queries in one job), the same ${run.events} Nexmark events (seed ${run.seed}).`,
    'Rows: final rows (changelog applied; by primary key for upsert sinks).',
    '',
    '| query | Millrace rows | Flink rows | verdict | detail |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.query} | ${r.millraceRows} | ${r.flinkRows} | ${r.verdict} | ${cell(r.detail)} |`),
    '',
    `Summary: ${[...counts].map(([v, n]) => `${n} ${v}`).join(', ')}.`,
    ...results.filter((r) => r.lines.length > 0).flatMap((r) => ['', `## ${r.query}`, '', '```', ...r.lines, '```']),
    '',
  ].join('\n');
}

export async function runMillrace(query: string, text: string, root: string, o: { events: number; seed: number; parallelism: number }): Promise<MillraceSide> {
  const { sql, ported } = withJavascriptPorts(text);
  const workDir = path.join(root, query);
  mkdirSync(workDir, { recursive: true });
  const prepared = await prepareRun(`${NEXMARK_DDL};\n${sql}`, createConnectorRegistry(), { events: o.events, seed: o.seed, workDir });
  const runSqlFile = await loadRunSqlFile();
  if ('unavailable' in runSqlFile) return { prepared, error: runSqlFile.unavailable, ported };
  let plans: PlannedScript | undefined;
  try {
    plans = planScript(prepared.millraceSql, REPO);
  } catch (err) {
    return { prepared, error: (err as Error).message, ported };
  }
  try {
    const { sinks } = await runSqlFile(prepared.millraceSql, { parallelism: o.parallelism, collectSinks: true, baseDir: REPO });
    return { prepared, sinks, plans, ported };
  } catch (err) {
    return { prepared, error: (err as Error).message, plans, ported };
  }
}

/** Flink: every query's statements in one job; an INSERT Flink refuses is reported by its target. */
export async function runFlink(queries: ReadonlyArray<{ query: string; text: string }>, root: string, o: { events: number; seed: number }): Promise<FlinkRun> {
  const workDir = path.join(root, 'flink');
  mkdirSync(workDir, { recursive: true });
  const prepared = await prepareRun(`${NEXMARK_DDL};\n${queries.map((q) => q.text.replace(/;?\s*$/, ';')).join('\n')}`, createConnectorRegistry(), { events: o.events, seed: o.seed, workDir });
  const result = await runOracle(prepared, workDir, ensureOracleJar((l) => console.log(l)), { skipRefused: true });
  return {
    ...result,
    refused: result.refused.map((r) => {
      const s = parseScript(prepared.flinkStatements[r.statement]!)[0]?.statement;
      return { ...r, table: s?.kind === 'insert' ? s.target.parts.join('.') : '' };
    }),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '42' },
      parallelism: { type: 'string', default: '2' },
      queries: { type: 'string' },
      write: { type: 'boolean', default: false },
      results: { type: 'string', default: '.millrace/sql-conformance.md' },
      'work-dir': { type: 'string' },
    },
  });
  const o = { events: Number(values.events), seed: Number(values.seed), parallelism: Number(values.parallelism) };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isInteger(v) || v < (k === 'seed' ? 0 : 1)) {
      console.error(`MR_ERR_CLI: --${k} must be a ${k === 'seed' ? 'non-negative' : 'positive'} integer, got '${values[k as keyof typeof values] as string}'`);
      return 2;
    }
  }
  const all = nexmarkQueryNames();
  const wanted = values.queries === undefined ? all : values.queries.split(',').map((q) => q.trim());
  const unknown = wanted.filter((q) => !all.includes(q));
  if (unknown.length > 0) {
    console.error(`MR_ERR_CLI: --queries: no Nexmark query ${unknown.join(', ')}; the queries are ${all.join(', ')}`);
    return 2;
  }
  const queries = wanted.map((query) => ({ query, text: readFileSync(path.join(QUERIES_DIR, `${query}.sql`), 'utf8') }));
  const root = values['work-dir'] ?? mkdtempSync(path.join(tmpdir(), 'millrace-sql-conformance-'));
  mkdirSync(root, { recursive: true });
  console.log(`${queries.length} Nexmark queries, ${o.events} events, seed ${o.seed}, Millrace at parallelism ${o.parallelism}; files in ${root}`);

  const flink = await runFlink(queries, root, o);
  console.log(`Flink ${flink.flinkVersion}: ${queries.length - flink.refused.length} INSERTs ran in ${flink.seconds.toFixed(1)} s, ${flink.refused.length} refused`);
  const results: QueryResult[] = [];
  for (const q of queries) {
    const started = Date.now();
    const m = await runMillrace(q.query, q.text, root, o);
    const r = await judge(q.query, m, flink, o.parallelism);
    console.log(`${q.query}: ${r.verdict} (Millrace ${r.millraceRows}, Flink ${r.flinkRows}; ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    results.push(r);
  }
  const text = formatResults(results, { ...o, flinkVersion: flink.flinkVersion, date: new Date().toISOString().slice(0, 10) });
  console.log(`\n${text}`);
  const file = values.write ? path.join(REPO, 'docs', 'sql', 'conformance.md') : path.resolve(values.results);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`written to ${file}`);
  const failures = results.filter((r) => failing(r.verdict));
  if (failures.length > 0) console.log(`FAILED: ${failures.map((r) => r.query).join(', ')} differ`);
  return failures.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((code) => process.exit(code), (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
