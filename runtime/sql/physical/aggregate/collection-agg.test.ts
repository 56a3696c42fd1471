// ARRAY_AGG and COLLECT: the accumulators on their own (retraction, merge, snapshots) and through
// SQL, against what Flink 1.20.3 printed for the same statements (run through the oracle jar,
// bench/flink-sql; test/sql/flink-oracle/oracle.test.ts compares both engines on Nexmark events).
import { formatPrintedRow } from '../../../connectors/table/print.ts';
import { StateReader, StateWriter } from '../../../state/state-codec.ts';
import { SqlError } from '../../errors.ts';
import { runSqlFile } from '../../run-sql-file.ts';
import { SqlSession } from '../../session/sql-session.ts';
import { T, type DataType } from '../../types/data-type.ts';
import type { AggCall, Field } from '../../planner/logical-plan.ts';
import { createAggsHandle } from './aggs-handle.ts';

const call = (fn: string, args: number[], type: DataType, extra: Partial<AggCall> = {}): AggCall => ({ fn, args, distinct: false, name: fn, type, ...extra });
const roundTrip = <X>(x: X): X => JSON.parse(JSON.stringify(x)) as X;
// state files are binary (runtime/state/state-codec.ts); earlier checkpoints are JSON lines: accumulators go through both
const writer = new StateWriter();
const viaCodec = <X>(x: X): X => {
  writer.begin();
  writer.value(x);
  return new StateReader(writer.finish()).value() as X;
};

describe('ARRAY_AGG and COLLECT accumulators', () => {
  const input: Field[] = [{ name: 's', type: T.string() }, { name: 'x', type: T.bigint() }];
  const calls = [
    call('ARRAY_AGG', [1], T.array(T.bigint())), call('ARRAY_AGG', [1], T.array(T.bigint()), { ignoreNulls: true }),
    call('ARRAY_AGG', [0], T.array(T.string()), { distinct: true }), call('ARRAY_AGG', [1], T.array(T.bigint()), { distinct: true, ignoreNulls: true }),
    call('COLLECT', [0], T.multiset(T.string(), false)),
  ];

  test('arrival order, NULLs respected unless IGNORE NULLS (DISTINCT keeps one NULL), COLLECT counts without NULLs', () => {
    const h = createAggsHandle(calls, input);
    const a = h.create();
    for (const row of [['a', 10], ['b', null], ['a', 10], [null, 7]]) h.accumulate(a, row);
    expect(h.values(a)).toEqual([[10, null, 10, 7], [10, 10, 7], ['a', 'b', null], [10, 7], ['a', 'a', 'b']]);
  });

  test.each([['JSON', roundTrip], ['the state codec', viaCodec]])('a retraction removes the earliest occurrence; through snapshots (%s); nothing left is NULL (COLLECT: empty)', (_name, snapshot) => {
    const h = createAggsHandle(calls, input);
    let a = h.create();
    for (const row of [['a', 10], ['b', 9007199254740993n], ['a', 10], [null, null]]) h.accumulate(a, row);
    a = snapshot(a);
    h.retract(a, ['a', 10]);
    expect(h.values(a)).toEqual([[9007199254740993n, 10, null], [9007199254740993n, 10], ['a', 'b', null], [10, 9007199254740993n], ['a', 'b']]);
    a = snapshot(a);
    for (const row of [['a', 10], ['b', 9007199254740993n], [null, null]]) h.retract(a, row);
    expect(h.values(a)).toEqual([null, null, null, null, []]);
  });

  test('merge (session windows) appends the other values and adds the counts', () => {
    const h = createAggsHandle(calls, input);
    const a = h.create();
    const b = h.create();
    h.accumulate(a, ['a', 1]);
    h.accumulate(b, ['b', 2]);
    h.accumulate(b, ['a', null]);
    h.merge(a, roundTrip(b));
    expect(h.values(a)).toEqual([[1, 2, null], [1, 2], ['a', 'b'], [1, 2], ['a', 'a', 'b']]);
  });
});

const VALUES = "CREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES (1, 'a', 10), (1, 'a', 10), (1, 'b', CAST(NULL AS INT)), (2, 'c', 5), (1, CAST(NULL AS STRING), 7), (2, 'c', 6)) AS t(k, s, x);";

