// `npm run sql:compare -- FILE.sql [--events N] [--seed S] [--parallelism P] [--work-dir DIR]`:
// runs a SQL file on Flink SQL (the oracle, bench/flink-sql) and on Millrace over the same
// generated events, and prints per INSERT whether the final results (changelog applied; by
// primary key for upsert sinks) are equal, with the first differing rows when not. Exits 1 on any
// difference, on a failure of either side, or when the Millrace side is not available.
// A file that uses the Nexmark views (bid, auction, person) without creating them gets the
// Nexmark project's ddl_gen.sql and ddl_views.sql in front, as the Nexmark runner does.

import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createConnectorRegistry } from '../../../runtime/connectors/factory/index.ts';
import { applyChangelog, canonicalChangelog } from './canonical.ts';
import { diffRows } from './diff.ts';
import { loadRunSqlFile, type MillraceSinkResult } from './millrace-side.ts';
import { ensureOracleJar, runOracle, type OracleSinkResult } from './oracle.ts';
import { prepareRun, type SinkTable } from './prepare.ts';
import { planScript, runTree, type PlannedScript } from './millrace-plans.ts';
import { candidatesTree, compareUpToTies, tieKeysOf, type TieKeys } from './ties.ts';
import { withJavaClasses } from './udf-ports.ts';

const NEXMARK_DDL = ['ddl_gen.sql', 'ddl_views.sql'].map((f) => new URL(`../nexmark/queries/${f}`, import.meta.url));

/** Whether the file reads the Nexmark views without defining the Nexmark table. */
export function needsNexmarkDdl(sql: string): boolean {
  const createsNexmark = /'connector'\s*=\s*'nexmark'/i.test(sql) || /create\s+(temporary\s+)?view\s+`?(bid|auction|person)`?\b/i.test(sql);
  return !createsNexmark && /\b(from|join|table)\s+`?(bid|auction|person|datagen)`?\b/i.test(sql);
}

export interface SinkReport {
  readonly table: string;
  readonly equal: boolean;
  /** equal only as Flink's semantics allow a Top-N with ties (ties.ts) */
  readonly upToTies?: boolean;
  /** final rows of each side (absent when a side returned nothing) */
  readonly flinkRows?: number;
  readonly millraceRows?: number;
  /** what sql:compare prints for this INSERT */
  readonly lines: string[];
}

/** A Top-N (or deduplication) sink's tie keys and its candidate rows (canonical, the Top-N's input). */
export interface TieCheck {
  readonly keys: TieKeys;
  readonly candidates: readonly string[];
}

/**
 * Per INSERT target: Millrace's changelog applied (by primary key for upsert sinks) against Flink's
 * final rows; a sink with a TieCheck that differs is compared again up to ties.
 */
export function compareSinks(sinks: readonly SinkTable[], flink: readonly OracleSinkResult[], millrace: readonly MillraceSinkResult[], ties: ReadonlyMap<string, TieCheck> = new Map()): SinkReport[] {
  return sinks.map((sink) => {
    const f = flink.find((s) => s.table === sink.table);
    const m = millrace.find((s) => s.table === sink.table);
    if (!f || !m) return { table: sink.table, equal: false, lines: [`INSERT INTO ${sink.table}: DIFFERENT: ${!f ? 'Flink' : 'Millrace'} returned no result for this table`] };
    const keys = sink.primaryKey.map((k) => sink.columns.findIndex((c) => c.name === k));
    const applied = applyChangelog(canonicalChangelog(sink.columns, m.changelog), keys);
    const d = diffRows(f.rows, applied.rows);
    const problems = [...f.problems.map((p) => `Flink: ${p}`), ...applied.problems.map((p) => `Millrace: ${p}`)];
    if (d.equal && problems.length === 0) {
      return { table: sink.table, equal: true, flinkRows: d.flinkRows, millraceRows: d.millraceRows, lines: [`INSERT INTO ${sink.table}: equal (${d.flinkRows} rows${keys.length > 0 ? `, upsert by ${sink.primaryKey.join(', ')}` : ''})`] };
    }
    const tie = ties.get(sink.table);
    if (tie !== undefined && problems.length === 0) {
      const t = compareUpToTies(f.rows, applied.rows, tie.keys, tie.candidates);
      const names = (cols: readonly number[]): string => cols.map((c) => sink.columns[c]!.name).join(', ');
      const keysText = `partition (${names(tie.keys.partition)}), order (${names(tie.keys.order)})${tie.keys.rank === undefined ? '' : `, row number (${names([tie.keys.rank])})`}`;
      if (t.equal) {
        return {
          table: sink.table, equal: true, upToTies: true, flinkRows: d.flinkRows, millraceRows: d.millraceRows,
          lines: [`INSERT INTO ${sink.table}: equal up to ties (${d.flinkRows} rows; ${t.tiedRows} rows differ from Flink's but have the same ${keysText} — ${tie.keys.node} keeps equal order keys in arrival order, which parallel subtasks do not fix; each of Millrace's rows is one of the ${tie.candidates.length} input rows)`],
        };
      }
      return {
        table: sink.table, equal: false, flinkRows: d.flinkRows, millraceRows: d.millraceRows,
        lines: [
          `INSERT INTO ${sink.table}: DIFFERENT, also up to ties (Flink ${d.flinkRows} rows, Millrace ${d.millraceRows} rows; compared on ${keysText} and against the ${tie.candidates.length} input rows of ${tie.keys.node})`,
          ...t.keys.onlyFlink.map((r) => `  keys only in Flink${r.times > 1 ? ` (${r.times}x)` : ''}:    ${r.row}`),
          ...t.keys.onlyMillrace.map((r) => `  keys only in Millrace${r.times > 1 ? ` (${r.times}x)` : ''}: ${r.row}`),
          ...t.notInInput.slice(0, 5).map((r) => `  not an input row:      ${r}`),
        ],
      };
    }
    return {
      table: sink.table,
      equal: false,
      flinkRows: d.flinkRows,
      millraceRows: d.millraceRows,
      lines: [
        `INSERT INTO ${sink.table}: DIFFERENT (Flink ${d.flinkRows} rows, Millrace ${d.millraceRows} rows)`,
        ...d.onlyFlink.map((r) => `  only in Flink${r.times > 1 ? ` (${r.times}x)` : ''}:    ${r.row}`),
        ...d.onlyMillrace.map((r) => `  only in Millrace${r.times > 1 ? ` (${r.times}x)` : ''}: ${r.row}`),
        ...problems.slice(0, 5).map((p) => `  ${p}`),
      ],
    };
  });
}

