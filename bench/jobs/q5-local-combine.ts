// Nexmark q5 for the benchmark's headline row, with the plan of the Flink peer's q5
// (bench/flink/.../Queries.java): count per auction and sliding window; when a window fires, each
// counting subtask keeps only its best auctions of that window (local combine, as the peer's
// chained LocalMaxPerWindow), then one keyed stage per window keeps the overall maximum.
// examples/nexmark/q5.ts instead tracks the best auctions per bid (maxPerWindow); the benchmark
// shows that as a separate, labelled row. Same output rows as examples/nexmark/q5.ts.

import { defineJob, type JobParams } from '../../runtime/api/environment.ts';
import { keepMaxPerWindow, SlidingEventTimeWindows } from '../../runtime/api/windows.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';
import { aggregateWithLocalCombine } from '../../runtime/operators/windowing/aggregate-locally.ts';
import { nexmarkEvents, querySink, type QueryPlan } from '../../examples/nexmark/common.ts';
import { count, MaxPerWindow, WithWindow, type Q5Row } from '../../examples/nexmark/q5.ts';

export function plan(params: JobParams): QueryPlan {
  const size = params.getNumber('windowSizeMs', 2000);
  const slide = params.getNumber('slideMs', 500);
  return {
    logical: ['bids', 'map: auction id only', 'key by auction', `sliding window ${size} ms / ${slide} ms: count`,
      'per subtask and window: the best auctions, sent when the window fires (local-global)', 'key by window start', 'max per window, emitted at window end'],
    implementation: [`WindowOperator: sliding windows kept in panes (built in for aggregate sliding windows: one update per bid instead of ${size / slide})`,
      'local combine at firing keeps the best rows of each fired window'],
  };
}

export default defineJob({
  name: 'nexmark-q5-local-combine',
  build(env, params) {
    const size = params.getNumber('windowSizeMs', 2000);
    const slide = params.getNumber('slideMs', 500);
    const auctions = nexmarkEvents(env, params)
      .filter((e) => e.kind === 'bid').uid('q5-bids')
      .map((e) => (e as Bid).auction).uid('q5-auction-of-bid')
      .keyBy<number>((auction) => auction);
    aggregateWithLocalCombine(auctions, SlidingEventTimeWindows.of(size, slide), count, () => new WithWindow(), keepMaxPerWindow<Q5Row>((r) => r.num), { uid: 'q5-count' })
      .keyBy<number>((r) => r.windowStart)
      .processKeyed(() => new MaxPerWindow(), { uid: 'q5-max' })
      .sinkTo(querySink<Q5Row>(params), { uid: 'q5-sink' });
  },
});
