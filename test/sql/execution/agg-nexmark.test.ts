// Nexmark's aggregation queries as the Nexmark project ships them (q11, q12, q15, q17), run
// end to end in-process with the sinks collected: the changelog applied must equal what is
// computed here directly from the generator's events (not through SQL).
import { readFileSync } from 'node:fs';
import { createNexmarkGenerator, type Bid } from '../../../runtime/connectors/nexmark/index.ts';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { DEFAULT_VARIABLES, substituteVariables } from '../nexmark/nexmark-queries.ts';

const EVENTS = 10_000;
const SEED = 42;
/** 100 events/s: 10,000 events span 100 s of event time, so q11's 10 s sessions split */
const TPS = 100;

const query = (file: string): string => substituteVariables(readFileSync(new URL(`../nexmark/queries/${file}`, import.meta.url), 'utf8'), { ...DEFAULT_VARIABLES, EVENTS_NUM: String(EVENTS), TPS: String(TPS) });
const script = (q: string): string => [query('ddl_gen.sql'), query('ddl_views.sql'), query(`${q}.sql`)].join(';\n');

const bids: Bid[] = (() => {
  const gen = createNexmarkGenerator({ events: EVENTS, seed: SEED, eventsPerSecond: TPS });
  return Array.from({ length: EVENTS }, (_, i) => gen.eventAt(i)).filter((e): e is Bid => e.kind === 'bid');
})();

/** The final multiset of a changelog (+I/+U add a row, -U/-D remove one), as sorted JSON lines. */
function applied(changelog: readonly ChangelogRow[]): string[] {
  const counts = new Map<string, number>();
  for (const r of changelog) {
    const k = JSON.stringify(r.values);
    const n = (counts.get(k) ?? 0) + (r.kind === '+I' || r.kind === '+U' ? 1 : -1);
    if (n === 0) counts.delete(k);
    else counts.set(k, n);
  }
  for (const [k, n] of counts) if (n < 0) throw new Error(`retracted a row never emitted: ${k}`);
  return [...counts].flatMap(([k, n]) => Array<string>(n).fill(k)).sort();
}

async function run(q: string, parallelism: number): Promise<readonly ChangelogRow[]> {
  const { sinks } = await runSqlFile(script(q), { collectSinks: true, parallelism });
  return sinks.find((s) => s.table === `nexmark_${q}`)!.changelog;
}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (ms: number) => { const d = new Date(ms); return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`; };
const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

describe('Nexmark aggregation queries run on the local runtime', () => {
  test('q17: per auction and day, counts by price range, MIN, MAX, AVG (BIGINT, truncated), SUM; updates as -U/+U', async () => {
    const changelog = await run('q17', 2);
    expect(new Set(changelog.map((r) => r.kind))).toEqual(new Set(['+I', '-U', '+U']));
    const groups = new Map<string, Bid[]>();
    for (const b of bids) {
      const k = JSON.stringify([b.auction, day(b.dateTime)]);
      groups.set(k, [...(groups.get(k) ?? []), b]);
    }
    const expected = [...groups].map(([k, bs]) => {
      const p = bs.map((b) => b.price);
      const sum = p.reduce((a, x) => a + x, 0);
      return [...(JSON.parse(k) as unknown[]), bs.length, p.filter((x) => x < 10_000).length, p.filter((x) => x >= 10_000 && x < 1_000_000).length,
        p.filter((x) => x >= 1_000_000).length, Math.min(...p), Math.max(...p), Math.trunc(sum / bs.length), sum];
    });
    expect(applied(changelog)).toEqual(sorted(expected));
  });

  test('q15: per day, COUNT(*) and COUNT(DISTINCT ...) with FILTER by price range', async () => {
    const changelog = await run('q15', 1);
    const ranges = [(p: number) => p < 10_000, (p: number) => p >= 10_000 && p < 1_000_000, (p: number) => p >= 1_000_000];
    const days = [...new Set(bids.map((b) => day(b.dateTime)))];
    const expected = days.map((d) => {
      const bs = bids.filter((b) => day(b.dateTime) === d);
      const distinct = (f: (b: Bid) => number, keep: (b: Bid) => boolean) => new Set(bs.filter(keep).map(f)).size;
      return [d, bs.length, ...ranges.map((r) => bs.filter((b) => r(b.price)).length),
        distinct((b) => b.bidder, () => true), ...ranges.map((r) => distinct((b) => b.bidder, (b) => r(b.price))),
        distinct((b) => b.auction, () => true), ...ranges.map((r) => distinct((b) => b.auction, (b) => r(b.price)))];
    });
    expect(applied(changelog)).toEqual(sorted(expected));
  });

  test('q11: per bidder, session windows with a 10 s gap, emitted once each (insert-only)', async () => {
    const changelog = await run('q11', 2);
    expect(changelog.every((r) => r.kind === '+I')).toBe(true);
    const perBidder = new Map<number, number[]>();
    for (const b of bids) perBidder.set(b.bidder, [...(perBidder.get(b.bidder) ?? []), b.dateTime]);
    const expected: unknown[][] = [];
    for (const [bidder, times] of perBidder) {
      times.sort((a, b) => a - b);
      let start = times[0]!;
      let last = start;
      let n = 0;
      for (const t of times) {
        if (t > last + 10_000) { // a session is [first, last + gap); the next row must fall inside it
          expected.push([bidder, n, start, last + 10_000]);
          start = t;
          n = 0;
        }
        last = t;
        n++;
      }
      expected.push([bidder, n, start, last + 10_000]);
    }
    expect(expected.length).toBeGreaterThan(perBidder.size); // some bidders have more than one session
    expect(sorted(changelog.map((r) => [...r.values]))).toEqual(sorted(expected));
  });

  test('q12: processing-time TUMBLE of 10 s: windows aligned to 10 s whose counts add up to each bidder\'s bids', async () => {
    const changelog = await run('q12', 1);
    const total = new Map<number, number>();
    for (const r of changelog) {
      const [bidder, n, start, end] = r.values as [number, number, number, number];
      expect(r.kind).toBe('+I');
      expect(start % 10_000).toBe(0);
      expect(end - start).toBe(10_000);
      total.set(bidder, (total.get(bidder) ?? 0) + n);
    }
    const expected = new Map<number, number>();
    for (const b of bids) expected.set(b.bidder, (expected.get(b.bidder) ?? 0) + 1);
    expect(total).toEqual(expected);
  });
});
