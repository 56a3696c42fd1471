import { OutputTag } from '../api/output-tag.ts';
import { CountTrigger, EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, TumblingProcessingTimeWindows, keepMaxPerWindow, type WindowAssigner } from '../api/windows.ts';
import { ProcessWindowFunction, type Collector, type WindowContext } from '../api/functions.ts';
import type { TimeWindow } from '../api/windows.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { WindowOperator } from './window-operator.ts';
import { LocalWindowCombine } from './windowing/local-combine.ts';

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

describe('sliding aggregate windows in panes', () => {
  const count = {
    createAccumulator: () => 0,
    add: (_v: unknown, acc: number) => acc + 1,
    getResult: (acc: number) => acc,
    merge: (a: number, b: number) => a + b,
  };
  class Row extends ProcessWindowFunction<number, string, string, TimeWindow> {
    process(k: string, ctx: WindowContext<TimeWindow>, counts: Iterable<number>, out: Collector<string>): void {
      const w = ctx.window();
      for (const n of counts) out.collect(`${k}[${w.start},${w.end})=${n}`);
    }
  }
  /** the same windows through the timer-based path: all elements, counted by the window function */
  class CountAll extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(k: string, ctx: WindowContext<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
      const w = ctx.window();
      out.collect(`${k}[${w.start},${w.end})=${[...elements].length}`);
    }
  }
  const late = new OutputTag<Ev>('late');
  const paned = () => new WindowOperator({ assigner: SlidingEventTimeWindows.of(40, 10), keySelector: key, fn: { aggregate: count as never, process: new Row() as never }, lateDataTag: late as OutputTag<unknown> });
  const timers = () => new WindowOperator({ assigner: SlidingEventTimeWindows.of(40, 10), keySelector: key, fn: { process: new CountAll() as never }, lateDataTag: late as OutputTag<unknown> });
  /** out-of-order records, watermarks in between, some records late for some or all of their windows */
  const lateness = (i: number) => (i * 13) % 97;
  const drive = (h: OperatorHarness, from = 0, to = 4000, behind = lateness) => {
    for (let i = from; i < to; i++) {
      h.processElement({ k: `k${(i * 7) % 53}`, n: i }, Math.floor(i / 20) + 30 - behind(i));
      if (i % 250 === 249) h.processWatermark(Math.floor(i / 20));
    }
  };
  const sorted = (xs: unknown[]) => [...xs].map(String).sort();

  test('give the results of the timer-based windows, with the same late records, and keep no state after the last window', async () => {
    const p = await new OperatorHarness(paned()).open();
    const t = await new OperatorHarness(timers()).open();
    drive(p);
    drive(t);
    expect(sorted(p.values())).toEqual(sorted(t.values()));
    expect(p.side('late').length).toBeGreaterThan(0);
    expect(p.side('late')).toEqual(t.side('late'));
    p.processWatermark(Number.POSITIVE_INFINITY);
    t.processWatermark(Number.POSITIVE_INFINITY);
    expect(sorted(p.values())).toEqual(sorted(t.values()));
    expect(p.values().length).toBeGreaterThan(1000);
    expect(p.output.every((e) => /\[(-?\d+),(-?\d+)\)/.exec(e.value as string)![2] === String(e.timestamp! + 1))).toBe(true);
    expect(p.operator.backend!.stateSize('_window_panes')).toBe(0);
    expect(p.operator.timers!.eventTimerCount()).toBe(0);
  });

  test('fire in bounded steps: the watermark leaves after the last window, the output equals one firing', async () => {
    const once = await new OperatorHarness(paned()).open();
    const stepped = await new OperatorHarness(paned()).open();
    for (const h of [once, stepped]) for (let i = 0; i < 3000; i++) h.processElement({ k: `k${i}`, n: i }, i % 37);
    once.processWatermark(39);
    expect(stepped.operator.processWatermark(39, 0, 100)).toBe(false);
    expect(stepped.watermarks).toEqual([]);
    expect(stepped.operator.hasPendingWatermark()).toBe(true);
    let steps = 1;
    while (!stepped.operator.continueWatermark(100)) steps++;
    // 3000 keys in 128 key groups, whole groups of about 23 keys per step until 100 are visited
    expect(steps).toBeGreaterThanOrEqual(20);
    expect(steps).toBeLessThanOrEqual(31);
    expect(sorted(stepped.values())).toEqual(sorted(once.values()));
    expect(stepped.watermarks).toEqual([39]);
    expect(stepped.operator.hasPendingWatermark()).toBe(false);
  });

  test('a watermark that passes no window end forwards at once without walking the keys', async () => {
    const h = await new OperatorHarness(paned()).open();
    for (let i = 0; i < 3000; i++) h.processElement({ k: `k${i}`, n: i }, 10 + (i % 7));
    expect(h.operator.processWatermark(15, 0, 1)).toBe(true); // ends 20, 30, … not reached
    expect(h.operator.processWatermark(18, 0, 1)).toBe(true);
    expect(h.watermarks).toEqual([15, 18]);
    expect(h.values()).toEqual([]);
    expect(h.operator.processWatermark(19, 0, 1)).toBe(false); // window [-20, 20) of every key is due
    while (!h.operator.continueWatermark(1));
    expect(h.values()).toHaveLength(3000);
    expect(h.operator.processWatermark(25, 0, 1)).toBe(true);
    expect(h.watermarks).toEqual([15, 18, 19, 25]);
  });

  test('a snapshot restored at another parallelism fires every window exactly once', async () => {
    // records at most 30 ms behind the watermark: none is late (a restored operator starts without a watermark)
    const inTime = (i: number) => (i * 13) % 31;
    const whole = await new OperatorHarness(paned()).open();
    drive(whole, 0, 4000, inTime);
    whole.processWatermark(Number.POSITIVE_INFINITY);
    expect(whole.side('late')).toEqual([]);

    const first = await new OperatorHarness(paned()).open();
    drive(first, 0, 2000, inTime);
    const before = first.values();
    const snap = first.snapshot();
    const parts = await Promise.all([0, 1].map((i) => new OperatorHarness(paned(), { parallelism: 2, subtaskIndex: i }).open([snap])));
    for (const part of parts) {
      for (let i = 2000; i < 4000; i++) {
        const k = `k${(i * 7) % 53}`;
        const owned = part.operator.backend!.setCurrentKeyIfOwned(k);
        // what a keyBy would route to this subtask; watermarks reach both
        if (owned) part.processElement({ k, n: i }, Math.floor(i / 20) + 30 - inTime(i));
        if (i % 250 === 249) part.processWatermark(Math.floor(i / 20));
      }
      part.processWatermark(Number.POSITIVE_INFINITY);
    }
    expect(sorted([...before, ...parts[0]!.values(), ...parts[1]!.values()])).toEqual(sorted(whole.values()));
  });
});

