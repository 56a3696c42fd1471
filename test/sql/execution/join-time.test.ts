// Joins bounded by time and lookups, in SQL, against results computed here from the input rows:
// interval joins (INNER and LEFT on event time), a window join of two window aggregates, an
// event-time temporal join against a versioned table, a lookup join against a filesystem side
// input declared with Flink's legacy 'connector.type' options (as Nexmark q13 does), and UNNEST.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';
import { KeyedCoProcessOperator } from '../../../runtime/operators/process-operators.ts';
import { IntervalJoinFunction } from '../../../runtime/sql/physical/join/interval-join.ts';
import { OperatorHarness } from '../../../runtime/testing/operator-harness.ts';
import { applied, jsonTable, random, sinkChangelog, sortedRows } from './join-test-tables.ts';

interface Ev { id: number; k: number; t: number }

const next = random(41);
const events = (n: number, base: number): Ev[] => {
  const out: Ev[] = [];
  for (let i = 0, t = 0; i < n; i++) {
    t += Math.floor(next() * 4) * 250;
    out.push({ id: base + i, k: 1 + Math.floor(next() * 3), t });
  }
  return out;
};
const L = events(40, 0);
const R = events(40, 100);
const ts = (ms: number): string => new Date(Date.UTC(2025, 0, 1) + ms).toISOString().replace('T', ' ').replace('Z', '');
const asJson = (rows: Ev[]) => rows.map((e) => ({ id: e.id, k: e.k, ts: ts(e.t) }));
const WM = ", WATERMARK FOR ts AS ts - INTERVAL '10' SECOND";
const ddl = `${jsonTable('l', 'id INT, k INT, ts TIMESTAMP(3)', asJson(L), WM)}; ${jsonTable('r', 'id INT, k INT, ts TIMESTAMP(3)', asJson(R), WM)}`;

describe('SQL interval joins on event time', () => {
  // r.ts BETWEEN l.ts - 1 s AND l.ts + 2 s
  const pairs = (l: Ev): Ev[] => R.filter((r) => r.k === l.k && r.t >= l.t - 1000 && r.t <= l.t + 2000);

  test.each(['INNER', 'LEFT'] as const)('%s JOIN ... AND r.ts BETWEEN l.ts - 1 s AND l.ts + 2 s', async (type) => {
    const changelog = await sinkChangelog(`${ddl}; CREATE TABLE out (lid INT, rid INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT l.id, r.id FROM l ${type} JOIN r ON l.k = r.k AND r.ts BETWEEN l.ts - INTERVAL '1' SECOND AND l.ts + INTERVAL '2' SECOND`, 'out');
    expect(changelog.every((c) => c.kind === '+I')).toBe(true); // an interval join emits inserts only
    const expected = L.flatMap((l) => {
      const m = pairs(l);
      return m.length === 0 ? (type === 'LEFT' ? [[l.id, null]] : []) : m.map((r) => [l.id, r.id]);
    });
    expect(applied(changelog)).toEqual(sortedRows(expected));
  });
});

describe('interval join on processing time (operator, manual clock)', () => {
  test('rows join while the clock keeps them in range; an unmatched LEFT row is padded when it expires', async () => {
    // r in [l, l + 1 s]: l - r in [-1000, 0]
    const fn = new IntervalJoinFunction({ joinType: 'LEFT', leftKeys: [0], rightKeys: [0], leftWidth: 2, rightWidth: 2, leftTime: 1, rightTime: 1, lowerBound: -1000, upperBound: 0, processingTime: true });
    const key = (r: unknown) => (r as ChangelogRow).values[0] as number;
    const h = await new OperatorHarness(new KeyedCoProcessOperator(fn as never, key, key)).open();
    const at = (t: number, side: 1 | 2, name: string): void => {
      h.setProcessingTime(t);
      if (side === 1) h.processElement({ kind: '+I', values: [1, name] });
      else h.processElement2({ kind: '+I', values: [1, name] });
    };
    at(0, 1, 'A');
    at(500, 2, 'X'); // 0.5 s after A: joins
    at(1500, 2, 'Y'); // 1.5 s after A: too late for A
    at(1600, 1, 'B'); // Y came 0.1 s before B: not in range
    h.setProcessingTime(5000); // A (joined) and B (not joined) expire
    expect((h.values() as ChangelogRow[]).map((r) => `${r.kind}${JSON.stringify(r.values)}`)).toEqual(['+I[1,"A",1,"X"]', '+I[1,"B",null,null]']);
  });
});

