// q1, currency conversion: every bid with its price converted from dollars to euros.
// Integer arithmetic (floor(price * 908 / 1000)) so every runtime gets the same number.

import type { NexmarkEvent } from '../../../runtime/connectors/nexmark/index.ts';

export interface Q1Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
  readonly extra: string;
}

export const EURO_PER_DOLLAR_PERMILLE = 908;

export function toEuroCents(dollarCents: number): number {
  return Math.floor((dollarCents * EURO_PER_DOLLAR_PERMILLE) / 1000);
}

export function q1(events: readonly NexmarkEvent[]): Q1Row[] {
  const rows: Q1Row[] = [];
  for (const event of events) {
    if (event.kind !== 'bid') continue;
    rows.push({ auction: event.auction, bidder: event.bidder, price: toEuroCents(event.price), dateTime: event.dateTime, extra: event.extra });
  }
  return rows;
}