describe('local combine of window results', () => {
  type Row = { w: number; k: string; n: number };
  const count = {
    createAccumulator: () => 0,
    add: (_v: unknown, acc: number) => acc + 1,
    getResult: (acc: number) => acc,
    merge: (a: number, b: number) => a + b,
  };
  class ToRow extends ProcessWindowFunction<number, Row, string, TimeWindow> {
    process(k: string, ctx: WindowContext<TimeWindow>, counts: Iterable<number>, out: Collector<Row>): void {
      for (const n of counts) out.collect({ w: ctx.window().start, k, n });
    }
  }
  const input: Array<[string, number]> = [['a', 1], ['a', 2], ['b', 3], ['b', 4], ['c', 5], ['a', 12], ['c', 13], ['c', 14], ['b', 15]];
  const withCombiner = (assigner: WindowAssigner) => new WindowOperator({
    assigner, keySelector: key, fn: { aggregate: count as never, process: new ToRow() as never }, combiner: keepMaxPerWindow((r: Row) => r.n) as never,
  });

  test.each([
    ['sliding (panes)', SlidingEventTimeWindows.of(20, 10)],
    ['tumbling (timers)', TumblingEventTimeWindows.of(10)],
  ])('%s: only each window\'s rows with the highest count leave, ties included, before the watermark', async (_name, assigner) => {
    const h = await new OperatorHarness(withCombiner(assigner)).open();
    for (const [k, t] of input) h.processElement({ k, n: 1 }, t);
    h.processWatermark(Number.POSITIVE_INFINITY);
    const plain = await new OperatorHarness(new WindowOperator({ assigner, keySelector: key, fn: { aggregate: count as never, process: new ToRow() as never } })).open();
    for (const [k, t] of input) plain.processElement({ k, n: 1 }, t);
    plain.processWatermark(Number.POSITIVE_INFINITY);
    // expected: per window, the rows of the plain run whose count is that window's maximum
    const rows = plain.values() as Row[];
    const max = new Map<number, number>();
    for (const r of rows) max.set(r.w, Math.max(max.get(r.w) ?? 0, r.n));
    const best = rows.filter((r) => r.n === max.get(r.w));
    expect(best.length).toBeLessThan(rows.length);
    const order = (xs: Row[]) => xs.map((r) => `${r.w}:${r.k}:${r.n}`).sort();
    expect(order(h.values() as Row[])).toEqual(order(best));
    expect(new Set(best.map((r) => r.w)).size).toBeLessThan(best.length); // some window has a tie
    expect(h.output.every((e) => e.timestamp !== undefined && e.timestamp === plain.output.find((p) => (p.value as Row).w === (e.value as Row).w)!.timestamp)).toBe(true);
    expect(h.watermarks).toEqual([Number.POSITIVE_INFINITY]);
  });

  test('partials caught by a snapshot are restored by exactly one subtask', () => {
    const combiner = keepMaxPerWindow((r: Row) => r.n) as never;
    const c = new LocalWindowCombine(combiner);
    c.add(9, { w: 0, k: 'a', n: 2 });
    c.add(9, { w: 0, k: 'b', n: 2 });
    const snap = JSON.parse(JSON.stringify(c.snapshot({ start: 0, end: 127 }))) as unknown;
    const rows: unknown[] = [];
    for (const range of [{ start: 0, end: 63 }, { start: 64, end: 127 }]) {
      const r = new LocalWindowCombine(combiner);
      r.restore([snap], range);
      r.flush((v, ts) => rows.push([v, ts]));
    }
    expect(rows).toEqual([[{ w: 0, k: 'a', n: 2 }, 9], [{ w: 0, k: 'b', n: 2 }, 9]]);
    expect(new LocalWindowCombine(combiner).snapshot({ start: 0, end: 127 })).toBeUndefined();
  });
});

