// Recovery test job: per auction and tumbling event-time window, the number of bids and the sum
// of their prices, over a bounded, deterministic Nexmark input, written by the file sink. The
// fault-injection tests kill its processes while it runs and compare the committed output with
// `expectedBidStats` (./reference.ts), computed without the engine.
//
// Parameters (--set / params): events (default 200000), rate (events/s over all subtasks, 0 = no
// limit), windowMs (1000), eventsPerSecond (event-time speed, 10000), seed (42), out (directory).

import { defineJob } from '../../runtime/api/environment.ts';
import { ProcessWindowFunction, type Collector, type WindowContext } from '../../runtime/api/functions.ts';
import { WatermarkStrategies } from '../../runtime/api/watermarks.ts';
import { TumblingEventTimeWindows, type TimeWindow } from '../../runtime/api/windows.ts';
import { fileSink } from '../../runtime/connectors/file-sink.ts';
import type { Bid, NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { pacedNexmarkSource } from './paced-nexmark-source.ts';

export interface BidStatsRow {
  auction: number;
  windowStart: number;
  bids: number;
  priceSum: number;
}

interface Stats {
  bids: number;
  priceSum: number;
}

const sumBids = {
  createAccumulator: (): Stats => ({ bids: 0, priceSum: 0 }),
  add: (b: Bid, acc: Stats): Stats => ({ bids: acc.bids + 1, priceSum: acc.priceSum + b.price }),
  getResult: (acc: Stats): Stats => acc,
  merge: (a: Stats, b: Stats): Stats => ({ bids: a.bids + b.bids, priceSum: a.priceSum + b.priceSum }),
};

class WithWindowStart extends ProcessWindowFunction<Stats, BidStatsRow, number, TimeWindow> {
  process(auction: number, ctx: WindowContext<TimeWindow>, results: Iterable<Stats>, out: Collector<BidStatsRow>): void {
    for (const s of results) out.collect({ auction, windowStart: ctx.window().start, bids: s.bids, priceSum: s.priceSum });
  }
}

export default defineJob({
  name: 'recovery-bid-stats',
  build(env, params) {
    const out = params.get('out', '');
    if (!out) throw new Error('MR_ERR_JOB_PARAMS: recovery-bid-stats needs --set out=<directory> for its file sink');
    env.fromSource(pacedNexmarkSource({
      events: params.getNumber('events', 200_000),
      rate: params.getNumber('rate', 0),
      generator: { seed: params.getNumber('seed', 42), eventsPerSecond: params.getNumber('eventsPerSecond', 10_000) },
    }), WatermarkStrategies.forBoundedOutOfOrderness<NexmarkEvent>(0), 'Source: paced Nexmark').uid('bid-stats-source')
      .filter((e) => e.kind === 'bid').uid('bid-stats-bids')
      .map((e) => e as Bid).uid('bid-stats-as-bid')
      .keyBy<number>((b) => b.auction)
      .window(TumblingEventTimeWindows.of(params.getNumber('windowMs', 1000)))
      .aggregateWithProcess(sumBids, () => new WithWindowStart(), { uid: 'bid-stats-window' })
      .sinkTo(fileSink<BidStatsRow>({ path: out, format: 'jsonl' }), { uid: 'bid-stats-sink' });
  },
});
