// Asynchronous snapshots must be point-in-time: whatever the task does to its state while a
// snapshot is serialized in slices (updates, in-place mutation of values it read, deletes, new
// keys, walks over whole key groups, timers registered, deleted and fired) must not leak into it.
// Each test compares the asynchronously serialized file with a synchronous snapshot taken at the
// same instant, decoded from the same file format.

import { Readable } from 'node:stream';
import { aggregatingState, listState, mapState, valueState } from '../api/state.ts';
import { SlidingEventTimeWindows, TumblingEventTimeWindows } from '../api/windows.ts';
import { ProcessWindowFunction, type Collector, type WindowContext } from '../api/functions.ts';
import type { TimeWindow } from '../api/windows.ts';
import { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { InternalTimerService } from '../state/timer-service.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { WindowOperator } from '../operators/window-operator.ts';
import type { OperatorSnapshot } from '../state/state-file-format.ts';
import { ManualProcessingTimeService } from '../task/processing-time.ts';
import { AsyncSnapshot, type SliceOptions } from './async-snapshot.ts';
import { OperatorStateCapture } from '../state/snapshot-part.ts';
import { decodeOperatorSnapshot, encodeOperatorSnapshot, operatorStateRecord } from '../state/state-file-format.ts';

const full = { start: 0, end: 127 };

/** A small deterministic PRNG (mulberry32), so a failing seed replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const decode = (chunks: Buffer[]): Promise<OperatorSnapshot> => decodeOperatorSnapshot(Readable.from(chunks));

/** What a synchronous snapshot of the same instant holds, through the same file format. */
const syncFile = (snap: OperatorSnapshot): Promise<OperatorSnapshot> => decode(encodeOperatorSnapshot(JSON.parse(JSON.stringify(snap)) as OperatorSnapshot));

/** Entry and timer order inside a key group or timer list carries no meaning: compare sorted. */
function normalized(s: OperatorSnapshot): unknown {
  const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  const keyed = s.keyed && {
    maxParallelism: s.keyed.maxParallelism,
    keyGroups: Object.fromEntries(Object.entries(s.keyed.keyGroups).map(([kg, states]) => [kg, Object.fromEntries(Object.entries(states).map(([n, es]) => [n, [...es].sort(byJson)]))])),
  };
  const timers = s.timers && {
    eventTime: s.timers.flatMap((t) => t.eventTime).sort(byJson),
    processingTime: s.timers.flatMap((t) => t.processingTime).sort(byJson),
  };
  return { keyed, timers, operator: s.operator };
}

/** Drives a capture to the end in steps of `step` entries, calling `between` before each step. */
function serialize(capture: OperatorStateCapture, step: number, between: () => void = () => {}): Buffer[] {
  for (let guard = 0; ; guard++) {
    if (guard > 1_000_000) throw new Error('serialization does not progress');
    between();
    if (capture.advance(step)) break;
  }
  capture.release();
  return capture.chunks();
}

type Obj = { n: number; tags: string[] };

/** A backend with every kind of state, and random operations on it, values changed in place too. */
function keyedWorld(seed: number) {
  const clock = { now: () => 0 };
  const b = new KeyedStateBackend(full, 128, clock);
  const value = b.getValueState(valueState<Obj>('value'));
  const list = b.getListState(listState<Obj>('list'));
  const map = b.getMapState(mapState<string, Obj>('map'));
  const agg = b.getAggregatingState(aggregatingState<number, { sum: number; seen: number[] }, number>('agg', {
    // an accumulator changed in place, as user aggregate functions do
    createAccumulator: () => ({ sum: 0, seen: [] }),
    add: (v, acc) => {
      acc.sum += v;
      acc.seen.push(v);
      return acc;
    },
    getResult: (acc) => acc.sum,
    merge: (x, y) => ({ sum: x.sum + y.sum, seen: [...x.seen, ...y.seen] }),
  }));
  const ns = b.table('windows', true);
  const walked = b.table('walked');
  const r = rng(seed);
  const keys = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? i : `key-${i}`));
  const op = (): void => {
    const k = keys[Math.floor(r() * keys.length)]!;
    b.setCurrentKey(k);
    const x = Math.floor(r() * 1000);
    switch (Math.floor(r() * 12)) {
      case 0: value.update({ n: x, tags: [`t${x}`] }); break;
      case 1: {
        // in place, without update(): the object read from state is changed
        const v = value.value();
        if (v) { v.n += 1; v.tags.push(`m${x}`); }
        break;
      }
      case 2: value.clear(); break;
      case 3: list.add({ n: x, tags: [] }); break;
      case 4: list.update([{ n: x, tags: ['u'] }]); break;
      case 5: map.put(`f${x % 7}`, { n: x, tags: [] }); break;
      case 6: map.remove(`f${x % 7}`); break;
      case 7: agg.add(x); break;
      case 8: agg.clear(); break;
      case 9: b.putNs(ns, x % 5, { n: x, tags: [] }); break;
      case 10: {
        const w = b.getNs(ns, x % 5) as Obj | undefined;
        if (w) w.tags.push('in-place');
        else b.takeNs(ns, x % 5);
        break;
      }
      default: {
        // a walk over a whole key group (as window panes fire): serialized first, then changed
        const index = Math.floor(r() * walked.groups.length);
        walked.beforeGroupWrite(index);
        const g = walked.groups[index]!;
        for (const [gk, gv] of g) {
          if ((gv as number) % 2 === 0) g.delete(gk);
          else g.set(gk, (gv as number) + 1);
        }
        b.setCurrentKey(k);
        b.currentGroup(walked).set(k, x);
      }
    }
  };
  return { b, op, r };
}

