// Nexmark q1, currency conversion: bid prices from dollars to euros (integer arithmetic).

import { defineJob } from '../../runtime/api/environment.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents, querySink, type QueryPlan } from './common.ts';

export interface Q1Row {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
  extra: string;
}

export function plan(): QueryPlan {
  return { logical: ['bids', 'map: price in euros'], implementation: ['filter and map chained to the source'] };
}

export default defineJob({
  name: 'nexmark-q1',
  build(env, params) {
    nexmarkEvents(env, params)
      .filter((e) => e.kind === 'bid').uid('q1-bids')
      .map((e): Q1Row => {
        const b = e as Bid;
        return { auction: b.auction, bidder: b.bidder, price: Math.floor((b.price * 908) / 1000), dateTime: b.dateTime, extra: b.extra };
      }).uid('q1-convert')
      .sinkTo(querySink<Q1Row>(params), { uid: 'q1-sink' });
  },
});