/** What the print connector prints for the rows the INSERT writes (the sink's column types given). */
async function printed(sql: string, types: DataType[]): Promise<string[]> {
  const { sinks } = await runSqlFile(`${VALUES}\n${sql}`, { collectSinks: true, parallelism: 1 });
  const columns = types.map((type, i) => ({ name: `c${i}`, type }));
  return sinks[0]!.changelog.map((r) => formatPrintedRow(columns, r));
}

describe('ARRAY_AGG and COLLECT in SQL', () => {
  test('GROUP BY: the changelog Flink 1.20.3 printed for the same statement (MULTISET printed as {element=count})', async () => {
    const lines = await printed("CREATE TABLE o (k INT, c MULTISET<STRING>, a ARRAY<INT>, ai ARRAY<INT>, ad ARRAY<STRING>, adi ARRAY<INT>) WITH ('connector' = 'print');\nINSERT INTO o SELECT k, COLLECT(s), ARRAY_AGG(x), ARRAY_AGG(x IGNORE NULLS), ARRAY_AGG(DISTINCT s), ARRAY_AGG(DISTINCT x) IGNORE NULLS FROM v GROUP BY k",
      [T.int(), T.multiset(T.string()), T.array(T.int()), T.array(T.int()), T.array(T.string()), T.array(T.int())]);
    expect(lines).toEqual([
      '+I[1, {a=1}, [10], [10], [a], [10]]',
      '-U[1, {a=1}, [10], [10], [a], [10]]',
      '+U[1, {a=2}, [10, 10], [10, 10], [a], [10]]',
      '-U[1, {a=2}, [10, 10], [10, 10], [a], [10]]',
      '+U[1, {a=2, b=1}, [10, 10, null], [10, 10], [a, b], [10]]',
      '+I[2, {c=1}, [5], [5], [c], [5]]',
      '-U[1, {a=2, b=1}, [10, 10, null], [10, 10], [a, b], [10]]',
      '+U[1, {a=2, b=1}, [10, 10, null, 7], [10, 10, 7], [a, b, null], [10, 7]]',
      '-U[2, {c=1}, [5], [5], [c], [5]]',
      '+U[2, {c=2}, [5, 6], [5, 6], [c], [5, 6]]',
    ]);
  });

  test('over a retracting input: a value leaves one group and joins the next (Flink printed the same)', async () => {
    const lines = await printed("CREATE TABLE o (n BIGINT, c MULTISET<INT>, a ARRAY<INT>) WITH ('connector' = 'print');\nINSERT INTO o SELECT n, COLLECT(k), ARRAY_AGG(k) FROM (SELECT k, COUNT(*) AS n FROM v GROUP BY k) GROUP BY n",
      [T.bigint(), T.multiset(T.int()), T.array(T.int())]);
    // k=1 counts 1..4 and k=2 counts 1..2; each step retracts k from group n-1 (deleting it) and adds it to n
    expect(lines.filter((l) => l.includes('{1=1}'))).toEqual(['+I[1, {1=1}, [1]]', '-D[1, {1=1}, [1]]', '+I[2, {1=1}, [1]]', '-D[2, {1=1}, [1]]', '+I[3, {1=1}, [1]]', '-D[3, {1=1}, [1]]', '+I[4, {1=1}, [1]]']);
    expect(lines.filter((l) => l.includes('{2=1}'))).toEqual(['+I[1, {2=1}, [2]]', '-D[1, {2=1}, [2]]', '+I[2, {2=1}, [2]]']);
  });

  test('window TVF (TUMBLE, CUMULATE) and OVER ROWS aggregates: the rows Flink 1.20.3 printed for the same statements', async () => {
    const t = "CREATE TABLE t (a INT, ts AS TO_TIMESTAMP_LTZ(a * 1000, 3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '20', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '20');";
    const tumble = await printed(`${t} CREATE TABLE o (ws TIMESTAMP(3), a ARRAY<INT>, c MULTISET<INT>, n ARRAY<INT>) WITH ('connector' = 'print');
      INSERT INTO o SELECT window_start, ARRAY_AGG(a), COLLECT(MOD(a, 3)), ARRAY_AGG(CASE WHEN MOD(a, 4) = 0 THEN NULL ELSE a END) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end`,
    [T.timestamp(3), T.array(T.int()), T.multiset(T.int()), T.array(T.int())]);
    // Flink printed {0=1, 1=2, 2=1} (its hash map's order); the multiset is the same
    expect(tumble.slice(0, 2)).toEqual(['+I[1970-01-01T00:00, [1, 2, 3, 4], {1=2, 2=1, 0=1}, [1, 2, 3, null]]', '+I[1970-01-01T00:00:05, [5, 6, 7, 8, 9], {2=2, 0=2, 1=1}, [5, 6, 7, null, 9]]']);
    expect(tumble[4]).toBe('+I[1970-01-01T00:00:20, [20], {2=1}, [null]]');
    const cumulate = await printed(`${t} CREATE TABLE o (ws TIMESTAMP(3), we TIMESTAMP(3), a ARRAY<INT>) WITH ('connector' = 'print');
      INSERT INTO o SELECT window_start, window_end, ARRAY_AGG(DISTINCT MOD(a, 4)) FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)) GROUP BY window_start, window_end`,
    [T.timestamp(3), T.timestamp(3), T.array(T.int())]);
    expect(cumulate.slice(3, 6)).toEqual(['+I[1970-01-01T00:00:06, 1970-01-01T00:00:08, [2, 3]]', '+I[1970-01-01T00:00:06, 1970-01-01T00:00:10, [2, 3, 0, 1]]', '+I[1970-01-01T00:00:06, 1970-01-01T00:00:12, [2, 3, 0, 1]]']);
    const over = await printed(`${t} CREATE TABLE o (a INT, x ARRAY<INT>) WITH ('connector' = 'print');
      INSERT INTO o SELECT a, ARRAY_AGG(a) OVER w FROM t WINDOW w AS (PARTITION BY MOD(a, 2) ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)`,
    [T.int(), T.array(T.int())]);
    expect(over.slice(0, 6)).toEqual(['+I[1, [1]]', '+I[2, [2]]', '+I[3, [1, 3]]', '+I[4, [2, 4]]', '+I[5, [1, 3, 5]]', '+I[6, [2, 4, 6]]']);
    expect(over[19]).toBe('+I[20, [16, 18, 20]]');
  });

  test('EXPLAIN tells ARRAY_AGG(x) and ARRAY_AGG(x IGNORE NULLS) apart', () => {
    const s = new SqlSession();
    s.executeScript(VALUES);
    const r = s.executeScript('EXPLAIN SELECT k, ARRAY_AGG(x), ARRAY_AGG(x IGNORE NULLS), COLLECT(s) FROM v GROUP BY k')[0]!;
    expect(r.kind === 'explain' ? r.text : '').toContain('select=[k, ARRAY_AGG(x) AS EXPR$0, ARRAY_AGG(x) IGNORE NULLS AS EXPR$1, COLLECT(s) AS EXPR$2]');
  });

  test('IGNORE/RESPECT NULLS elsewhere is refused with Calcite\'s message, at the call', () => {
    const s = new SqlSession();
    s.executeScript(`${VALUES} CREATE TABLE o (k INT, n BIGINT) WITH ('connector' = 'print');`);
    for (const [sql, fn] of [['SUM(x) IGNORE NULLS', 'SUM'], ['COLLECT(x) RESPECT NULLS', 'COLLECT'], ['FIRST_VALUE(x) IGNORE NULLS', 'FIRST_VALUE'], ['MAX(ABS(x) IGNORE NULLS)', 'ABS']]) {
      let err: unknown;
      try {
        s.executeScript(`INSERT INTO o SELECT k,\n ${sql} FROM v GROUP BY k`);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).code).toBe('MR_ERR_SQL_VALIDATE');
      expect((err as SqlError).message).toContain(`Cannot specify IGNORE NULLS or RESPECT NULLS following '${fn}'`);
      expect((err as SqlError).message).toContain('line 2');
    }
  });
});
