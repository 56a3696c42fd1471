// q3, local item suggestion: people in OR, ID or CA who sell in category 10. An unbounded
// inner join of auctions with their seller: one row per (auction, seller) pair whatever the
// arrival order, since a streaming join keeps both sides in state.

import type { Auction, NexmarkEvent, Person } from '../../../runtime/connectors/nexmark/index.ts';

export interface Q3Row {
  readonly name: string;
  readonly city: string;
  readonly state: string;
  readonly id: number;
}

export interface Q3Options {
  readonly category: number;
  readonly states: readonly string[];
}

export const Q3_DEFAULTS: Q3Options = { category: 10, states: ['OR', 'ID', 'CA'] };

export function q3(events: readonly NexmarkEvent[], options: Q3Options = Q3_DEFAULTS): Q3Row[] {
  const sellers = new Map<number, Person>();
  const auctions: Auction[] = [];
  for (const event of events) {
    if (event.kind === 'person' && options.states.includes(event.state)) sellers.set(event.id, event);
    else if (event.kind === 'auction' && event.category === options.category) auctions.push(event);
  }
  const rows: Q3Row[] = [];
  for (const auction of auctions) {
    const seller = sellers.get(auction.seller);
    if (seller !== undefined) rows.push({ name: seller.name, city: seller.city, state: seller.state, id: auction.id });
  }
  return rows;
}
