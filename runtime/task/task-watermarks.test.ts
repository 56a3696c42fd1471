import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext } from '../api/functions.ts';
import { MAX_WATERMARK, MIN_WATERMARK } from '../api/watermarks.ts';
import { ACTIVE, IDLE } from '../network/buffers.ts';
import { KeyedProcessOperator } from '../operators/process-operators.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { TaskWatermarks } from './task-watermarks.ts';

/** One event-time timer per element, at the element's timestamp. */
class TimerPerElement extends KeyedProcessFunction<string, string, string> {
  processElement(_v: string, ctx: KeyedProcessContext<string>): void {
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()!);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}@${t}`);
  }
}

async function setup(inputOf: number[], timerBatch = 1000) {
  const h = await new OperatorHarness(new KeyedProcessOperator(new TimerPerElement() as never, (v) => v as string)).open();
  const events: number[] = [];
  const wms = new TaskWatermarks(h.operator, inputOf, inputOf.includes(1), { broadcastEvent: (kind) => events.push(kind) }, timerBatch);
  return { h, wms, events };
}

describe('task watermarks and idleness', () => {
  test('the head gets the minimum over the channels, only when it advances', async () => {
    const { h, wms } = await setup([0, 0]);
    wms.onWatermark(0, 100);
    expect(h.watermarks).toEqual([]);
    wms.onWatermark(1, 50);
    wms.onWatermark(1, 200);
    expect(h.watermarks).toEqual([50, 100]);
    expect(wms.inputWatermark()).toBe(100);
  });

  test('all channels idle: IDLE goes downstream once; a watermark from one of them: ACTIVE once', async () => {
    const { h, wms, events } = await setup([0, 0]);
    wms.onWatermark(0, 10);
    wms.onIdleness(1, true);
    expect(h.watermarks).toEqual([10]); // the idle channel no longer holds it back
    wms.onIdleness(0, true);
    wms.onIdleness(0, true);
    expect(events).toEqual([IDLE]);
    wms.onWatermark(0, 20);
    wms.onWatermark(0, 30);
    expect(events).toEqual([IDLE, ACTIVE]);
    expect(h.watermarks).toEqual([10, 20, 30]);
  });

  test('a watermark that makes many timers due fires them a batch per turn before it moves on', async () => {
    const { h, wms } = await setup([0], 2);
    for (let i = 0; i < 5; i++) h.processElement(`k${i}`, 10 + i);
    wms.onWatermark(0, 100);
    expect(wms.firingTimers).toBe(true);
    expect(h.watermarks).toEqual([]);
    let turns = 0;
    while (!wms.continueFiring()) turns++;
    expect(turns).toBeGreaterThanOrEqual(1);
    expect(wms.firingTimers).toBe(false);
    expect(h.values()).toEqual(['k0@10', 'k1@11', 'k2@12', 'k3@13', 'k4@14']);
    expect(h.watermarks).toEqual([100]);
  });

  test('two inputs: the task watermark is the lower of the two; no inputs: the maximum', async () => {
    const { wms } = await setup([0, 1]);
    expect(wms.inputWatermark()).toBe(MIN_WATERMARK);
    wms.onWatermark(0, 40);
    wms.onWatermark(1, 30);
    expect(wms.inputWatermark()).toBe(30);
    const none = (await setup([])).wms;
    expect(none.inputWatermark()).toBe(MAX_WATERMARK);
  });
});
