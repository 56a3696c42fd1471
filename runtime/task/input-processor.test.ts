import { CoProcessFunction, type Collector, type ProcessContext } from '../api/functions.ts';
import { BARRIER, dataBuffer, END_OF_PARTITION, eventBuffer, IDLE, LATENCY_MARKER, WATERMARK } from '../network/buffers.ts';
import { CoProcessOperator } from '../operators/process-operators.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { ManualClock } from '../time/clock.ts';
import { BarrierHandler } from './barrier-handler.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { LatencyMarkers } from './latency-markers.ts';
import { InputProcessor } from './input-processor.ts';
import { TaskWatermarks } from './task-watermarks.ts';

/** Tags each record with the input it came in on. */
class Tagged extends CoProcessFunction<string, string, string> {
  processElement1(v: string, _ctx: ProcessContext, out: Collector<string>): void {
    out.collect(`1:${v}`);
  }
  processElement2(v: string, _ctx: ProcessContext, out: Collector<string>): void {
    out.collect(`2:${v}`);
  }
}

describe('input processor', () => {
  test('each kind of buffer reaches the part that owns it; records go to the input of their channel', async () => {
    const h = await new OperatorHarness(new CoProcessOperator(new Tagged() as never)).open();
    const clock = new ManualClock(1_000);
    const events: number[] = [];
    const watermarks = new TaskWatermarks(h.operator, [0, 1], true, { broadcastEvent: (k) => events.push(k) });
    const taken: number[] = [];
    const barriers = new BarrierHandler(2, { block: () => {}, unblockAll: () => {} }, (id) => taken.push(id), clock);
    const histogram = new LatencyHistogram();
    const p = new InputProcessor(h.operator, [0, 1], watermarks, barriers, new LatencyMarkers([], histogram, clock));
    p.process(dataBuffer(['a', 'b'], [1, 2]), 0);
    p.process(dataBuffer(['c'], [3]), 1);
    expect(h.values()).toEqual(['1:a', '1:b', '2:c']);
    expect(p.recordsIn).toBe(3);
    p.process(eventBuffer(WATERMARK, 10), 0);
    p.process(eventBuffer(WATERMARK, 20), 1);
    expect(h.watermarks).toEqual([10]);
    p.process(eventBuffer(IDLE), 0);
    p.process(eventBuffer(IDLE), 1);
    expect(events).toEqual([IDLE]);
    p.process(eventBuffer(LATENCY_MARKER, 990), 0);
    expect(histogram.count).toBe(1);
    p.process(eventBuffer(BARRIER, 4), 0);
    p.process(eventBuffer(END_OF_PARTITION), 1);
    expect(taken).toEqual([4]);
    expect(() => p.process(eventBuffer(99), 0)).toThrow(/MR_ERR_UNKNOWN_EVENT/);
  });
});
