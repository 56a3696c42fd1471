// OVER aggregates on event time: every row leaves with the aggregates of its frame, computed here
// from the input rows (ROWS n PRECEDING, RANGE INTERVAL PRECEDING, RANGE UNBOUNDED with peers that
// share one result); and the temporal ORDER BY and LIMIT forms of Sort that streaming allows.
import { applied, jsonTable, random, sinkChangelog, sortedRows } from './join-test-tables.ts';

interface Row { id: number; k: number; v: number; t: number }

const next = random(23);
const ROWS: Row[] = [];
for (let i = 0, t = 0; i < 50; i++) {
  t += Math.floor(next() * 3) * 500; // steps of 0, 0.5 or 1 s: equal times happen
  ROWS.push({ id: i, k: 1 + Math.floor(next() * 3), v: Math.floor(next() * 100), t });
}
const ts = (ms: number): string => new Date(Date.UTC(2025, 0, 1) + ms).toISOString().replace('T', ' ').replace('Z', '');
const table = jsonTable('r', 'id INT, k INT, v INT, ts TIMESTAMP(3)', ROWS.map((r) => ({ id: r.id, k: r.k, v: r.v, ts: ts(r.t) })), ", WATERMARK FOR ts AS ts - INTERVAL '5' SECOND");

/** Each row with f(rows of its partition up to and including it, in time then arrival order). */
function over(frame: (r: Row, before: Row[]) => Row[], f: (rows: Row[]) => number): unknown[][] {
  return ROWS.map((r) => {
    const partition = ROWS.filter((x) => x.k === r.k);
    const upTo = partition.filter((x) => x.t < r.t || (x.t === r.t && x.id <= r.id));
    return [r.id, f(frame(r, upTo))];
  });
}
const sum = (rows: Row[]): number => rows.reduce((s, x) => s + x.v, 0);

describe('SQL OVER aggregates on event time', () => {
  test('SUM over ROWS BETWEEN 2 PRECEDING AND CURRENT ROW', async () => {
    const changelog = await sinkChangelog(`${table}; CREATE TABLE out (id INT, s INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM r`, 'out');
    expect(changelog.every((c) => c.kind === '+I')).toBe(true);
    expect(applied(changelog)).toEqual(sortedRows(over((_r, upTo) => upTo.slice(-3), sum)));
  });

  test('COUNT over RANGE BETWEEN INTERVAL 2 SECOND PRECEDING: rows of equal time are peers', async () => {
    const changelog = await sinkChangelog(`${table}; CREATE TABLE out (id INT, n BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, COUNT(*) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW) FROM r`, 'out');
    const expected = ROWS.map((r) => [r.id, ROWS.filter((x) => x.k === r.k && x.t <= r.t && x.t >= r.t - 2000).length]);
    expect(applied(changelog)).toEqual(sortedRows(expected));
  });

  test('MAX over RANGE UNBOUNDED PRECEDING', async () => {
    const changelog = await sinkChangelog(`${table}; CREATE TABLE out (id INT, m INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, MAX(v) OVER (PARTITION BY k ORDER BY ts RANGE UNBOUNDED PRECEDING) FROM r`, 'out');
    const expected = ROWS.map((r) => [r.id, Math.max(...ROWS.filter((x) => x.k === r.k && x.t <= r.t).map((x) => x.v))]);
    expect(applied(changelog)).toEqual(sortedRows(expected));
  });
});

describe('SQL OVER refusals', () => {
  test('two different OVER windows in one SELECT are refused as Flink refuses them', async () => {
    await expect(sinkChangelog(`${table}; CREATE TABLE out (id INT, a INT, b INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW),
        SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM r`, 'out'))
      .rejects.toMatchObject({ code: 'MR_ERR_SQL_PLAN', message: expect.stringContaining('All aggregates must be computed on the same window') as unknown });
  });
});

describe('SQL ORDER BY and LIMIT in streaming', () => {
  test('ORDER BY the event time, then v DESC: rows leave sorted as the watermark passes', async () => {
    const changelog = await sinkChangelog(`${table}; CREATE TABLE out (id INT, ts TIMESTAMP(3), v INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, ts, v FROM r ORDER BY ts, v DESC`, 'out');
    const expected = [...ROWS].sort((a, b) => a.t - b.t || b.v - a.v || a.id - b.id);
    // rows with equal time and v may leave in either order; compare the order keys row by row
    const got = changelog.map((c) => ROWS[c.values[0] as number]!);
    expect(got.map((r) => [r.t, r.v])).toEqual(expected.map((r) => [r.t, r.v]));
  });

  test('ORDER BY v DESC LIMIT 3: the final rows are the three highest', async () => {
    const changelog = await sinkChangelog(`${table}; CREATE TABLE out (id INT, v INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, v FROM r ORDER BY v DESC LIMIT 3`, 'out');
    const top = [...ROWS].sort((a, b) => b.v - a.v).slice(0, 3);
    expect(applied(changelog)).toEqual(sortedRows(top.map((r) => [r.id, r.v])));
  });

  test('LIMIT 4 without ORDER BY: the first four rows', async () => {
    const changelog = await sinkChangelog(`${table}; CREATE TABLE out (id INT) WITH ('connector' = 'blackhole'); INSERT INTO out SELECT id FROM r LIMIT 4`, 'out');
    expect(changelog.map((c) => `${c.kind}${c.values[0] as number}`)).toEqual(['+I0', '+I1', '+I2', '+I3']);
  });
});
