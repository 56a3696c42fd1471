// Each storage strategy on its own: a real keyed state backend and timer service over a manual
// processing-time clock, and a host that records the windows it is asked to fire.

import type { AggregateFunction } from '../../api/functions.ts';
import {
  CountTrigger, EventTimeSessionWindows, EventTimeTrigger, ProcessingTimeTrigger, SlidingEventTimeWindows,
  TumblingEventTimeWindows, TumblingProcessingTimeWindows, type Trigger, type WindowAssigner,
} from '../../api/windows.ts';
import { keyGroupRangeFor, type Key } from '../../keys/key-groups.ts';
import { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import { InternalTimerService } from '../../state/timer-service.ts';
import { ManualProcessingTimeService } from '../../task/processing-time.ts';
import { FixedWindows } from './fixed-windows.ts';
import { PaneWindows } from './pane-windows.ts';
import { SessionWindows } from './session-windows.ts';
import { windowStorageMode, type WindowFunctionSpec, type WindowHost, type WindowStorage } from './window-storage.ts';

const sum: AggregateFunction<unknown, unknown, unknown> = {
  createAccumulator: () => 0,
  add: (v, acc) => (acc as number) + (v as number),
  merge: (a, b) => (a as number) + (b as number),
  getResult: (acc) => acc,
};
const reduceSum: WindowFunctionSpec = { reduce: (a, b) => (a as number) + (b as number) };

/** A host over a real backend: fired windows are recorded as "key [start,end) value". */
function host(): { host: WindowHost; fired: string[]; setWatermark(wm: number): void; clock: ManualProcessingTimeService; bind(s: WindowStorage): void; advance(wm: number): void } {
  const clock = new ManualProcessingTimeService(0);
  const backend = new KeyedStateBackend(keyGroupRangeFor(128, 1, 0), 128, clock);
  let storage: WindowStorage | undefined;
  const timers = new InternalTimerService(backend, clock, {
    onEventTime: (t) => storage!.onTimer(t, true),
    onProcessingTime: (t) => storage!.onTimer(t, false),
  });
  let watermark = Number.NEGATIVE_INFINITY;
  const fired: string[] = [];
  const h: WindowHost = {
    backend, timers, currentWatermark: () => watermark,
    fireWindow: (start, end, acc) => fired.push(`${String(backend.currentKey)} [${start},${end}) ${JSON.stringify(acc)}`),
    fireResult: (key: Key, start, end, result) => fired.push(`${String(key)} [${start},${end}) ${JSON.stringify(result)}`),
  };
  return {
    host: h, fired, clock,
    setWatermark: (wm) => { watermark = wm; },
    bind: (s) => { storage = s; },
    advance: (wm) => {
      watermark = wm;
      timers.advanceWatermark(wm);
    },
  };
}

function tables(h: WindowHost) {
  return { contents: h.backend.table('_window_contents', true), counts: h.backend.table('_window_counts', true), sessions: h.backend.table('_window_sessions', false) };
}

const timed = (assigner: WindowAssigner, fn: WindowFunctionSpec, trigger: Trigger = EventTimeTrigger, allowedLatenessMs = 0) => ({ assigner, trigger, fn, allowedLatenessMs });

describe('window storage mode', () => {
  const mode = (assigner: WindowAssigner, over: Partial<Parameters<typeof windowStorageMode>[0]> = {}) =>
    windowStorageMode({ assigner, defaultEventTrigger: true, allowedLatenessMs: 0, fn: { aggregate: sum }, maxPerWindow: false, ...over });

  test('panes for event-time sliding aggregates with the default trigger and no lateness, else timers', () => {
    expect(mode(SlidingEventTimeWindows.of(20, 10))).toBe('panes');
    expect(mode(SlidingEventTimeWindows.of(20, 10), { fn: reduceSum })).toBe('fixed');
    expect(mode(SlidingEventTimeWindows.of(20, 10), { allowedLatenessMs: 5 })).toBe('fixed');
    expect(mode(SlidingEventTimeWindows.of(20, 10), { defaultEventTrigger: false })).toBe('fixed');
    expect(mode(SlidingEventTimeWindows.of(25, 10))).toBe('fixed'); // not whole panes
    expect(mode(TumblingEventTimeWindows.of(10))).toBe('fixed');
    expect(mode(TumblingEventTimeWindows.of(10), { maxPerWindow: true })).toBe('panes');
    expect(mode(EventTimeSessionWindows.withGap(5))).toBe('session');
    expect(mode(TumblingProcessingTimeWindows.of(10), { defaultEventTrigger: false })).toBe('fixed');
  });

  test('maxPerWindow where panes cannot keep the best keys fails naming what it needs', () => {
    expect(() => mode(EventTimeSessionWindows.withGap(5), { maxPerWindow: true })).toThrow(/MR_ERR_WINDOW_MAX: maxPerWindow needs an aggregate function/);
  });
});

describe('fixed windows', () => {
  test('sliding windows: an element goes into size/slide windows, each fired and dropped at its end', () => {
    const t = host();
    const s = new FixedWindows(t.host, tables(t.host), timed(SlidingEventTimeWindows.of(20, 10), reduceSum));
    t.bind(s);
    t.host.backend.setCurrentKey('a');
    expect(s.add(1, 5)).toBe(true);
    expect(s.add(2, 15)).toBe(true);
    t.advance(9);
    expect(t.fired).toEqual(['a [-10,10) 1']);
    t.advance(100);
    expect(t.fired).toEqual(['a [-10,10) 1', 'a [0,20) 3', 'a [10,30) 2']);
    expect(t.host.backend.stateSize('_window_contents')).toBe(0);
  });

  test('an element whose every window has ended is late; with lateness it fires the window again', () => {
    const t = host();
    const s = new FixedWindows(t.host, tables(t.host), timed(TumblingEventTimeWindows.of(10), reduceSum, EventTimeTrigger, 5));
    t.bind(s);
    t.host.backend.setCurrentKey('a');
    s.add(1, 3);
    t.advance(10);
    expect(t.fired).toEqual(['a [0,10) 1']);
    t.host.backend.setCurrentKey('a');
    expect(s.add(4, 2)).toBe(true); // within the lateness: fires at once with the new value
    expect(t.fired).toEqual(['a [0,10) 1', 'a [0,10) 5']);
    t.advance(14); // cleanup time 9 + 5
    t.host.backend.setCurrentKey('a');
    expect(s.add(7, 2)).toBe(false);
    expect(t.host.backend.stateSize('_window_contents')).toBe(0);
  });

  test('a count trigger fires every n elements; processing-time windows fire on the clock', () => {
    const t = host();
    const s = new FixedWindows(t.host, tables(t.host), timed(TumblingEventTimeWindows.of(100), reduceSum, CountTrigger.of(2)));
    t.bind(s);
    t.host.backend.setCurrentKey('k');
    for (const v of [1, 2, 3, 4]) s.add(v, 10);
    expect(t.fired).toEqual(['k [0,100) 3', 'k [0,100) 10']);

    const p = host();
    const ps = new FixedWindows(p.host, tables(p.host), timed(TumblingProcessingTimeWindows.of(50), reduceSum, ProcessingTimeTrigger));
    p.bind(ps);
    p.host.backend.setCurrentKey('k');
    ps.add(7, p.clock.now());
    p.clock.advanceTo(49);
    expect(p.fired).toEqual(['k [0,50) 7']);
  });
});

describe('session windows', () => {
  test('elements closer than the gap merge, transitively; a session fires once at its end', () => {
    const t = host();
    const s = new SessionWindows(t.host, tables(t.host), timed(EventTimeSessionWindows.withGap(10), reduceSum));
    t.bind(s);
    t.host.backend.setCurrentKey('u');
    s.add(1, 0);
    s.add(2, 30);
    s.add(4, 15); // [15,25): touches neither
    s.add(8, 8); // [8,18) joins [0,10) and [15,25)
    t.advance(1000);
    expect(t.fired).toEqual(['u [0,25) 13', 'u [30,40) 2']);
    // nothing left: contents and the key's list of sessions are cleared
    expect(t.host.backend.stateSize('_window_contents')).toBe(0);
    expect(t.host.backend.stateSize('_window_sessions')).toBe(0);
  });
});

describe('pane windows', () => {
  test('a watermark walks the keys and fires every window that ended, with its aggregate', () => {
    const t = host();
    const s = new PaneWindows(t.host, { assigner: SlidingEventTimeWindows.of(20, 10), aggregate: sum, restoredBest: [] });
    for (const [k, v, ts] of [['a', 1, 5], ['b', 10, 12], ['a', 2, 15]] as const) {
      t.host.backend.setCurrentKey(k);
      expect(s.add(v, ts)).toBe(true);
    }
    const firing = s.watermarkFiring;
    expect(firing.start(19)).toBe(true);
    expect(firing.fire(Number.POSITIVE_INFINITY)).toBe(true);
    expect(t.fired.sort()).toEqual(['a [-10,10) 1', 'a [0,20) 3', 'b [0,20) 10']);
    expect(firing.start(19)).toBe(false); // nothing new is due
    t.setWatermark(25);
    t.host.backend.setCurrentKey('a');
    expect(s.add(9, 3)).toBe(false); // every window of ts 3 has ended
  });
});
