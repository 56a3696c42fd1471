// GROUP BY's changelog end to end, as Flink emits it: +I for a new group, -U/+U on change, -D when
// a group's last row is taken back (an aggregation over an updating aggregation), SELECT DISTINCT;
// the print sink shows the row kinds; an update stream into an append-only sink is refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';

const BIN = fileURLToPath(new URL('../../../runtime/bin/millrace.ts', import.meta.url));

/** A CSV file table t (a INT, b STRING, c BIGINT), read in file order (parallelism 1). */
function csvTable(rows: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-agg-'));
  writeFileSync(path.join(dir, 'part-0.csv'), rows.join('\n') + '\n');
  return `CREATE TABLE t (a INT, b STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`;
}
const ROWS = ['1,x,10', '2,x,5', '3,y,7', '4,x,20'];

async function changelog(sql: string, table: string): Promise<string[]> {
  const { sinks } = await runSqlFile(sql, { collectSinks: true, parallelism: 1 });
  return sinks.find((s) => s.table === table)!.changelog.map((r) => `${r.kind}${JSON.stringify(r.values)}`);
}

describe('GROUP BY changelog end to end', () => {
  test('COUNT, SUM, MAX per group: +I, then -U/+U pairs as the group changes', async () => {
    const sql = `${csvTable(ROWS)}; CREATE TABLE out (b STRING, n BIGINT, s BIGINT, m BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT b, COUNT(*), SUM(c), MAX(c) FROM t GROUP BY b`;
    expect(await changelog(sql, 'out')).toEqual([
      '+I["x",1,10,10]', '-U["x",1,10,10]', '+U["x",2,15,10]', '+I["y",1,7,7]', '-U["x",2,15,10]', '+U["x",3,35,20]',
    ]);
  });

  test('an aggregation over an updating one retracts: a count that no group has any more is deleted (-D)', async () => {
    const sql = `${csvTable(ROWS)}; CREATE TABLE hist (n BIGINT, groups BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO hist SELECT n, COUNT(*) FROM (SELECT b, COUNT(*) AS n FROM t GROUP BY b) GROUP BY n`;
    // inner: +I[x,1] -U[x,1] +U[x,2] +I[y,1] -U[x,2] +U[x,3]
    expect(await changelog(sql, 'hist')).toEqual(['+I[1,1]', '-D[1,1]', '+I[2,1]', '+I[1,1]', '-D[2,1]', '+I[3,1]']);
  });

  test('SELECT DISTINCT emits each value once', async () => {
    const sql = `${csvTable(ROWS)}; CREATE TABLE d (b STRING) WITH ('connector' = 'blackhole'); INSERT INTO d SELECT DISTINCT b FROM t`;
    expect(await changelog(sql, 'd')).toEqual(['+I["x"]', '+I["y"]']);
  });

  test('millrace sql -f: the print sink shows the row kinds as Flink prints them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-agg-cli-'));
    const file = path.join(dir, 'job.sql');
    writeFileSync(file, `${csvTable(ROWS)};
CREATE TABLE out (b STRING, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out SELECT b, COUNT(*) FROM t GROUP BY b;`);
    const r = spawnSync(process.execPath, [BIN, 'sql', '-f', file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/MR_ERR/);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^[+-][IUD]\[/.test(l))).toEqual(['+I[x, 1]', '-U[x, 1]', '+U[x, 2]', '+I[y, 1]', '-U[x, 2]', '+U[x, 3]']);
  });

  test('updates into an append-only sink are refused by the planner, naming the node', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-agg-out-'));
    const sql = `${csvTable(ROWS)}; CREATE TABLE files (b STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv');
      INSERT INTO files SELECT b, COUNT(*) FROM t GROUP BY b`;
    await expect(runSqlFile(sql)).rejects.toMatchObject({ code: 'MR_ERR_SQL_PLAN', message: expect.stringContaining("doesn't support consuming update changes which is produced by node GroupAggregate") as unknown });
  });
});