/**
 * Tie checks for the sinks that differ and whose plan keeps rows by a ROW_NUMBER order (ties.ts):
 * the candidate rows come from a Millrace run of the same plan without the Top-N.
 */
export async function tieChecksFor(reports: readonly SinkReport[], sinks: readonly SinkTable[], plans: PlannedScript, parallelism: number): Promise<Map<string, TieCheck>> {
  const checks = new Map<string, TieCheck>();
  for (const r of reports) {
    const tree = plans.trees.get(r.table);
    const sink = sinks.find((s) => s.table === r.table);
    if (r.equal || tree === undefined || sink === undefined || sink.primaryKey.length > 0) continue;
    const keys = tieKeysOf(tree);
    const root = keys && candidatesTree(tree);
    if (!keys || !root) continue;
    const changelog = await runTree(root, plans.config, parallelism);
    checks.set(r.table, { keys, candidates: applyChangelog(canonicalChangelog(sink.columns, changelog)).rows });
  }
  return checks;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      events: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '42' },
      parallelism: { type: 'string', default: '2' },
      'work-dir': { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    console.error('usage: npm run sql:compare -- FILE.sql [--events N] [--seed S] [--parallelism P] [--work-dir DIR]');
    return 2;
  }
  const file = positionals[0]!;
  const events = Number(values.events);
  const seed = Number(values.seed);
  let sql = readFileSync(file, 'utf8');
  if (needsNexmarkDdl(sql)) {
    console.log('the file reads the Nexmark views: ddl_gen.sql and ddl_views.sql go in front');
    sql = `${NEXMARK_DDL.map((u) => readFileSync(u, 'utf8')).join(';\n')};\n${sql}`;
  }
  const workDir = values['work-dir'] ?? mkdtempSync(path.join(tmpdir(), 'millrace-sql-compare-'));
  mkdirSync(workDir, { recursive: true });
  console.log(`${file}: ${events} events, seed ${seed}; files in ${workDir}`);

  const baseDir = path.dirname(path.resolve(file));
  const generated = await prepareRun(sql, createConnectorRegistry(), { events, seed, workDir });
  for (const i of generated.inputs) console.log(`input ${i.table}: ${i.rows} rows in ${i.file}`);
  // a JAVASCRIPT port of a Java function: Flink runs the Java class (its parser refuses JAVASCRIPT)
  const prepared = { ...generated, flinkStatements: generated.flinkStatements.map((s) => {
    const r = withJavaClasses(s, baseDir);
    for (const p of r.ported) console.log(`function ${p.name}: Millrace runs ${p.port}, Flink the Java class ${p.javaClass} (oracle jar)`);
    return r.statement;
  }) };

  const jar = ensureOracleJar((l) => console.log(l));
  const flink = await runOracle(prepared, workDir, jar);
  console.log(`Flink ${flink.flinkVersion}: done in ${flink.seconds.toFixed(1)} s`);

  const runSqlFile = await loadRunSqlFile();
  if ('unavailable' in runSqlFile) {
    for (const s of flink.sinks) console.log(`INSERT INTO ${s.table}: Flink ${s.rows.length} rows; Millrace: not run`);
    console.log(`FAILED: ${runSqlFile.unavailable}`);
    return 1;
  }
  const parallelism = Number(values.parallelism);
  const millrace = await runSqlFile(prepared.millraceSql, { parallelism, collectSinks: true, baseDir });

  let reports = compareSinks(prepared.sinks, flink.sinks, millrace.sinks);
  if (reports.some((r) => !r.equal)) {
    const ties = await tieChecksFor(reports, prepared.sinks, planScript(prepared.millraceSql, baseDir), parallelism);
    if (ties.size > 0) reports = compareSinks(prepared.sinks, flink.sinks, millrace.sinks, ties);
  }
  for (const r of reports) for (const line of r.lines) console.log(line);
  const failures = reports.filter((r) => !r.equal).length;
  const tied = reports.filter((r) => r.upToTies).length;
  console.log(failures === 0 ? `all ${prepared.sinks.length} INSERTs equal${tied > 0 ? ` (${tied} up to ties)` : ''}` : `${failures} of ${prepared.sinks.length} INSERTs differ`);
  return failures === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((code) => process.exit(code), (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