describe('SQL window join', () => {
  test('two TUMBLE(2 s) window aggregates joined on the key and the window', async () => {
    const counts = (rows: Ev[]): Map<string, number> => {
      const m = new Map<string, number>();
      for (const e of rows) {
        const k = `${e.k}|${Math.floor(e.t / 2000) * 2000}`;
        m.set(k, (m.get(k) ?? 0) + 1);
      }
      return m;
    };
    const cl = counts(L);
    const cr = counts(R);
    // TIMESTAMP values are epoch milliseconds of the wall-clock time
    const expected = [...cl].flatMap(([key, n]) => (cr.has(key) ? [[Number(key.split('|')[0]), Date.UTC(2025, 0, 1) + Number(key.split('|')[1]), n, cr.get(key)!]] : []));
    const agg = (t: string) => `SELECT k, window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ${t}, DESCRIPTOR(ts), INTERVAL '2' SECOND)) GROUP BY k, window_start, window_end`;
    const changelog = await sinkChangelog(`${ddl}; CREATE TABLE out (k INT, ws TIMESTAMP(3), ln BIGINT, rn BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT a.k, a.window_start, a.n, b.n FROM (${agg('l')}) a JOIN (${agg('r')}) b
        ON a.k = b.k AND a.window_start = b.window_start AND a.window_end = b.window_end`, 'out');
    expect(changelog.every((c) => c.kind === '+I')).toBe(true);
    expect(expected.length).toBeGreaterThan(5);
    expect(applied(changelog)).toEqual(sortedRows(expected));
  });
});

describe('SQL window outer join', () => {
  test('FULL JOIN of two TUMBLE(2 s) window aggregates: a window on one side only gets NULLs for the other', async () => {
    const keys = (rows: Ev[]): Set<string> => new Set(rows.filter((e) => e.k === 1).map((e) => String(Math.floor(e.t / 2000) * 2000)));
    const lw = keys(L);
    const rw = keys(R);
    const base = Date.UTC(2025, 0, 1);
    const expected = [...new Set([...lw, ...rw])].map((w) => [lw.has(w) ? base + Number(w) : null, rw.has(w) ? base + Number(w) : null]);
    expect(expected.some(([a, b]) => a === null || b === null)).toBe(true);
    const agg = (t: string) => `SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ${t}, DESCRIPTOR(ts), INTERVAL '2' SECOND)) WHERE k = 1 GROUP BY window_start, window_end`;
    const changelog = await sinkChangelog(`${ddl}; CREATE TABLE out (lws TIMESTAMP(3), rws TIMESTAMP(3)) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT a.window_start, b.window_start FROM (${agg('l')}) a FULL JOIN (${agg('r')}) b
        ON a.window_start = b.window_start AND a.window_end = b.window_end`, 'out');
    expect(changelog.every((c) => c.kind === '+I')).toBe(true); // a window join emits each window once
    expect(applied(changelog)).toEqual(sortedRows(expected));
  });
});

