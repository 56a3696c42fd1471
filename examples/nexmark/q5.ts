// Nexmark q5, hot items: per sliding window, the auction(s) with the most bids. Counting runs
// in parallel by auction (only the auction id crosses the network: nothing else is read); each
// counting subtask sends only its best auctions per window (local-global, as Flink SQL plans
// it; a count never decreases, so the best auctions are kept up to date per bid and a window
// fires without visiting every auction), and a second keyed stage (by window) keeps the overall
// maximum and emits it when the watermark passes the window end.

import { defineJob, type JobParams } from '../../runtime/api/environment.ts';
import { KeyedProcessFunction, ProcessWindowFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext, type WindowContext } from '../../runtime/api/functions.ts';
import { listState, valueState, type ListState, type ValueState } from '../../runtime/api/state.ts';
import { SlidingEventTimeWindows, type TimeWindow } from '../../runtime/api/windows.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';
import { aggregateMaxPerWindow } from '../../runtime/operators/windowing/aggregate-locally.ts';
import { nexmarkEvents, querySink, type QueryPlan } from './common.ts';

export interface Q5Row {
  windowStart: number;
  windowEnd: number;
  auction: number;
  num: number;
}

/** Bids per auction (the window aggregate). */
export const count = {
  createAccumulator: () => 0,
  add: (_auction: number, acc: number) => acc + 1,
  getResult: (acc: number) => acc,
  merge: (a: number, b: number) => a + b,
};

/** Adds the window's bounds to each auction's count. */
export class WithWindow extends ProcessWindowFunction<number, Q5Row, number, TimeWindow> {
  process(auction: number, ctx: WindowContext<TimeWindow>, counts: Iterable<number>, out: Collector<Q5Row>): void {
    const w = ctx.window();
    for (const num of counts) out.collect({ windowStart: w.start, windowEnd: w.end, auction, num });
  }
}

export class MaxPerWindow extends KeyedProcessFunction<number, Q5Row, Q5Row> {
  private max!: ValueState<number>;
  private best!: ListState<Q5Row>;
  override open(ctx: RuntimeContext): void {
    this.max = ctx.getState(valueState<number>('max'));
    this.best = ctx.getListState(listState<Q5Row>('best'));
  }
  processElement(r: Q5Row, ctx: KeyedProcessContext<number>): void {
    const max = this.max.value();
    if (max === undefined || r.num > max) {
      this.max.update(r.num);
      this.best.update([r]);
      ctx.timerService().registerEventTimeTimer(r.windowEnd - 1);
    } else if (r.num === max) this.best.add(r);
  }
  override onTimer(_t: number, _ctx: OnTimerContext<number>, out: Collector<Q5Row>): void {
    for (const r of this.best.get()) out.collect(r);
    this.best.clear();
    this.max.clear();
  }
}

export function plan(params: JobParams): QueryPlan {
  const size = params.getNumber('windowSizeMs', 2000);
  const slide = params.getNumber('slideMs', 500);
  return {
    logical: ['bids', 'map: auction id only', 'key by auction', `sliding window ${size} ms / ${slide} ms: count`,
      'per subtask and window: the best auctions kept up to date per bid, sent when the window fires (local-global)', 'key by window start', 'max per window, emitted at window end'],
    implementation: [`WindowOperator maxPerWindow: sliding windows kept in panes (one update per bid instead of ${size / slide})`, 'best auctions per window tracked per bid: firing visits no other auction'],
  };
}

export default defineJob({
  name: 'nexmark-q5',
  build(env, params) {
    const size = params.getNumber('windowSizeMs', 2000);
    const slide = params.getNumber('slideMs', 500);
    const auctions = nexmarkEvents(env, params)
      .filter((e) => e.kind === 'bid').uid('q5-bids')
      .map((e) => (e as Bid).auction).uid('q5-auction-of-bid')
      .keyBy<number>((auction) => auction);
    aggregateMaxPerWindow(auctions, SlidingEventTimeWindows.of(size, slide), count, (num) => num, () => new WithWindow(), { uid: 'q5-count' })
      .keyBy<number>((r) => r.windowStart)
      .processKeyed(() => new MaxPerWindow(), { uid: 'q5-max' })
      .sinkTo(querySink<Q5Row>(params), { uid: 'q5-sink' });
  },
});
