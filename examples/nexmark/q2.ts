// Nexmark q2, selection: auction and price of bids on every `auctionModulus`-th auction (123).

import { defineJob, type JobParams } from '../../runtime/api/environment.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents, querySink, type QueryPlan } from './common.ts';

export function plan(params: JobParams): QueryPlan {
  return {
    logical: ['bids', `filter: auction % ${params.getNumber('auctionModulus', 123)} == 0`, 'map: (auction, price)'],
    implementation: ['filter and map chained to the source'],
  };
}

export default defineJob({
  name: 'nexmark-q2',
  build(env, params) {
    const modulus = params.getNumber('auctionModulus', 123);
    nexmarkEvents(env, params)
      .filter((e) => e.kind === 'bid' && e.auction % modulus === 0).uid('q2-select')
      .map((e) => ({ auction: (e as Bid).auction, price: (e as Bid).price })).uid('q2-project')
      .sinkTo(querySink<{ auction: number; price: number }>(params), { uid: 'q2-sink' });
  },
});
