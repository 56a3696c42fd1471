// Top-N and deduplication in SQL: the final result (changelog applied) equals ranks computed here
// from the input file (read in file order, so rows with equal order keys keep their arrival
// order, as Flink's Top-N does); a row leaving the top N is retracted; Top-N over an updating
// aggregate; keep-first and keep-last deduplication on event time.
import { applied, jsonTable, random, sinkChangelog, sortedRows } from './join-test-tables.ts';

interface Bid { id: number; a: number; p: number; ts: string }

const next = random(5);
const pad = (n: number): string => String(n).padStart(2, '0');
// few distinct prices, so ties are common; times in order of the file, some equal
const BIDS: Bid[] = Array.from({ length: 60 }, (_, i) => ({ id: i, a: 1 + Math.floor(next() * 4), p: 10 * (1 + Math.floor(next() * 6)), ts: `2025-01-01 00:00:${pad(Math.floor(i / 3))}.000` }));
const bids = jsonTable('bids', 'id INT, a INT, p INT, ts TIMESTAMP(3)', BIDS, ', WATERMARK FOR ts AS ts');

/** Per auction, the first n bids by price descending (equal prices in arrival order) with their row numbers. */
function ranked(n: number): Array<[Bid, number]> {
  const out: Array<[Bid, number]> = [];
  for (const a of new Set(BIDS.map((b) => b.a))) {
    const sorted = BIDS.filter((b) => b.a === a).sort((x, y) => y.p - x.p); // Array.prototype.sort is stable
    sorted.slice(0, n).forEach((b, i) => out.push([b, i + 1]));
  }
  return out;
}

describe('SQL Top-N', () => {
  test('ROW_NUMBER top 3 per auction with the rank number: final rows equal the ranking, rows pushed out are retracted', async () => {
    const changelog = await sinkChangelog(`${bids}; CREATE TABLE out (id INT, a INT, p INT, rn BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, a, p, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY p DESC) AS rn FROM bids) WHERE rn <= 3`, 'out');
    expect(applied(changelog)).toEqual(sortedRows(ranked(3).map(([b, r]) => [b.id, b.a, b.p, r])));
    expect(changelog.some((r) => r.kind === '-U')).toBe(true);
  });

  test('ROW_NUMBER top 2 without the rank number in the result: a row that falls out is retracted', async () => {
    const changelog = await sinkChangelog(`${bids}; CREATE TABLE out (id INT, a INT, p INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, a, p FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY p DESC) AS rn FROM bids) WHERE rn <= 2`, 'out');
    expect(applied(changelog)).toEqual(sortedRows(ranked(2).map(([b]) => [b.id, b.a, b.p])));
    expect(changelog.some((r) => r.kind === '-D' || r.kind === '-U')).toBe(true);
  });

  test.each(['RANK', 'DENSE_RANK'] as const)('%s is refused in streaming with Flink 1.20\'s message', async (kind) => {
    await expect(sinkChangelog(`${bids}; CREATE TABLE out (id INT, a INT, p INT, rk BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, a, p, rk FROM (SELECT *, ${kind}() OVER (PARTITION BY a ORDER BY p DESC) AS rk FROM bids) WHERE rk <= 2`, 'out'))
      .rejects.toMatchObject({ code: 'MR_ERR_SQL_PLAN', message: expect.stringContaining(`${kind}() on streaming table is not supported currently`) as unknown });
  });

  test('Top-N over an updating aggregate: the two auctions with the highest price sum', async () => {
    const changelog = await sinkChangelog(`${bids}; CREATE TABLE out (a INT, s INT, rn BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT a, s, rn FROM (SELECT a, s, ROW_NUMBER() OVER (ORDER BY s DESC) AS rn FROM (SELECT a, SUM(p) AS s FROM bids GROUP BY a)) WHERE rn <= 2`, 'out');
    const sums = [...new Set(BIDS.map((b) => b.a))].map((a) => [a, BIDS.filter((b) => b.a === a).reduce((s, b) => s + b.p, 0)] as const).sort((x, y) => y[1] - x[1]);
    expect(new Set(sums.map((s) => s[1])).size).toBe(sums.length); // no ties in the data, so the top 2 is unique
    expect(applied(changelog)).toEqual(sortedRows(sums.slice(0, 2).map(([a, s], i) => [a, s, i + 1])));
  });
});

describe('SQL window Top-N', () => {
  test('the two auctions with the highest price sum per 5-second window, emitted once per window', async () => {
    const changelog = await sinkChangelog(`${bids}; CREATE TABLE out (ws TIMESTAMP(3), a INT, s INT, rn BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT window_start, a, s, rn FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY s DESC) AS rn FROM (
          SELECT window_start, window_end, a, SUM(p) AS s FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end, a))
      WHERE rn <= 2`, 'out');
    expect(changelog.every((r) => r.kind === '+I')).toBe(true);
    // per window (start in ms), each auction's sum; TIMESTAMP values are epoch ms of the wall-clock time
    const sums = new Map<number, Map<number, number>>();
    for (const b of BIDS) {
      const w = Math.floor((Date.parse(`${b.ts.replace(' ', 'T')}Z`)) / 5000) * 5000;
      const m = sums.get(w) ?? new Map<number, number>();
      m.set(b.a, (m.get(b.a) ?? 0) + b.p);
      sums.set(w, m);
    }
    const rows = changelog.map((r) => r.values as [number, number, number, number]);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(sums.keys()));
    for (const [w, bySum] of sums) {
      const top = [...bySum.values()].sort((x, y) => y - x).slice(0, 2);
      const got = rows.filter((r) => r[0] === w);
      // ranks 1.. hold the highest sums (ties may pick either auction), each the sum of its auction
      expect(got.map((r) => [r[3], r[2]]).sort()).toEqual(top.map((s, i) => [i + 1, s]).sort());
      for (const r of got) expect(bySum.get(r[1])).toBe(r[2]);
    }
  });
});

describe('SQL deduplication on processing time', () => {
  test('ORDER BY a PROCTIME() column ASC keeps the first row to arrive per auction, insert-only', async () => {
    const table = jsonTable('pbids', 'id INT, a INT, p INT, ts TIMESTAMP(3)', BIDS, ', pt AS PROCTIME()');
    const changelog = await sinkChangelog(`${table}; CREATE TABLE out (id INT, a INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, a FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY pt ASC) AS rn FROM pbids) WHERE rn = 1`, 'out');
    const first = new Map<number, Bid>();
    for (const b of BIDS) if (!first.has(b.a)) first.set(b.a, b);
    expect(changelog.map((r) => `${r.kind}${JSON.stringify(r.values)}`).sort()).toEqual([...first.values()].map((b) => `+I${JSON.stringify([b.id, b.a])}`).sort());
  });
});

describe('SQL deduplication on event time', () => {
  test.each([['ASC', 'first'], ['DESC', 'last']] as const)('ORDER BY ts %s keeps the %s row per auction', async (dir, which) => {
    const changelog = await sinkChangelog(`${bids}; CREATE TABLE out (id INT, a INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, a FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts ${dir}) AS rn FROM bids) WHERE rn = 1`, 'out');
    const kept = new Map<number, Bid>();
    for (const b of BIDS) {
      const k = kept.get(b.a);
      // keep first: only a strictly earlier row replaces; keep last: a later or equal one does
      if (k === undefined || (which === 'first' ? b.ts < k.ts : b.ts >= k.ts)) kept.set(b.a, b);
    }
    expect(applied(changelog)).toEqual(sortedRows([...kept.values()].map((b) => [b.id, b.a])));
  });
});
