// User-defined aggregate functions (LANGUAGE JAVASCRIPT) in GROUP BY, window and OVER aggregations,
// run in-process against results computed here from the input rows, and their accumulators
// through a snapshot and a restore into a new operator.
import path from 'node:path';
import type { KeySelector } from '../../../runtime/api/functions.ts';
import type { ChangelogRow, RowKind } from '../../../runtime/connectors/factory/row.ts';
import { KeyedProcessOperator } from '../../../runtime/operators/process-operators.ts';
import { createAggsHandle } from '../../../runtime/sql/physical/aggregate/aggs-handle.ts';
import { GroupAggregateFunction } from '../../../runtime/sql/physical/aggregate/group-aggregate.ts';
import { groupKeySelector } from '../../../runtime/sql/physical/aggregate/group-key.ts';
import { WindowAggregateOperator } from '../../../runtime/sql/physical/window/window-aggregate-operator.ts';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { T } from '../../../runtime/sql/types/data-type.ts';
import { UdfLoader } from '../../../runtime/sql/udf/udf-loader.ts';
import { OperatorHarness } from '../../../runtime/testing/operator-harness.ts';
import { applied, jsonTable, random, sortedRows } from '../execution/join-test-tables.ts';
import { UDF_DIR } from './udf-modules.ts';

const FNS = `CREATE FUNCTION weighted_avg AS 'fns.ts#weighted_avg' LANGUAGE JAVASCRIPT;
CREATE FUNCTION longest AS 'fns.ts#longest' LANGUAGE JAVASCRIPT;
CREATE FUNCTION bad_acc AS 'fns.ts#bad_acc' LANGUAGE JAVASCRIPT;`;

interface Ev { k: number; v: number; w: number; s: string; t: number }
const next = random(7);
const EVENTS: Ev[] = Array.from({ length: 60 }, (_, i) => ({ k: 1 + Math.floor(next() * 3), v: Math.floor(next() * 100), w: 1 + Math.floor(next() * 4), s: 'x'.repeat(1 + Math.floor(next() * 9)) + String(i), t: i * 700 }));
const ts = (ms: number): string => new Date(Date.UTC(2025, 0, 1) + ms).toISOString().replace('T', ' ').replace('Z', '');
const epoch = (ms: number): number => Date.UTC(2025, 0, 1) + ms; // TIMESTAMP(3) values in rows
const TABLE = jsonTable('ev', 'k INT, v INT, w INT, s STRING, ts TIMESTAMP(3)', EVENTS.map((e) => ({ ...e, ts: ts(e.t) })), ", WATERMARK FOR ts AS ts - INTERVAL '1' SECOND");

const wavg = (es: readonly Ev[]): number | null => {
  const c = es.reduce((a, e) => a + e.w, 0);
  return c === 0 ? null : es.reduce((a, e) => a + e.v * e.w, 0) / c;
};
const longestOf = (es: readonly Ev[]): string | null => es.reduce<string | null>((b, e) => (b === null || e.s.length > b.length ? e.s : b), null);
const byKey = <K>(es: readonly Ev[], key: (e: Ev) => K): Map<K, Ev[]> => {
  const m = new Map<K, Ev[]>();
  for (const e of es) m.set(key(e), [...(m.get(key(e)) ?? []), e]);
  return m;
};

async function sinks(sql: string): Promise<Map<string, string[]>> {
  const { sinks: out } = await runSqlFile(sql, { collectSinks: true, parallelism: 1, baseDir: UDF_DIR });
  return new Map(out.map((s) => [s.table, applied(s.changelog)]));
}