describe('SQL temporal join (FOR SYSTEM_TIME AS OF the event time)', () => {
  test('each order joins the rate valid at its time; LEFT keeps orders before any rate', async () => {
    const rates = [{ cur: 'EUR', rate: 10, ts: ts(0) }, { cur: 'USD', rate: 20, ts: ts(1000) }, { cur: 'EUR', rate: 11, ts: ts(3000) }, { cur: 'EUR', rate: 12, ts: ts(6000) }];
    const orders = [{ id: 1, cur: 'EUR', ts: ts(500) }, { id: 2, cur: 'USD', ts: ts(500) }, { id: 3, cur: 'EUR', ts: ts(3000) }, { id: 4, cur: 'USD', ts: ts(4000) }, { id: 5, cur: 'EUR', ts: ts(5999) }, { id: 6, cur: 'EUR', ts: ts(9000) }];
    const sql = `${jsonTable('rates', 'cur STRING, rate INT, ts TIMESTAMP(3)', rates, ", PRIMARY KEY (cur) NOT ENFORCED, WATERMARK FOR ts AS ts")};
      ${jsonTable('orders', 'id INT, cur STRING, ts TIMESTAMP(3)', orders, ', WATERMARK FOR ts AS ts')};
      CREATE TABLE out (id INT, rate INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT o.id, r.rate FROM orders AS o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.cur = r.cur`;
    expect(applied(await sinkChangelog(sql, 'out'))).toEqual(sortedRows([[1, 10], [2, null], [3, 11], [4, 20], [5, 11], [6, 12]]));
  });
});

describe('SQL lookup join and UNNEST', () => {
  test('a lookup join against a CSV side input declared with legacy connector.type options', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-side-'));
    writeFileSync(path.join(dir, 'side.txt'), '1,one\n2,two\n2,deux\n');
    const sql = `${jsonTable('probe', 'id INT, k BIGINT', [{ id: 1, k: 11 }, { id: 2, k: 12 }, { id: 3, k: 13 }, { id: 4, k: 22 }], ', pt AS PROCTIME()')};
      CREATE TABLE side (key BIGINT, \`value\` STRING) WITH ('connector.type' = 'filesystem', 'connector.path' = 'file://${dir}/side.txt', 'format.type' = 'csv');
      CREATE TABLE inner_out (id INT, v STRING) WITH ('connector' = 'blackhole');
      CREATE TABLE left_out (id INT, v STRING) WITH ('connector' = 'blackhole');
      INSERT INTO inner_out SELECT p.id, s.\`value\` FROM probe AS p JOIN side FOR SYSTEM_TIME AS OF p.pt AS s ON MOD(p.k, 10) = s.key;
      INSERT INTO left_out SELECT p.id, s.\`value\` FROM probe AS p LEFT JOIN side FOR SYSTEM_TIME AS OF p.pt AS s ON MOD(p.k, 10) = s.key`;
    expect(applied(await sinkChangelog(sql, 'inner_out'))).toEqual(sortedRows([[1, 'one'], [2, 'two'], [2, 'deux'], [4, 'two'], [4, 'deux']]));
    expect(applied(await sinkChangelog(sql, 'left_out'))).toEqual(sortedRows([[1, 'one'], [2, 'two'], [2, 'deux'], [3, null], [4, 'two'], [4, 'deux']]));
  });

  test('CROSS JOIN UNNEST WITH ORDINALITY and LEFT JOIN UNNEST ON TRUE', async () => {
    const sql = `${jsonTable('t', 'id INT, xs ARRAY<STRING>', [{ id: 1, xs: ['a', 'b'] }, { id: 2, xs: [] }, { id: 3, xs: null }])};
      CREATE TABLE cross_out (id INT, x STRING, n INT) WITH ('connector' = 'blackhole');
      CREATE TABLE left_out (id INT, x STRING) WITH ('connector' = 'blackhole');
      INSERT INTO cross_out SELECT id, x, n FROM t CROSS JOIN UNNEST(xs) WITH ORDINALITY AS u (x, n);
      INSERT INTO left_out SELECT id, x FROM t LEFT JOIN UNNEST(xs) AS u (x) ON TRUE`;
    expect(applied(await sinkChangelog(sql, 'cross_out'))).toEqual(sortedRows([[1, 'a', 1], [1, 'b', 2]]));
    expect(applied(await sinkChangelog(sql, 'left_out'))).toEqual(sortedRows([[1, 'a'], [1, 'b'], [2, null], [3, null]]));
  });
});
