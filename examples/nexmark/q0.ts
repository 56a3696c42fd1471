// Nexmark q0, pass-through: every bid unchanged. Measures reading and emitting events.

import { defineJob } from '../../runtime/api/environment.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents, querySink, type QueryPlan } from './common.ts';

export function plan(): QueryPlan {
  return { logical: ['bids', 'pass-through'], implementation: ['filter and map chained to the source'] };
}

export default defineJob({
  name: 'nexmark-q0',
  build(env, params) {
    nexmarkEvents(env, params)
      .filter((e) => e.kind === 'bid').uid('q0-bids')
      .map((e) => e as Bid).uid('q0-pass-through')
      .sinkTo(querySink<Bid>(params), { uid: 'q0-sink' });
  },
});