describe('user-defined aggregate functions (createAccumulator / accumulate / retract / merge / getValue)', () => {
  test('GROUP BY with FILTER and DISTINCT, a TUMBLE and a SESSION window: equal to values computed from the rows', async () => {
    const sql = `${TABLE};
${FNS}
CREATE TABLE by_k (k INT, a DOUBLE, f DOUBLE, d DOUBLE, l STRING) WITH ('connector' = 'blackhole');
CREATE TABLE tumbling (k INT, ws TIMESTAMP(3), a DOUBLE) WITH ('connector' = 'blackhole');
CREATE TABLE sessions (k INT, ws TIMESTAMP(3), we TIMESTAMP(3), a DOUBLE) WITH ('connector' = 'blackhole');
INSERT INTO by_k SELECT k, weighted_avg(v, w), weighted_avg(v, w) FILTER (WHERE v > 50), weighted_avg(DISTINCT v, 1), longest(s) FROM ev GROUP BY k;
INSERT INTO tumbling SELECT k, window_start, weighted_avg(v, w) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end;
INSERT INTO sessions SELECT k, window_start, window_end, weighted_avg(v, w) FROM TABLE(SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '2' SECOND)) GROUP BY k, window_start, window_end;`;
    const out = await sinks(sql);
    const groups = byKey(EVENTS, (e) => e.k);
    expect(out.get('by_k')).toEqual(sortedRows([...groups].map(([k, es]) => {
      const distinct = [...new Set(es.map((e) => e.v))];
      return [k, wavg(es), wavg(es.filter((e) => e.v > 50)), distinct.reduce((a, v) => a + v, 0) / distinct.length, longestOf(es)];
    })));
    expect(out.get('tumbling')).toEqual(sortedRows([...byKey(EVENTS, (e) => `${e.k}|${Math.floor(e.t / 10_000) * 10_000}`)].map(([key, es]) => [es[0]!.k, epoch(Number(key.split('|')[1])), wavg(es)])));
    // sessions per key: a gap of more than 2 s starts a new one (merge runs as windows join up)
    const sessions: unknown[][] = [];
    for (const [k, es] of groups) {
      let cur: Ev[] = [];
      const close = () => { if (cur.length > 0) sessions.push([k, epoch(cur[0]!.t), epoch(cur[cur.length - 1]!.t + 2000), wavg(cur)]); };
      for (const e of es) {
        if (cur.length > 0 && e.t >= cur[cur.length - 1]!.t + 2000) { close(); cur = []; }
        cur.push(e);
      }
      close();
    }
    expect(out.get('sessions')).toEqual(sortedRows(sessions));
  });

  test('over an updating input retract runs (the average of the latest value per id); without retract it is refused', async () => {
    const sql = `${TABLE};
${FNS}
CREATE TABLE latest (k INT, a DOUBLE) WITH ('connector' = 'blackhole');
INSERT INTO latest SELECT k, weighted_avg(v, 1) FROM (SELECT w AS k, LAST_VALUE(v) AS v FROM ev GROUP BY w, k) GROUP BY k;`;
    const out = await sinks(sql);
    const last = new Map<string, Ev>();
    for (const e of EVENTS) last.set(`${e.w}|${e.k}`, e);
    expect(out.get('latest')).toEqual(sortedRows([...byKey([...last.values()], (e) => e.w)].map(([w, es]) => [w, es.reduce((a, e) => a + e.v, 0) / es.length])));
    const refused = await runSqlFile(`${TABLE};\n${FNS}\nCREATE TABLE o (k INT, l STRING) WITH ('connector' = 'blackhole');\nINSERT INTO o SELECT k, longest(s) FROM (SELECT k, LAST_VALUE(s) AS s FROM ev GROUP BY k, w) GROUP BY k;`, { collectSinks: true, parallelism: 1, baseDir: UDF_DIR }).then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(refused).toMatchObject({ code: 'MR_ERR_SQL_PLAN', message: expect.stringContaining('needs retract(acc, ...args)') });
  });

  test('in OVER aggregates (ROWS and RANGE with time, bounded and unbounded): equal to values computed from each row\'s frame; a bounded frame needs retract', async () => {
    const over = (frame: string): string => `OVER (PARTITION BY k ORDER BY ts ${frame})`;
    const sql = `${TABLE};
${FNS}
CREATE TABLE over_rows (s STRING, a DOUBLE) WITH ('connector' = 'blackhole');
CREATE TABLE over_range (s STRING, a DOUBLE, n BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE over_unbounded (s STRING, a DOUBLE, l STRING) WITH ('connector' = 'blackhole');
INSERT INTO over_rows SELECT s, weighted_avg(v, w) ${over('ROWS BETWEEN 2 PRECEDING AND CURRENT ROW')} FROM ev;
INSERT INTO over_range SELECT s, weighted_avg(v, w) ${over("RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW")}, COUNT(*) ${over("RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW")} FROM ev;
INSERT INTO over_unbounded SELECT s, weighted_avg(v, w) OVER w, longest(s) OVER w FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);`;
    const out = await sinks(sql);
    // each event's frame among the earlier events of its key (times are distinct and increasing)
    const frames = (frame: (e: Ev, earlier: Ev[]) => Ev[]): Array<[Ev, Ev[]]> => EVENTS.map((e, i) => [e, frame(e, EVENTS.slice(0, i + 1).filter((x) => x.k === e.k))]);
    expect(out.get('over_rows')).toEqual(sortedRows(frames((_, es) => es.slice(-3)).map(([e, f]) => [e.s, wavg(f)])));
    expect(out.get('over_range')).toEqual(sortedRows(frames((e, es) => es.filter((x) => x.t >= e.t - 3000)).map(([e, f]) => [e.s, wavg(f), f.length])));
    expect(out.get('over_unbounded')).toEqual(sortedRows(frames((_, es) => es).map(([e, f]) => [e.s, wavg(f), longestOf(f)])));
    // rows leave a bounded frame, so longest (no retract) cannot run there; Flink requires retract too
    const refused = await runSqlFile(`${TABLE};\n${FNS}\nCREATE TABLE o (s STRING, l STRING) WITH ('connector' = 'blackhole');\nINSERT INTO o SELECT s, longest(s) ${over('ROWS BETWEEN 2 PRECEDING AND CURRENT ROW')} FROM ev;`, { collectSinks: true, parallelism: 1, baseDir: UDF_DIR }).then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(refused).toMatchObject({ code: 'MR_ERR_SQL_PLAN', message: expect.stringContaining('needs retract(acc, ...args)') });
  });

  test('an accumulator that is not plain JSON, and an aggregate called outside an aggregation, are refused at the call', async () => {
    const err = async (q: string) => runSqlFile(`${TABLE};\n${FNS}\nCREATE TABLE o (k INT, x DOUBLE) WITH ('connector' = 'blackhole');\n${q}`, { collectSinks: true, parallelism: 1, baseDir: UDF_DIR }).then(() => undefined, (e: unknown) => e as Error & { code: string; line: number });
    expect(await err('INSERT INTO o SELECT k, bad_acc(v) FROM ev GROUP BY k')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', line: 6, message: expect.stringContaining('createAccumulator() must return an object or array of plain JSON data') });
    expect(await err('INSERT INTO o SELECT k, v FROM ev WHERE weighted_avg(v, w) > 1')).toMatchObject({ code: 'MR_ERR_SQL_VALIDATE', message: expect.stringContaining('Aggregate expression is illegal in WHERE clause') });
  });

  test('accumulators survive a snapshot and a restore into a new operator, unaffected by rows after the snapshot', async () => {
    new UdfLoader({ baseDir: UDF_DIR }).load({ path: { catalog: 'c', database: 'd', name: 'weighted_avg' }, identifier: path.join(UDF_DIR, 'fns.ts#weighted_avg'), language: 'JAVASCRIPT' } as never);
    const handle = createAggsHandle([{ fn: 'weighted_avg', args: [1, 2], distinct: false, name: 'a', type: T.double() }], [{ name: 'k', type: T.int() }, { name: 'v', type: T.int() }, { name: 'w', type: T.int() }]);
    const operator = () => new KeyedProcessOperator(new GroupAggregateFunction([0], handle) as never, groupKeySelector([0]) as KeySelector<unknown>);
    const row = (kind: RowKind, ...values: unknown[]): ChangelogRow => ({ kind, values });
    const printed = (h: OperatorHarness): string[] => h.values().map((r) => `${(r as ChangelogRow).kind}${JSON.stringify((r as ChangelogRow).values)}`);
    const a = await new OperatorHarness(operator()).open();
    a.processElement(row('+I', 1, 10, 1)).processElement(row('+I', 1, 40, 2));
    const snap = a.snapshot();
    a.processElement(row('+I', 1, 1000, 10)); // changes a's accumulator in place, not the snapshot's
    const b = await new OperatorHarness(operator()).open([JSON.parse(JSON.stringify(snap)) as typeof snap]);
    b.processElement(row('+I', 1, 10, 1)).processElement(row('-U', 1, 40, 2));
    expect(printed(b)).toEqual(['-U[1,30]', '+U[1,25]', '-U[1,25]', '+U[1,10]']);
  });

  test('open session windows keep their accumulators through a snapshot and a restore, and merge after it', async () => {
    new UdfLoader({ baseDir: UDF_DIR }).load({ path: { catalog: 'c', database: 'd', name: 'weighted_avg' }, identifier: path.join(UDF_DIR, 'fns.ts#weighted_avg'), language: 'JAVASCRIPT' } as never);
    const handle = createAggsHandle([{ fn: 'weighted_avg', args: [1, 2], distinct: false, name: 'a', type: T.double() }], [{ name: 'k', type: T.int() }, { name: 'v', type: T.int() }, { name: 'w', type: T.int() }, { name: 'ts', type: T.timestamp(3) }]);
    const operator = () => new WindowAggregateOperator({ window: { kind: 'SESSION', timeIndex: 3, gap: 10, partitionKeys: [0] }, eventTime: true, groupKeys: [0], handle, properties: ['window_start', 'window_end'], keySelector: groupKeySelector([0]) as KeySelector<unknown> });
    const row = (v: number, w: number, t: number): ChangelogRow => ({ kind: '+I', values: [1, v, w, t] });
    const a = await new OperatorHarness(operator()).open();
    a.processElement(row(10, 1, 0)).processElement(row(40, 2, 30)); // two sessions: [0, 10) and [30, 40)
    const snap = JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<typeof a.snapshot>;
    const b = await new OperatorHarness(operator()).open([snap]);
    b.processElement(row(70, 1, 15)); // [15, 25): a session of its own so far
    b.processElement(row(100, 1, 22)); // [22, 32) touches [15, 25) and [30, 40): all three merge
    b.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(b.values().map((r) => (r as ChangelogRow).values)).toEqual([[1, (10 * 1) / 1, 0, 10], [1, (70 + 40 * 2 + 100) / 4, 15, 40]]);
  });
});
