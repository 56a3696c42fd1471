// What fixed-size and session windows share: contents in a namespaced keyed table, a trigger
// driven by timers (with a fast path for the default event-time trigger), allowed lateness with
// a cleanup timer per window, and fire/purge as the trigger answers.

import { EventTimeTrigger, maxTimestamp, type TimeWindow, type Trigger, type TriggerContext, type TriggerResult, type WindowAssigner } from '../../api/windows.ts';
import type { RuntimeContext } from '../../api/functions.ts';
import type { Namespace, StateTable } from '../../state/state-table.ts';
import type { Timer } from '../../state/timer-heap.ts';
import type { WindowMaxSnapshot } from './window-max.ts';
import type { WindowFunctionSpec, WindowHost, WindowStorage, WindowTables } from './window-storage.ts';

export interface TimerWindowsConfig {
  readonly assigner: WindowAssigner;
  readonly trigger: Trigger;
  readonly fn: WindowFunctionSpec;
  readonly allowedLatenessMs: number;
}

export abstract class TimerWindows implements WindowStorage {
  protected readonly host: WindowHost;
  protected readonly assigner: WindowAssigner;
  protected readonly trigger: Trigger;
  protected readonly defaultEventTrigger: boolean;
  protected readonly fn: WindowFunctionSpec;
  protected readonly lateness: number;
  protected readonly contents: StateTable;
  private readonly counts: StateTable;
  /** the window being worked on, and its namespace (what the trigger context acts on) */
  protected currentNs: Namespace = 0;
  protected readonly cw = { start: 0, end: 0 };
  protected readonly triggerCtx: TriggerContext;

  constructor(host: WindowHost, tables: WindowTables, cfg: TimerWindowsConfig) {
    this.host = host;
    this.assigner = cfg.assigner;
    this.trigger = cfg.trigger;
    this.defaultEventTrigger = cfg.trigger === EventTimeTrigger;
    this.fn = cfg.fn;
    this.lateness = cfg.allowedLatenessMs;
    this.contents = tables.contents;
    this.counts = tables.counts;
    const timers = host.timers;
    const backend = host.backend;
    this.triggerCtx = {
      currentWatermark: () => host.currentWatermark(),
      registerEventTimeTimer: (t) => timers.registerEventTimeTimer(this.currentNs, t),
      registerProcessingTimeTimer: (t) => timers.registerProcessingTimeTimer(this.currentNs, t),
      deleteEventTimeTimer: (t) => timers.deleteEventTimeTimer(this.currentNs, t),
      deleteProcessingTimeTimer: (t) => timers.deleteProcessingTimeTimer(this.currentNs, t),
      incrementCount: () => {
        const n = ((backend.getNs(this.counts, this.currentNs) as number | undefined) ?? 0) + 1;
        backend.putNs(this.counts, this.currentNs, n);
        return n;
      },
      resetCount: () => backend.removeNs(this.counts, this.currentNs),
    };
  }

  abstract add(value: unknown, time: number): boolean;

  /** The window a namespace stands for: a fixed window's start, or a session's "start:end". */
  protected windowOf(ns: Namespace): TimeWindow {
    if (typeof ns === 'number') return { start: ns, end: ns + this.assigner.sizeMs };
    const i = ns.indexOf(':');
    return { start: Number(ns.slice(0, i)), end: Number(ns.slice(i + 1)) };
  }

  functionContext(base: RuntimeContext): RuntimeContext {
    return base;
  }

  snapshotBest(): WindowMaxSnapshot | undefined {
    return undefined;
  }

  protected cleanupTime(w: TimeWindow): number {
    return this.assigner.eventTime ? maxTimestamp(w) + this.lateness : maxTimestamp(w);
  }

  protected isLate(w: TimeWindow): boolean {
    return this.assigner.eventTime && this.cleanupTime(w) <= this.host.currentWatermark();
  }

  protected addTo(acc: unknown, value: unknown): unknown {
    const f = this.fn;
    if (f.reduce) return acc === undefined ? value : f.reduce(acc, value);
    if (f.aggregate) return f.aggregate.add(value, acc === undefined ? f.aggregate.createAccumulator() : acc);
    if (acc === undefined) return [value];
    (acc as unknown[]).push(value);
    return acc;
  }

  protected mergeAcc(a: unknown, b: unknown): unknown {
    if (a === undefined) return b;
    if (b === undefined) return a;
    const f = this.fn;
    if (f.reduce) return f.reduce(a, b);
    if (f.aggregate) return f.aggregate.merge(a, b);
    return (a as unknown[]).concat(b as unknown[]);
  }

  /** The current window (cw, currentNs) got an element: ask the trigger, register its timers. */
  protected afterAdd(isNew: boolean, acc: unknown): void {
    const w = this.cw;
    let result: TriggerResult;
    if (this.defaultEventTrigger) {
      if (maxTimestamp(w) <= this.host.currentWatermark()) result = 'fire';
      else {
        if (isNew) this.host.timers.registerEventTimeTimer(this.currentNs, maxTimestamp(w));
        result = 'continue';
      }
    } else {
      result = this.trigger.onElement(0, w, this.triggerCtx);
    }
    if (isNew && this.assigner.eventTime && this.lateness > 0) this.host.timers.registerEventTimeTimer(this.currentNs, this.cleanupTime(w));
    if (result !== 'continue') this.applyResult(result, acc);
  }

  private applyResult(result: TriggerResult, acc: unknown): void {
    if (result === 'fire' || result === 'fire_and_purge') this.host.fireWindow(this.cw.start, this.cw.end, acc);
    if (result === 'purge' || result === 'fire_and_purge') this.host.backend.removeNs(this.contents, this.currentNs);
  }

  onTimer(t: Timer, eventTime: boolean): void {
    const b = this.host.backend;
    const w = this.windowOf(t.namespace);
    this.currentNs = t.namespace;
    this.cw.start = w.start;
    this.cw.end = w.end;
    const acc = b.getNs(this.contents, t.namespace);
    if (acc !== undefined) {
      const result = eventTime ? this.trigger.onEventTime(t.timestamp, w, this.triggerCtx) : this.trigger.onProcessingTime(t.timestamp, w, this.triggerCtx);
      if (result !== 'continue') this.applyResult(result, acc);
    }
    if (eventTime === this.assigner.eventTime && t.timestamp === this.cleanupTime(w)) this.clearWindow(w, t.namespace);
  }

  /** The window's cleanup time passed: its contents, counts and trigger timers go. */
  protected clearWindow(w: TimeWindow, ns: Namespace): void {
    this.host.backend.removeNs(this.contents, ns);
    this.currentNs = ns;
    this.cw.start = w.start;
    this.cw.end = w.end;
    this.trigger.clear(this.cw, this.triggerCtx);
  }
}
