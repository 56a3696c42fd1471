import { dataBuffer, END_OF_PARTITION, eventBuffer, WATERMARK } from '../network/buffers.ts';
import { LocalChannel } from '../network/local-channel.ts';
import { MapOperator } from '../operators/simple-operators.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { ManualClock } from '../time/clock.ts';
import { BarrierHandler } from './barrier-handler.ts';
import { Cancellation, TaskCanceledError } from './cancellation.ts';
import { InputGate } from './input-gate.ts';
import { InputLoop } from './input-loop.ts';
import { InputProcessor } from './input-processor.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { LatencyMarkers } from './latency-markers.ts';
import { LoadMeter } from './load-meter.ts';
import { Mailbox } from './mailbox.ts';
import { TaskWatermarks } from './task-watermarks.ts';
import { TaskWriters } from './task-writers.ts';

async function setup() {
  const clock = new ManualClock(0);
  const input = new LocalChannel();
  const gate = new InputGate([{ reader: input, inputIndex: 0 }]);
  const head = await new OperatorHarness(new MapOperator((v) => `mapped ${String(v)}`)).open();
  const cancellation = new Cancellation();
  const load = new LoadMeter(clock);
  const writers = new TaskWriters([], clock, load, cancellation.promise);
  const watermarks = new TaskWatermarks(head.operator, [0], false, writers);
  const barriers = new BarrierHandler(1, gate, () => {}, clock);
  const processor = new InputProcessor(head.operator, [0], watermarks, barriers, new LatencyMarkers([], new LatencyHistogram(), clock));
  const mailbox = new Mailbox();
  const loop = new InputLoop({ taskName: 'map (1/1)', mailbox, cancellation, writers, load, clock, periodicWatermarks: () => {} }, gate, processor, watermarks, false);
  return { input, head, cancellation, mailbox, loop, processor };
}

describe('input loop', () => {
  test('processes buffers until every channel ended', async () => {
    const { input, head, loop, processor } = await setup();
    input.write(dataBuffer([1, 2], [10, 11]));
    input.write(eventBuffer(WATERMARK, 11));
    input.write(eventBuffer(END_OF_PARTITION));
    await loop.run();
    expect(head.values()).toEqual(['mapped 1', 'mapped 2']);
    expect(head.watermarks).toEqual([11]);
    expect(processor.recordsIn).toBe(2);
  });

  test('waiting for input, it wakes for mail and for input, and a cancel ends it with TaskCanceledError', async () => {
    const { input, head, cancellation, mailbox, loop } = await setup();
    const running = loop.run();
    const ran: string[] = [];
    await new Promise<void>((resolve) => mailbox.put(() => { ran.push('mail'); resolve(); }));
    input.write(dataBuffer(['late'], [1]));
    while (head.values().length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(head.values()).toEqual(['mapped late']);
    cancellation.cancel();
    await expect(running).rejects.toBeInstanceOf(TaskCanceledError);
    expect(ran).toEqual(['mail']);
  });
});
