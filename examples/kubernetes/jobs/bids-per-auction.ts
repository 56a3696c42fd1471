// The job of 04-deployment.yaml: an endless, paced Nexmark stream; per 10-second event-time
// window, the number of bids of each auction, printed to the JobManager's and TaskManagers'
// logs (`kubectl logs`). Ships in the project image at /opt/millrace/examples/kubernetes/jobs/.
// Parameters (spec.configuration): rate (events per second, default 200), windowSeconds (10).
import { defineJob } from '../../../runtime/api/environment.ts';
import { WatermarkStrategies } from '../../../runtime/api/watermarks.ts';
import { TumblingEventTimeWindows } from '../../../runtime/api/windows.ts';
import { nexmarkSource } from '../../../runtime/connectors/nexmark-source.ts';
import type { Bid, NexmarkEvent } from '../../../runtime/connectors/nexmark/index.ts';
import { printSink } from '../../../runtime/api/print-sink.ts';

interface AuctionCount { auction: number; bids: number }

export default defineJob({
  name: 'bids-per-auction',
  build(env, params) {
    const rate = params.getNumber('rate', 200);
    const windowMs = params.getNumber('windowSeconds', 10) * 1000;
    // Event time advances as fast as wall time: eventsPerSecond equals the pace.
    env.fromSource(nexmarkSource({ rateLimit: rate, eventsPerSecond: rate }), WatermarkStrategies.forBoundedOutOfOrderness<NexmarkEvent>(0))
      .uid('nexmark')
      .filter((e): e is Bid => e.kind === 'bid').uid('bids')
      .map((b): AuctionCount => ({ auction: b.auction, bids: 1 })).uid('ones')
      .keyBy((r) => r.auction)
      .window(TumblingEventTimeWindows.of(windowMs))
      .reduce((a, b) => ({ auction: a.auction, bids: a.bids + b.bids })).uid('count')
      .sinkTo(printSink<AuctionCount>('bids-per-auction'), { uid: 'print' });
  },
});
