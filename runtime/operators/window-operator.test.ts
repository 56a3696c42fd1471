import { OutputTag } from '../api/output-tag.ts';
import { CountTrigger, EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, TumblingProcessingTimeWindows } from '../api/windows.ts';
import { ProcessWindowFunction, type Collector, type WindowContext } from '../api/functions.ts';
import type { TimeWindow } from '../api/windows.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { WindowOperator } from './window-operator.ts';

type Ev = { k: string; n: number };
const key = (v: unknown) => (v as Ev).k;
const sum = (a: unknown, b: unknown) => ({ k: (a as Ev).k, n: (a as Ev).n + (b as Ev).n });

class Describe extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(k: string, ctx: WindowContext<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
    const w = ctx.window();
    out.collect(`${k}[${w.start},${w.end})=${[...elements].map((e) => e.n).join('+')}`);
  }
}

describe('window operator', () => {
  test('tumbling event-time reduce fires when the watermark passes the window end', async () => {
    const h = await new OperatorHarness(new WindowOperator({ assigner: TumblingEventTimeWindows.of(10), keySelector: key, fn: { reduce: sum } })).open();
    h.processElement({ k: 'a', n: 1 }, 1).processElement({ k: 'a', n: 2 }, 9).processElement({ k: 'b', n: 5 }, 3).processElement({ k: 'a', n: 7 }, 12);
    h.processWatermark(8);
    expect(h.values()).toEqual([]);
    h.processWatermark(9);
    expect(h.output).toEqual(expect.arrayContaining([{ value: { k: 'a', n: 3 }, timestamp: 9 }, { value: { k: 'b', n: 5 }, timestamp: 9 }]));
    expect(h.output).toHaveLength(2);
    h.processWatermark(Number.POSITIVE_INFINITY);
    expect(h.values()[2]).toEqual({ k: 'a', n: 7 });
  });

  test('sliding windows put each element in size/slide windows', async () => {
    const h = await new OperatorHarness(new WindowOperator({ assigner: SlidingEventTimeWindows.of(10, 5), keySelector: key, fn: { process: new Describe() as never } })).open();
    h.processElement({ k: 'a', n: 1 }, 7).processElement({ k: 'a', n: 2 }, 11);
    h.processWatermark(100);
    expect(h.values()).toEqual(['a[0,10)=1', 'a[5,15)=1+2', 'a[10,20)=2']);
  });

  test('session windows merge elements closer than the gap', async () => {
    const h = await new OperatorHarness(new WindowOperator({ assigner: EventTimeSessionWindows.withGap(5), keySelector: key, fn: { process: new Describe() as never } })).open();
    h.processElement({ k: 'a', n: 1 }, 0).processElement({ k: 'a', n: 2 }, 10).processElement({ k: 'a', n: 3 }, 5).processElement({ k: 'a', n: 4 }, 30);
    h.processWatermark(100);
    expect(h.values()).toEqual(['a[0,15)=1+2+3', 'a[30,35)=4']);
  });

  test('allowed lateness fires again for late elements; later ones go to the side output', async () => {
    const late = new OutputTag<Ev>('late');
    const h = await new OperatorHarness(new WindowOperator({
      assigner: TumblingEventTimeWindows.of(10), keySelector: key, fn: { reduce: sum }, allowedLatenessMs: 5, lateDataTag: late as OutputTag<unknown>,
    })).open();
    h.processElement({ k: 'a', n: 1 }, 1).processWatermark(10);
    expect(h.values()).toEqual([{ k: 'a', n: 1 }]);
    h.processElement({ k: 'a', n: 2 }, 2); // within lateness: late firing with the updated result
    expect(h.values()).toEqual([{ k: 'a', n: 1 }, { k: 'a', n: 3 }]);
    h.processWatermark(14); // cleanup time 9 + 5 = 14 reached
    h.processElement({ k: 'a', n: 4 }, 3);
    expect(h.side('late')).toEqual([{ k: 'a', n: 4 }]);
    expect(h.values()).toHaveLength(2);
  });

  test('aggregate windows survive snapshot and restore into a fresh operator', async () => {
    const avg = {
      createAccumulator: () => [0, 0] as [number, number],
      add: (v: unknown, acc: [number, number]) => [acc[0] + (v as Ev).n, acc[1] + 1] as [number, number],
      getResult: (acc: [number, number]) => acc[0] / acc[1],
      merge: (a: [number, number], b: [number, number]) => [a[0] + b[0], a[1] + b[1]] as [number, number],
    };
    const make = () => new WindowOperator({ assigner: TumblingEventTimeWindows.of(10), keySelector: key, fn: { aggregate: avg as never } });
    const h1 = await new OperatorHarness(make()).open();
    h1.processElement({ k: 'a', n: 2 }, 1).processElement({ k: 'a', n: 4 }, 2);
    const snap = h1.snapshot();
    const h2 = await new OperatorHarness(make()).open([snap]);
    h2.processElement({ k: 'a', n: 6 }, 3).processWatermark(20);
    expect(h2.output).toEqual([{ value: 4, timestamp: 9 }]);
  });

  test('restore with a different parallelism keeps only the owned key groups', async () => {
    const make = () => new WindowOperator({ assigner: TumblingEventTimeWindows.of(10), keySelector: key, fn: { reduce: sum } });
    const h = await new OperatorHarness(make()).open();
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    for (const k of keys) h.processElement({ k, n: 1 }, 1);
    const snap = h.snapshot();
    const parts = await Promise.all([0, 1].map((i) => new OperatorHarness(make(), { parallelism: 2, subtaskIndex: i }).open([snap])));
    for (const p of parts) p.processWatermark(100);
    const a = parts[0]!.values().map((v) => (v as Ev).k);
    const b = parts[1]!.values().map((v) => (v as Ev).k);
    expect([...a, ...b].sort()).toEqual([...keys].sort());
    expect(a.filter((k) => b.includes(k))).toEqual([]);
  });

  test('processing-time windows fire on the clock', async () => {
    const h = await new OperatorHarness(new WindowOperator({ assigner: TumblingProcessingTimeWindows.of(100), keySelector: key, fn: { reduce: sum } }), { startTime: 1000 }).open();
    h.processElement({ k: 'a', n: 1 }).processElement({ k: 'a', n: 2 });
    h.setProcessingTime(1050);
    expect(h.values()).toEqual([]);
    h.setProcessingTime(1100);
    expect(h.values()).toEqual([{ k: 'a', n: 3 }]);
  });

  test('a count trigger fires every n elements', async () => {
    const h = await new OperatorHarness(new WindowOperator({ assigner: TumblingEventTimeWindows.of(1000), trigger: CountTrigger.of(2), keySelector: key, fn: { reduce: sum } })).open();
    for (let i = 1; i <= 5; i++) h.processElement({ k: 'a', n: i }, i);
    expect(h.values()).toEqual([{ k: 'a', n: 3 }, { k: 'a', n: 10 }]);
  });

  test('an event-time window without timestamps fails with a clear error', async () => {
    const h = await new OperatorHarness(new WindowOperator({ assigner: TumblingEventTimeWindows.of(10), keySelector: key, fn: { reduce: sum } })).open();
    expect(() => h.processElement({ k: 'a', n: 1 })).toThrow(/MR_ERR_NO_TIMESTAMP/);
  });

  test('a large timer burst fired in batches emits exactly the output of one firing, in order, and then the watermark', async () => {
    const make = () => new WindowOperator({ assigner: SlidingEventTimeWindows.of(40, 10), keySelector: key, fn: { process: new Describe() as never } });
    const feed = (h: OperatorHarness) => {
      for (let i = 0; i < 6000; i++) h.processElement({ k: `k${i % 3000}`, n: i }, i % 37);
    };
    const once = await new OperatorHarness(make()).open();
    feed(once);
    once.processWatermark(39); // windows ending at 10, 20, 30 and 40 of 3000 keys: thousands of timers
    const due = once.output.length;
    expect(due).toBeGreaterThan(8000);

    const batched = await new OperatorHarness(make()).open();
    feed(batched);
    expect(batched.operator.processWatermark(39, 0, 500)).toBe(false);
    expect(batched.output.length).toBeGreaterThanOrEqual(500);
    expect(batched.output.length).toBeLessThan(due);
    expect(batched.watermarks).toEqual([]); // not forwarded while timers are left
    let batches = 1;
    while (!batched.operator.continueWatermark(500)) {
      batches++;
      expect(batched.watermarks).toEqual([]);
    }
    expect(batches + 1).toBe(Math.ceil(due / 500)); // one window per (key, timestamp): 500 results a batch
    expect(batched.output).toEqual(once.output);
    expect(batched.watermarks).toEqual([39]);
    expect(batched.operator.hasPendingWatermark()).toBe(false);

    // windows not yet due keep their contents and fire with a later watermark, also in batches
    expect(batched.processWatermarkInBatches(100, 700)).toBeGreaterThan(1);
    once.processWatermark(100);
    expect(batched.output).toEqual(once.output);
    expect(batched.watermarks).toEqual([39, 100]);
    // fired windows leave no contents and no timers behind
    expect(batched.operator.backend!.table('_window_contents', true).size()).toBe(0);
    expect(batched.operator.timers!.eventTimerCount()).toBe(0);
  });
});
