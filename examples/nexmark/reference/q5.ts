// q5, hot items: per sliding event-time window, the auction(s) with the most bids.
// Ties all appear; windows without bids produce nothing.

import type { NexmarkEvent } from '../../../runtime/connectors/nexmark/index.ts';
import { slidingWindows } from './windows.ts';

export interface Q5Row {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly auction: number;
  readonly num: number;
}

export interface Q5Options {
  readonly windowSizeMs: number;
  readonly slideMs: number;
}

/** Nexmark uses 10 s sliding by 2 s; these defaults suit short test runs. */
export const Q5_DEFAULTS: Q5Options = { windowSizeMs: 2000, slideMs: 500 };

export function q5(events: readonly NexmarkEvent[], options: Q5Options = Q5_DEFAULTS): Q5Row[] {
  const counts = new Map<number, Map<number, number>>(); // windowStart -> auction -> bids
  for (const event of events) {
    if (event.kind !== 'bid') continue;
    for (const window of slidingWindows(event.dateTime, options.windowSizeMs, options.slideMs)) {
      let perAuction = counts.get(window.windowStart);
      if (perAuction === undefined) counts.set(window.windowStart, (perAuction = new Map()));
      perAuction.set(event.auction, (perAuction.get(event.auction) ?? 0) + 1);
    }
  }
  const rows: Q5Row[] = [];
  for (const [windowStart, perAuction] of counts) {
    const max = Math.max(...perAuction.values());
    for (const [auction, num] of perAuction) {
      if (num === max) rows.push({ windowStart, windowEnd: windowStart + options.windowSizeMs, auction, num });
    }
  }
  return rows;
}