describe('asynchronous snapshots', () => {
  test('without changes meanwhile, the file holds what the synchronous encoding holds, in the same order', async () => {
    const { b, op } = keyedWorld(1);
    for (let i = 0; i < 5000; i++) op();
    const timers = new InternalTimerService(b, new ManualProcessingTimeService(0), { onEventTime: () => {}, onProcessingTime: () => {} });
    for (let i = 0; i < 30_000; i++) {
      b.setCurrentKey(`key-${i % 997}`);
      timers.registerEventTimeTimer(i % 3, 1000 + (i % 40));
      if (i % 7 === 0) timers.registerProcessingTimeTimer('p', 5000 + i);
    }
    const expected = Buffer.concat(encodeOperatorSnapshot({ keyed: b.snapshot(), timers: [timers.snapshot()], operator: { position: 42 } }));
    const capture = new OperatorStateCapture([b.capture(), timers.capture(), { advance: (_n, out) => (out.push(operatorStateRecord({ position: 42 })), true), release: () => {} }]);
    // the slices cut a key group's entries into several records; decoded, they are the same list
    expect(await decode(serialize(capture, 37))).toEqual(await decode([expected]));
    timers.dispose();
  });

  test.each([11, 12, 13, 14, 15])('keyed state changed while the snapshot is serialized does not leak into it (seed %i)', async (seed) => {
    const { b, op, r } = keyedWorld(seed);
    for (let i = 0; i < 4000; i++) op();
    const expected = await syncFile({ keyed: b.snapshot() });
    const capture = new OperatorStateCapture([b.capture()]);
    // a few operations between every small slice of serialization
    const chunks = serialize(capture, 1 + Math.floor(r() * 20), () => {
      for (let i = Math.floor(r() * 30); i > 0; i--) op();
    });
    const got = await decode(chunks);
    expect(normalized(got)).toEqual(normalized(expected));
    // and the live state did move on
    expect(normalized(await syncFile({ keyed: b.snapshot() }))).not.toEqual(normalized(expected));
  });

  test('two snapshots in flight each keep their own instant', async () => {
    const { b, op, r } = keyedWorld(21);
    for (let i = 0; i < 3000; i++) op();
    const first = await syncFile({ keyed: b.snapshot() });
    const a = new OperatorStateCapture([b.capture()]);
    let aDone = false;
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 25; j++) op();
      aDone = a.advance(5);
    }
    expect(aDone).toBe(false);
    const second = await syncFile({ keyed: b.snapshot() });
    const c = new OperatorStateCapture([b.capture()]);
    let cDone = false;
    while (!aDone || !cDone) {
      for (let j = Math.floor(r() * 20); j > 0; j--) op();
      if (!aDone) aDone = a.advance(3);
      if (!cDone) cDone = c.advance(7);
    }
    a.release();
    c.release();
    expect(normalized(await decode(a.chunks()))).toEqual(normalized(first));
    expect(normalized(await decode(c.chunks()))).toEqual(normalized(second));
    expect(normalized(first)).not.toEqual(normalized(second));
  });

  test('timers registered, deleted and fired while serialized do not leak into the snapshot', async () => {
    const b = new KeyedStateBackend(full, 128, { now: () => 0 });
    const fired: string[] = [];
    const timers = new InternalTimerService(b, new ManualProcessingTimeService(0), { onEventTime: (t) => fired.push(`${t.timestamp}`), onProcessingTime: () => {} });
    for (let i = 0; i < 5000; i++) {
      b.setCurrentKey(`k${i % 500}`);
      timers.registerEventTimeTimer(i % 4, 100 + (i % 50));
    }
    const expected = await syncFile({ timers: [timers.snapshot()] });
    const capture = new OperatorStateCapture([timers.capture()]);
    let wm = 100;
    let i = 0;
    const chunks = serialize(capture, 50, () => {
      for (let j = 0; j < 20; j++, i++) {
        b.setCurrentKey(`k${i % 700}`);
        timers.registerEventTimeTimer(i % 6, 100 + (i % 60));
        timers.deleteEventTimeTimer(i % 4, 100 + ((i * 3) % 50));
      }
      timers.advanceWatermark(wm++, 100);
    });
    expect(fired.length).toBeGreaterThan(0);
    expect(timers.heaps().eventTime.copiedBuckets).toBeGreaterThan(0);
    expect(normalized(await decode(chunks))).toEqual(normalized(expected));
    expect(timers.heaps().eventTime.frozenBuckets()).toBe(0);
    timers.dispose();
  });

  test('an abandoned snapshot stops and frees its copies and frozen timer buckets', async () => {
    const { b, op } = keyedWorld(31);
    for (let i = 0; i < 2000; i++) op();
    const timers = new InternalTimerService(b, new ManualProcessingTimeService(0), { onEventTime: () => {}, onProcessingTime: () => {} });
    b.setCurrentKey('x');
    timers.registerEventTimeTimer(0, 10);
    const capture = new OperatorStateCapture([b.capture(), timers.capture()]);
    const keyed = b.capture();
    keyed.release(); // a second view released at once leaves the first alone
    const pending: Array<() => void> = [];
    let t = 0;
    // every look at the clock costs 1 ms: one step of 10 entries per slice
    const slices: SliceOptions = { sliceMs: 1, stepEntries: 10, now: () => (t += 1), yieldNow: () => new Promise((resolve) => pending.push(resolve)) };
    const snapshot = new AsyncSnapshot(7, [{ operatorUid: 'op', parallelism: 1, maxParallelism: 128, capture }], slices);
    const result = snapshot.run();
    // a few slices, the task changing state in between: copies pile up
    for (let s = 0; s < 5; s++) {
      pending.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
      for (let i = 0; i < 50; i++) op();
    }
    timers.registerEventTimeTimer(1, 10);
    const views = keyed.views.map((v) => v.table);
    expect(views.every((t) => t.views.length === 1)).toBe(true);
    expect(views.reduce((n, t) => n + t.views[0]!.heldEntries(), 0)).toBeGreaterThan(0);
    expect(timers.heaps().eventTime.frozenBuckets()).toBe(1);

    snapshot.abandon();
    expect(views.every((t) => t.views.length === 0)).toBe(true);
    expect(timers.heaps().eventTime.frozenBuckets()).toBe(0);
    pending.shift()!();
    await expect(result).resolves.toBeUndefined();
    // no more copies are made for it
    const copiesBefore = timers.heaps().eventTime.copiedBuckets;
    for (let i = 0; i < 200; i++) op();
    timers.registerEventTimeTimer(2, 10);
    expect(timers.heaps().eventTime.copiedBuckets).toBe(copiesBefore);
    timers.dispose();
  });

  test('large entries shrink the steps, so a slice stays near its budget', async () => {
    // a part whose entries each cost 1 ms of the (fake) clock
    let t = 0;
    const budgets: number[] = [];
    let left = 400;
    const part = {
      advance: (budget: number, out: Buffer[]) => {
        const n = Math.min(budget, left);
        budgets.push(budget);
        t += n;
        left -= n;
        if (left === 0) out.push(operatorStateRecord(1));
        return left === 0;
      },
      release: () => {},
    };
    const slices: SliceOptions = { sliceMs: 4, stepEntries: 256, now: () => t, yieldNow: () => Promise.resolve() };
    const snapshot = new AsyncSnapshot(1, [{ operatorUid: 'op', parallelism: 1, maxParallelism: 128, capture: new OperatorStateCapture([part]) }], slices);
    const out = await snapshot.run();
    expect(await decode(out![0]!.chunks)).toEqual({ operator: 1 });
    expect(budgets[0]).toBe(256);
    // after the first overrun the steps come down to what fits a slice
    expect(Math.max(...budgets.slice(1))).toBeLessThanOrEqual(4);
    expect(snapshot.slices).toBeGreaterThan((400 - 256) / 4);
    expect(snapshot.longestSliceMs).toBe(256);
  });

  test('state that cannot be serialized fails the snapshot and frees its views', async () => {
    const b = new KeyedStateBackend(full, 128, { now: () => 0 });
    const v = b.getValueState(valueState<unknown>('v'));
    b.setCurrentKey('a');
    // a cycle (bigint, Date, bytes and Map are written since the binary format; JSON threw on bigint)
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    v.update(cyclic);
    const keyed = b.capture();
    const snapshot = new AsyncSnapshot(1, [{ operatorUid: 'op', parallelism: 1, maxParallelism: 128, capture: new OperatorStateCapture([keyed]) }]);
    await expect(snapshot.run()).rejects.toThrow(/call stack/);
    expect(keyed.views.every((view) => view.table.views.length === 0)).toBe(true);
  });

  test('a slice yields after its time budget and the serialization reports its own time', async () => {
    const { b, op } = keyedWorld(41);
    for (let i = 0; i < 3000; i++) op();
    let t = 0;
    const slices: SliceOptions = { sliceMs: 5, stepEntries: 10, now: () => (t += 1), yieldNow: () => Promise.resolve() };
    const snapshot = new AsyncSnapshot(1, [{ operatorUid: 'op', parallelism: 1, maxParallelism: 128, keyGroupRange: full, capture: new OperatorStateCapture([b.capture()]) }], slices);
    const expected = await syncFile({ keyed: b.snapshot() });
    const out = await snapshot.run();
    // every look at the clock costs 1 ms here: a slice takes at most 5 steps of 10 entries
    const got = await decode(out![0]!.chunks);
    const entries = Object.values(got.keyed!.keyGroups).flatMap((byState) => Object.values(byState)).reduce((n, es) => n + es.length, 0);
    expect(entries).toBeGreaterThan(500);
    expect(snapshot.slices).toBeGreaterThanOrEqual(Math.floor(entries / 50));
    expect(snapshot.busyMs).toBeGreaterThan(0);
    expect(out).toHaveLength(1);
    expect(out![0]!.keyGroupRange).toEqual(full);
    expect(normalized(got)).toEqual(normalized(expected));
  });
});

