// What ./bid-stats.ts must output, computed without the engine: a plain fold over the same
// generator events (index order, no parallelism, no windows operator, no state backend).

import { createNexmarkGenerator } from '../../runtime/connectors/nexmark/index.ts';
import type { BidStatsRow } from './bid-stats.ts';

export interface BidStatsInput {
  readonly events: number;
  readonly windowMs: number;
  readonly seed?: number;
  readonly eventsPerSecond?: number;
}

export function expectedBidStats(o: BidStatsInput): BidStatsRow[] {
  const gen = createNexmarkGenerator({ events: o.events, seed: o.seed ?? 42, eventsPerSecond: o.eventsPerSecond ?? 10_000 });
  const stats = new Map<string, BidStatsRow>();
  for (let index = 0; gen.hasEvent(index); index++) {
    const event = gen.eventAt(index);
    if (event.kind !== 'bid') continue;
    const t = gen.timestampAt(index);
    const windowStart = t - (((t % o.windowMs) + o.windowMs) % o.windowMs);
    const key = `${event.auction}@${windowStart}`;
    const row = stats.get(key) ?? { auction: event.auction, windowStart, bids: 0, priceSum: 0 };
    row.bids++;
    row.priceSum += event.price;
    stats.set(key, row);
  }
  return [...stats.values()];
}

/** One string per row with a fixed key order, for multiset comparison. */
export function canonicalBidStats(row: BidStatsRow): string {
  return `${row.auction}|${row.windowStart}|${row.bids}|${row.priceSum}`;
}