describe('max per window kept up to date per element', () => {
  type Row = { w: number; k: string; n: number };
  const count = {
    createAccumulator: () => 0,
    add: (_v: unknown, acc: number) => acc + 1,
    getResult: (acc: number) => acc,
    merge: (a: number, b: number) => a + b,
  };
  class ToRow extends ProcessWindowFunction<number, Row, string, TimeWindow> {
    process(k: string, ctx: WindowContext<TimeWindow>, counts: Iterable<number>, out: Collector<Row>): void {
      for (const n of counts) out.collect({ w: ctx.window().start, k, n });
    }
  }
  const late = new OutputTag<Ev>('late');
  const incremental = (assigner: WindowAssigner) => new WindowOperator({
    assigner, keySelector: key, fn: { aggregate: count as never, process: new ToRow() as never }, maxPerWindow: (n) => n as number, lateDataTag: late as OutputTag<unknown>,
  });
  const walked = (assigner: WindowAssigner) => new WindowOperator({
    assigner, keySelector: key, fn: { aggregate: count as never, process: new ToRow() as never }, combiner: keepMaxPerWindow((r: Row) => r.n) as never, lateDataTag: late as OutputTag<unknown>,
  });
  /** skewed keys (a few hot ones, so maxima move), out of order, watermarks every 25 records, some late */
  const drive = (h: OperatorHarness, from: number, to: number, behind: (i: number) => number, owned: (k: string) => boolean = () => true) => {
    for (let i = from; i < to; i++) {
      const k = i % 3 === 0 ? `hot${i % 4}` : `k${(i * 7) % 211}`;
      if (owned(k)) h.processElement({ k, n: i }, Math.floor(i / 10) + 30 - behind(i));
      if (i % 25 === 24) h.processWatermark(Math.floor(i / 10));
    }
  };
  const order = (xs: unknown[]) => (xs as Row[]).map((r) => `${r.w}:${r.k}:${r.n}`).sort();
  /** per window, the rows with the highest count (the global stage of a local-global max) */
  const globalMax = (xs: unknown[]) => {
    const rows = xs as Row[];
    const max = new Map<number, number>();
    for (const r of rows) max.set(r.w, Math.max(max.get(r.w) ?? -1, r.n));
    return rows.filter((r) => r.n === max.get(r.w));
  };

  test.each([
    ['sliding', SlidingEventTimeWindows.of(100, 20)],
    ['tumbling', TumblingEventTimeWindows.of(50)],
  ])('%s: the same rows as walking every key at the window end, and no state left', async (_name, assigner) => {
    const behind = (i: number) => (i * 13) % 157;
    const inc = await new OperatorHarness(incremental(assigner)).open();
    const walk = await new OperatorHarness(walked(assigner)).open();
    drive(inc, 0, 6000, behind);
    drive(walk, 0, 6000, behind);
    expect(inc.side('late').length).toBeGreaterThan(0);
    expect(inc.side('late')).toEqual(walk.side('late'));
    expect(order(inc.values())).toEqual(order(walk.values()));
    expect(inc.values().length).toBeGreaterThan(10);
    inc.processWatermark(Number.POSITIVE_INFINITY);
    walk.processWatermark(Number.POSITIVE_INFINITY);
    expect(order(inc.values())).toEqual(order(walk.values()));
    expect(inc.operator.backend!.stateSize('_window_panes')).toBe(0);
  });

  test('a snapshot restored at another parallelism gives the same maxima per window', async () => {
    const assigner = SlidingEventTimeWindows.of(100, 20);
    const inTime = (i: number) => (i * 13) % 29;
    const whole = await new OperatorHarness(incremental(assigner)).open();
    drive(whole, 0, 6000, inTime);
    whole.processWatermark(Number.POSITIVE_INFINITY);

    const first = await new OperatorHarness(incremental(assigner)).open();
    drive(first, 0, 3000, inTime);
    const snap = first.snapshot();
    const parts = await Promise.all([0, 1].map((i) => new OperatorHarness(incremental(assigner), { parallelism: 2, subtaskIndex: i }).open([snap])));
    for (const part of parts) {
      drive(part, 3000, 6000, inTime, (k) => part.operator.backend!.setCurrentKeyIfOwned(k));
      part.processWatermark(Number.POSITIVE_INFINITY);
    }
    const split = globalMax([...first.values(), ...parts[0]!.values(), ...parts[1]!.values()]);
    expect(order(split)).toEqual(order(globalMax(whole.values())));
  });

  test('a snapshot taken before any window fired restores and fires every window once', async () => {
    const assigner = SlidingEventTimeWindows.of(100, 20);
    const whole = await new OperatorHarness(incremental(assigner)).open();
    const first = await new OperatorHarness(incremental(assigner)).open();
    for (const h of [whole, first]) for (let i = 0; i < 50; i++) h.processElement({ k: `k${i % 7}`, n: i }, 500 + i);
    const restored = await new OperatorHarness(incremental(assigner)).open([first.snapshot()]);
    for (const h of [whole, restored]) h.processWatermark(Number.POSITIVE_INFINITY);
    expect(restored.values().length).toBeGreaterThan(0);
    expect(order(restored.values())).toEqual(order(whole.values()));
  });

  test('panes no open window needs are swept while watermarks pass, without a final watermark', async () => {
    const h = await new OperatorHarness(incremental(SlidingEventTimeWindows.of(100, 20))).open();
    let most = 0;
    for (let i = 0; i < 40_000; i++) {
      // every key is used for 50 ms of event time and never again
      h.processElement({ k: `k${Math.floor(i / 10)}`, n: i }, Math.floor(i / 20));
      if (i % 20 === 19) h.processWatermark(Math.floor(i / 20));
      most = Math.max(most, h.operator.backend!.stateSize('_window_panes'));
    }
    // keys of the last ~160 ms of event time at 2 keys per ms, not the 4000 keys seen
    expect(most).toBeLessThan(400);
    expect(h.values().length).toBeGreaterThan(90);
  });

  test('maxPerWindow on windows it cannot keep up to date fails with a clear error', () => {
    expect(() => new WindowOperator({ assigner: SlidingEventTimeWindows.of(100, 20), keySelector: key, fn: { reduce: sum }, maxPerWindow: (n) => n as number })).toThrow(/MR_ERR_WINDOW_MAX/);
  });
});
