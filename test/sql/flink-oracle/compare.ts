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

const NEXMARK_DDL = ['ddl_gen.sql', 'ddl_views.sql'].map((f) => new URL(`../nexmark/queries/${f}`, import.meta.url));

/** Whether the file reads the Nexmark views without defining the Nexmark table. */
export function needsNexmarkDdl(sql: string): boolean {
  const createsNexmark = /'connector'\s*=\s*'nexmark'/i.test(sql) || /create\s+(temporary\s+)?view\s+`?(bid|auction|person)`?\b/i.test(sql);
  return !createsNexmark && /\b(from|join|table)\s+`?(bid|auction|person|datagen)`?\b/i.test(sql);
}

export interface SinkReport {
  readonly table: string;
  readonly equal: boolean;
  /** what sql:compare prints for this INSERT */
  readonly lines: string[];
}

/** Per INSERT target: Millrace's changelog applied (by primary key for upsert sinks) against Flink's final rows. */
export function compareSinks(sinks: readonly SinkTable[], flink: readonly OracleSinkResult[], millrace: readonly MillraceSinkResult[]): SinkReport[] {
  return sinks.map((sink) => {
    const f = flink.find((s) => s.table === sink.table);
    const m = millrace.find((s) => s.table === sink.table);
    if (!f || !m) return { table: sink.table, equal: false, lines: [`INSERT INTO ${sink.table}: DIFFERENT: ${!f ? 'Flink' : 'Millrace'} returned no result for this table`] };
    const keys = sink.primaryKey.map((k) => sink.columns.findIndex((c) => c.name === k));
    const applied = applyChangelog(canonicalChangelog(sink.columns, m.changelog), keys);
    const d = diffRows(f.rows, applied.rows);
    const problems = [...f.problems.map((p) => `Flink: ${p}`), ...applied.problems.map((p) => `Millrace: ${p}`)];
    if (d.equal && problems.length === 0) {
      return { table: sink.table, equal: true, lines: [`INSERT INTO ${sink.table}: equal (${d.flinkRows} rows${keys.length > 0 ? `, upsert by ${sink.primaryKey.join(', ')}` : ''})`] };
    }
    return {
      table: sink.table,
      equal: false,
      lines: [
        `INSERT INTO ${sink.table}: DIFFERENT (Flink ${d.flinkRows} rows, Millrace ${d.millraceRows} rows)`,
        ...d.onlyFlink.map((r) => `  only in Flink${r.times > 1 ? ` (${r.times}x)` : ''}:    ${r.row}`),
        ...d.onlyMillrace.map((r) => `  only in Millrace${r.times > 1 ? ` (${r.times}x)` : ''}: ${r.row}`),
        ...problems.slice(0, 5).map((p) => `  ${p}`),
      ],
    };
  });
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

  const prepared = await prepareRun(sql, createConnectorRegistry(), { events, seed, workDir });
  for (const i of prepared.inputs) console.log(`input ${i.table}: ${i.rows} rows in ${i.file}`);

  const jar = ensureOracleJar((l) => console.log(l));
  const flink = await runOracle(prepared, workDir, jar);
  console.log(`Flink ${flink.flinkVersion}: done in ${flink.seconds.toFixed(1)} s`);

  const runSqlFile = await loadRunSqlFile();
  if ('unavailable' in runSqlFile) {
    for (const s of flink.sinks) console.log(`INSERT INTO ${s.table}: Flink ${s.rows.length} rows; Millrace: not run`);
    console.log(`FAILED: ${runSqlFile.unavailable}`);
    return 1;
  }
  const millrace = await runSqlFile(prepared.millraceSql, { parallelism: Number(values.parallelism), collectSinks: true });

  const reports = compareSinks(prepared.sinks, flink.sinks, millrace.sinks);
  for (const r of reports) for (const line of r.lines) console.log(line);
  const failures = reports.filter((r) => !r.equal).length;
  console.log(failures === 0 ? `all ${prepared.sinks.length} INSERTs equal` : `${failures} of ${prepared.sinks.length} INSERTs differ`);
  return failures === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((code) => process.exit(code), (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
