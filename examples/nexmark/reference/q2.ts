// q2, selection: the auction and price of every bid on an auction whose id is a multiple of
// `auctionModulus` (Nexmark uses 123).

import type { NexmarkEvent } from '../../../runtime/connectors/nexmark/index.ts';

export interface Q2Row {
  readonly auction: number;
  readonly price: number;
}

export interface Q2Options {
  readonly auctionModulus: number;
}

export const Q2_DEFAULTS: Q2Options = { auctionModulus: 123 };

export function q2(events: readonly NexmarkEvent[], options: Q2Options = Q2_DEFAULTS): Q2Row[] {
  const rows: Q2Row[] = [];
  for (const event of events) {
    if (event.kind === 'bid' && event.auction % options.auctionModulus === 0) rows.push({ auction: event.auction, price: event.price });
  }
  return rows;
}
