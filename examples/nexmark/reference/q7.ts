// q7, highest bid: per tumbling event-time window, the bid(s) with the highest price.
// Ties all appear.

import type { Bid, NexmarkEvent } from '../../../runtime/connectors/nexmark/index.ts';
import { tumblingWindow } from './windows.ts';

export interface Q7Row {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
}

export interface Q7Options {
  readonly windowSizeMs: number;
}

/** Nexmark uses 10 s; this default suits short test runs. */
export const Q7_DEFAULTS: Q7Options = { windowSizeMs: 1000 };

export function q7(events: readonly NexmarkEvent[], options: Q7Options = Q7_DEFAULTS): Q7Row[] {
  const best = new Map<number, Bid[]>(); // windowStart -> highest-priced bids so far
  for (const event of events) {
    if (event.kind !== 'bid') continue;
    const { windowStart } = tumblingWindow(event.dateTime, options.windowSizeMs);
    const current = best.get(windowStart);
    if (current === undefined || (current[0] as Bid).price < event.price) best.set(windowStart, [event]);
    else if ((current[0] as Bid).price === event.price) current.push(event);
  }
  const rows: Q7Row[] = [];
  for (const [windowStart, bids] of best) {
    for (const bid of bids) {
      rows.push({ windowStart, windowEnd: windowStart + options.windowSizeMs, auction: bid.auction, bidder: bid.bidder, price: bid.price, dateTime: bid.dateTime });
    }
  }
  return rows;
}
