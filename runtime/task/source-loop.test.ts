import type { SourceOutput } from '../api/source.ts';
import { MAX_WATERMARK, WatermarkStrategies } from '../api/watermarks.ts';
import { ACTIVE, IDLE } from '../network/buffers.ts';
import { LocalChannel } from '../network/local-channel.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { ManualClock } from '../time/clock.ts';
import { Cancellation } from './cancellation.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { LatencyMarkers } from './latency-markers.ts';
import { LoadMeter } from './load-meter.ts';
import { Mailbox } from './mailbox.ts';
import { RecordWriter } from './record-writer.ts';
import { SourceLoop } from './source-loop.ts';
import { TaskWriters } from './task-writers.ts';

/** Emits what the test queued; 'wait' (with an availability promise the test resolves) when empty; 'end' once closed. */
class QueueReader {
  readonly queue: number[] = [];
  closed = false;
  private wake: (() => void) | undefined;
  pollNext(out: SourceOutput<unknown>, max: number): 'more' | 'wait' | 'end' {
    let n = 0;
    while (this.queue.length > 0 && n < max) {
      const v = this.queue.shift()!;
      out.collect(v, v);
      n++;
    }
    if (this.queue.length > 0) return 'more';
    return this.closed ? 'end' : 'wait';
  }
  available(): Promise<void> {
    return new Promise((resolve) => { this.wake = resolve; });
  }
  push(...vs: number[]): void {
    this.queue.push(...vs);
    this.wake?.();
  }
  close(): void {
    this.closed = true;
    this.wake?.();
  }
}

async function setup() {
  const reader = new QueueReader();
  const src = new SourceOperator(reader, WatermarkStrategies.forMonotonousTimestamps<unknown>().withIdleness(500));
  const h = await new OperatorHarness(src).open();
  src.watermarkIntervalMs = 0;
  const clock = new ManualClock(0);
  const out = new LocalChannel();
  const cancellation = new Cancellation();
  const load = new LoadMeter(clock);
  const writer = new RecordWriter([out], 'forward', undefined, 128, 0);
  const writers = new TaskWriters([writer], clock, load, cancellation.promise);
  const loop = new SourceLoop({ taskName: 'src (1/1)', mailbox: new Mailbox(), cancellation, writers, load, clock, periodicWatermarks: () => {} },
    src, new LatencyMarkers([writer], new LatencyHistogram(), clock, 0), false);
  const events = (): number[] => {
    const kinds: number[] = [];
    for (let b = out.poll(); b; b = out.poll()) kinds.push(b.kind);
    return kinds;
  };
  return { reader, h, loop, events };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('source loop', () => {
  test('polls until the reader ends, then emits the final watermark', async () => {
    const { reader, h, loop } = await setup();
    reader.push(1, 2, 3);
    reader.close();
    await loop.run();
    expect(h.values()).toEqual([1, 2, 3]);
    expect(loop.recordsIn).toBe(3);
    expect(h.watermarks.at(-1)).toBe(MAX_WATERMARK);
  });

  test('a source without records for its idle timeout marks the task idle downstream, and active with its next record', async () => {
    const { reader, h, loop, events } = await setup();
    const running = loop.run();
    reader.push(1);
    while (h.values().length < 1) await turn();
    h.setProcessingTime(100);
    reader.push(); // an empty wake: the first check without records starts the idle time
    await turn();
    h.setProcessingTime(700);
    reader.push();
    while (!events().includes(IDLE)) await turn();
    reader.push(2);
    while (h.values().length < 2) await turn();
    reader.close();
    await running;
    expect(h.values()).toEqual([1, 2]);
    // the record that ended the idleness sent ACTIVE downstream
    const rest = events();
    expect(rest).toContain(ACTIVE);
  });
});