describe('asynchronous snapshots of window operators', () => {
  type Ev = { k: string; n: number };
  const key = (v: unknown) => (v as Ev).k;
  const count = {
    createAccumulator: () => ({ n: 0 }),
    // in place, as many aggregate functions do
    add: (_v: unknown, acc: { n: number }) => {
      acc.n++;
      return acc;
    },
    getResult: (acc: { n: number }) => acc.n,
    merge: (a: { n: number }, b: { n: number }) => ({ n: a.n + b.n }),
  };
  class Row extends ProcessWindowFunction<number, string, string, TimeWindow> {
    process(k: string, ctx: WindowContext<TimeWindow>, counts: Iterable<number>, out: Collector<string>): void {
      const w = ctx.window();
      for (const n of counts) out.collect(`${k}[${w.start},${w.end})=${n}`);
    }
  }
  class All extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(k: string, ctx: WindowContext<TimeWindow>, els: Iterable<Ev>, out: Collector<string>): void {
      const w = ctx.window();
      out.collect(`${k}[${w.start},${w.end})=${[...els].map((e) => e.n).join('+')}`);
    }
  }
  const operators = {
    // q5's shape: sliding windows in panes, fired by walking whole key groups
    panes: () => new WindowOperator({ assigner: SlidingEventTimeWindows.of(40, 10), keySelector: key, fn: { aggregate: count as never, process: new Row() as never } }),
    // q5 as the benchmark runs it: best keys per window, sweeps of whole key groups
    best: () => new WindowOperator({ assigner: SlidingEventTimeWindows.of(40, 10), keySelector: key, fn: { aggregate: count as never, process: new Row() as never }, maxPerWindow: (n) => n as number }),
    // timer-based windows holding all elements (arrays changed in place) and one timer per window
    timers: () => new WindowOperator({ assigner: TumblingEventTimeWindows.of(30), keySelector: key, fn: { process: new All() as never } }),
  };
  const feed = (h: OperatorHarness, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const k = i % 5 === 0 ? 'hot' : `k${(i * 7) % 131}`;
      h.processElement({ k, n: i }, Math.floor(i / 20) + 30 - ((i * 13) % 29));
      if (i % 100 === 99) h.processWatermark(Math.floor(i / 20));
    }
  };
  const sorted = (xs: unknown[]) => (xs as string[]).slice().sort();

  test.each(Object.keys(operators))('%s: firing and new records during serialization; the restored job gives the same output', async (kind) => {
    const make = operators[kind as keyof typeof operators];
    const h = await new OperatorHarness(make()).open();
    feed(h, 0, 3000);
    const sync = h.snapshot(5);
    const capture = h.operator.captureState(5);
    let i = 3000;
    const chunks = serialize(capture, 4, () => {
      feed(h, i, i + 10);
      i += 10;
    });
    expect(i).toBeGreaterThan(3100); // windows fired while the snapshot was serialized
    const async = await decode(chunks);
    expect(normalized(async)).toEqual(normalized(await syncFile(sync)));
    // both restore into the same future
    const fromSync = await new OperatorHarness(make()).open([sync]);
    const fromAsync = await new OperatorHarness(make()).open([async]);
    for (const r of [fromSync, fromAsync]) {
      feed(r, 3000, 6000);
      r.processWatermark(Number.POSITIVE_INFINITY);
    }
    expect(fromAsync.values().length).toBeGreaterThan(kind === 'best' ? 10 : 100);
    expect(sorted(fromAsync.values())).toEqual(sorted(fromSync.values()));
  });
});
