// Helpers of the join/rank tests: JSON-lines file tables, running a script in-process, applying a
// changelog to the final multiset the way a reader of the sink would (+I/+U add a row, -U/-D take
// one back; a retraction of a row that is not there is an error of the changelog).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';

/** CREATE TABLE name (columns) over a JSON-lines file of `rows` (objects by column name). */
export function jsonTable(name: string, columns: string, rows: readonly object[], extra = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), `millrace-sql-${name}-`));
  writeFileSync(path.join(dir, 'part-0.json'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return `CREATE TABLE ${name} (${columns}${extra}) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`;
}

export async function sinkChangelog(sql: string, table: string, config?: Record<string, string>): Promise<ChangelogRow[]> {
  const { sinks } = await runSqlFile(sql, { collectSinks: true, parallelism: 1, ...(config ? { config } : {}) });
  const sink = sinks.find((s) => s.table === table);
  if (sink === undefined) throw new Error(`no rows collected for ${table}`);
  return sink.changelog;
}

export const rowKey = (values: readonly unknown[]): string => JSON.stringify(values);

/** The final rows of a changelog, sorted (as text). */
export function applied(changelog: readonly ChangelogRow[]): string[] {
  const rows = new Map<string, number>();
  for (const r of changelog) {
    const k = rowKey(r.values);
    const n = rows.get(k) ?? 0;
    if (r.kind === '+I' || r.kind === '+U') rows.set(k, n + 1);
    else if (n === 0) throw new Error(`${r.kind}${k} retracts a row that is not there`);
    else rows.set(k, n - 1);
  }
  return [...rows].flatMap(([k, n]) => Array<string>(n).fill(k)).sort();
}

/** Sorted text rows, to compare with `applied`. */
export const sortedRows = (rows: ReadonlyArray<readonly unknown[]>): string[] => rows.map(rowKey).sort();

/** A small deterministic generator (mulberry32), so the tests' data is random but fixed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
