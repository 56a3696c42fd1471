// COUNT with several arguments: Flink 1.20's grammar and documentation show
// `COUNT(DISTINCT expression1 [, expression2]*)`, but its planner refuses it ("We now only support
// the count of one field.", checked on the oracle jar, bench/flink-sql): refused the same way here,
// with the query that counts distinct combinations instead (which runs, and counts them right).
import { SqlError } from '../../errors.ts';
import { runSqlFile } from '../../run-sql-file.ts';
import { SqlSession } from '../../session/sql-session.ts';

const values = "(1, 1, 'a'), (1, 1, 'a'), (1, 1, 'b'), (1, 2, 'a'), (1, CAST(NULL AS INT), 'a'), (1, 3, CAST(NULL AS STRING)), (2, 5, 'x'), (2, 5, 'x')";
const TABLES = "CREATE TABLE t (g INT, a INT, b STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen'); CREATE TABLE o (g INT, n BIGINT) WITH ('connector' = 'print');";

function refusal(sql: string): SqlError {
  const s = new SqlSession();
  s.executeScript(TABLES);
  try {
    s.executeScript(sql);
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error(`not refused: ${sql}`);
}

test('COUNT(DISTINCT a, b) and COUNT(a, b) are refused as Flink refuses them, naming the call and the query that works', () => {
  const e = refusal('INSERT INTO o SELECT g,\n  COUNT(DISTINCT a, b) FROM t GROUP BY g');
  expect(e.code).toBe('MR_ERR_SQL_UNSUPPORTED');
  expect(e.message).toContain('line 2, column 3');
  expect(e.message).toContain('COUNT(DISTINCT `a`, `b`): COUNT takes one argument');
  expect(e.message).toContain('SELECT k, COUNT(*) FROM (SELECT DISTINCT k, `a`, `b` FROM t WHERE `a` IS NOT NULL AND `b` IS NOT NULL) GROUP BY k');
  expect(refusal('INSERT INTO o SELECT g, COUNT(a, b) FROM t GROUP BY g').message).toContain('COUNT(`a`, `b`): COUNT takes one argument');
  expect(refusal('INSERT INTO o SELECT g, COUNT(DISTINCT a, b) OVER (PARTITION BY g ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t').code).toBe('MR_ERR_SQL_UNSUPPORTED');
});

test('the suggested subquery counts the distinct pairs without NULLs', async () => {
  const sql = `CREATE TABLE o (g INT, n BIGINT) WITH ('connector' = 'print');
INSERT INTO o SELECT g, COUNT(*) FROM (SELECT DISTINCT g, a, b FROM (VALUES ${values}) AS t(g, a, b) WHERE a IS NOT NULL AND b IS NOT NULL) GROUP BY g`;
  const { sinks } = await runSqlFile(sql, { collectSinks: true, parallelism: 1 });
  const last = new Map<unknown, readonly unknown[]>();
  for (const r of sinks[0]!.changelog) if (r.kind === '+I' || r.kind === '+U') last.set(r.values[0], r.values);
  // g=1: (1,a) (1,b) (2,a); g=2: (5,x)
  expect([...last.values()].sort()).toEqual([[1, 3], [2, 1]]);
});
