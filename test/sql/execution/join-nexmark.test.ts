// Nexmark q3, q20 (regular joins), q19 (Top-N) and q18 (deduplication) as the Nexmark project
// ships them, run in-process on the nexmark connector; the final rows (changelog applied) equal
// rows computed here straight from the generator's events (not through SQL). Parallelism 1, so
// bids reach Top-N and deduplication in event order and ties resolve as in Flink.
import { readFileSync } from 'node:fs';
import { createNexmarkGenerator, type NexmarkEvent } from '../../../runtime/connectors/nexmark/index.ts';
import type { Auction, Bid, Person } from '../../../runtime/connectors/nexmark/index.ts';
import { DEFAULT_VARIABLES, substituteVariables } from '../nexmark/nexmark-queries.ts';
import { applied, sinkChangelog, sortedRows } from './join-test-tables.ts';

const EVENTS = 10_000;
const TPS = 10_000;
const query = (file: string): string => substituteVariables(readFileSync(new URL(`../nexmark/queries/${file}`, import.meta.url), 'utf8'), { ...DEFAULT_VARIABLES, EVENTS_NUM: String(EVENTS), TPS: String(TPS) });
const script = (q: string): string => [query('ddl_gen.sql'), query('ddl_views.sql'), query(`${q}.sql`)].join(';\n');

const gen = createNexmarkGenerator({ events: EVENTS, seed: 42, eventsPerSecond: TPS });
const events: NexmarkEvent[] = Array.from({ length: EVENTS }, (_, i) => gen.eventAt(i));
const persons = events.filter((e): e is Person => e.kind === 'person');
const auctions = events.filter((e): e is Auction => e.kind === 'auction');
const bids = events.filter((e): e is Bid => e.kind === 'bid');
const bidRow = (b: Bid): unknown[] => [b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra];

describe('Nexmark joins, Top-N and deduplication equal results computed from the generator', () => {
  test('q3: sellers in OR, ID or CA of category-10 auctions', async () => {
    const expected = auctions.filter((a) => a.category === 10).flatMap((a) => persons
      .filter((p) => p.id === a.seller && ['OR', 'ID', 'CA'].includes(p.state)).map((p) => [p.name, p.city, p.state, a.id]));
    expect(expected.length).toBeGreaterThan(10);
    expect(applied(await sinkChangelog(script('q3'), 'nexmark_q3'))).toEqual(sortedRows(expected));
  });

  test('q20: bids joined with their category-10 auction', async () => {
    const expected = bids.flatMap((b) => auctions.filter((a) => a.id === b.auction && a.category === 10)
      .map((a) => [...bidRow(b), a.itemName, a.description, a.initialBid, a.reserve, a.dateTime, a.expires, a.seller, a.category, a.extra]));
    expect(expected.length).toBeGreaterThan(100);
    expect(applied(await sinkChangelog(script('q20'), 'nexmark_q20'))).toEqual(sortedRows(expected));
  });

  test('q19: the ten highest bids per auction with their row number (equal prices: the earlier bid first)', async () => {
    const byAuction = new Map<number, Bid[]>();
    for (const b of bids) byAuction.set(b.auction, [...(byAuction.get(b.auction) ?? []), b]);
    const expected = [...byAuction.values()].flatMap((list) => [...list].sort((x, y) => y.price - x.price).slice(0, 10).map((b, i) => [...bidRow(b), i + 1]));
    expect(applied(await sinkChangelog(script('q19'), 'nexmark_q19'))).toEqual(sortedRows(expected));
  });

  test('q18: the last bid of each bidder on each auction (equal times: the later bid)', async () => {
    const last = new Map<string, Bid>();
    for (const b of bids) {
      const k = `${b.bidder}|${b.auction}`;
      const kept = last.get(k);
      if (kept === undefined || kept.dateTime <= b.dateTime) last.set(k, b);
    }
    expect(applied(await sinkChangelog(script('q18'), 'nexmark_q18'))).toEqual(sortedRows([...last.values()].map(bidRow)));
  });
});
