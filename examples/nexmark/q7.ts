// Nexmark q7, highest bid: per tumbling window, the bid(s) with the highest price. Local-global:
// bids are spread over `buckets` keys (auction mod buckets) whose windows keep their best bids,
// then one keyed stage per window picks the overall maximum at the window end.

import { defineJob, type JobParams } from '../../runtime/api/environment.ts';
import { KeyedProcessFunction, ProcessWindowFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext, type WindowContext } from '../../runtime/api/functions.ts';
import { listState, valueState, type ListState, type ValueState } from '../../runtime/api/state.ts';
import { TumblingEventTimeWindows, type TimeWindow } from '../../runtime/api/windows.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents, querySink, type QueryPlan } from './common.ts';

export interface Q7Row {
  windowStart: number;
  windowEnd: number;
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
}

type Best = { price: number; bids: Bid[] };

const highest = {
  createAccumulator: (): Best => ({ price: -1, bids: [] }),
  add(b: Bid, acc: Best): Best {
    if (b.price > acc.price) return { price: b.price, bids: [b] };
    if (b.price === acc.price) acc.bids.push(b);
    return acc;
  },
  getResult: (acc: Best) => acc,
  merge: (a: Best, b: Best): Best => (a.price > b.price ? a : b.price > a.price ? b : { price: a.price, bids: [...a.bids, ...b.bids] }),
};

class Rows extends ProcessWindowFunction<Best, Q7Row, number, TimeWindow> {
  process(_k: number, ctx: WindowContext<TimeWindow>, results: Iterable<Best>, out: Collector<Q7Row>): void {
    const w = ctx.window();
    for (const best of results) {
      for (const b of best.bids) out.collect({ windowStart: w.start, windowEnd: w.end, auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime });
    }
  }
}

class MaxPerWindow extends KeyedProcessFunction<number, Q7Row, Q7Row> {
  private max!: ValueState<number>;
  private best!: ListState<Q7Row>;
  override open(ctx: RuntimeContext): void {
    this.max = ctx.getState(valueState<number>('max-price'));
    this.best = ctx.getListState(listState<Q7Row>('best-bids'));
  }
  processElement(r: Q7Row, ctx: KeyedProcessContext<number>): void {
    const max = this.max.value();
    if (max === undefined || r.price > max) {
      this.max.update(r.price);
      this.best.update([r]);
      ctx.timerService().registerEventTimeTimer(r.windowEnd - 1);
    } else if (r.price === max) this.best.add(r);
  }
  override onTimer(_t: number, _ctx: OnTimerContext<number>, out: Collector<Q7Row>): void {
    for (const r of this.best.get()) out.collect(r);
    this.best.clear();
    this.max.clear();
  }
}

export function plan(params: JobParams): QueryPlan {
  return {
    logical: ['bids', `key by auction % ${params.getNumber('buckets', 128)}`, `tumbling window ${params.getNumber('windowSizeMs', 1000)} ms: highest-price bids (aggregate)`, 'key by window start', 'max per window, emitted at window end'],
    implementation: ['WindowOperator, heap state: one accumulator per (bucket, window)'],
  };
}

export default defineJob({
  name: 'nexmark-q7',
  build(env, params) {
    const size = params.getNumber('windowSizeMs', 1000);
    const buckets = params.getNumber('buckets', 128);
    nexmarkEvents(env, params)
      .filter((e) => e.kind === 'bid').uid('q7-bids')
      .map((e) => e as Bid).uid('q7-as-bid')
      .keyBy<number>((b) => b.auction % buckets)
      .window(TumblingEventTimeWindows.of(size))
      .aggregateWithProcess(highest, () => new Rows(), { uid: 'q7-local-max' })
      .keyBy<number>((r) => r.windowStart)
      .processKeyed(() => new MaxPerWindow(), { uid: 'q7-global-max' })
      .sinkTo(querySink<Q7Row>(params), { uid: 'q7-sink' });
  },
});
