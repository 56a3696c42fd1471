// Keyed windows: tumbling, sliding and session assigners; reduce / aggregate (incremental) or
// process (all elements) functions; triggers; allowed lateness with late firings; late data to a
// side output. Window contents live in a namespaced keyed state table; fixed-size windows use the
// window start as namespace (a number, no allocation), session windows "start:end".
// Sliding event-time windows with an aggregate function (default trigger, no lateness) are kept
// in panes instead (windowing/sliding-panes.ts): one state entry per key, no timers. An optional
// combiner folds each window's results inside the subtask before they leave it
// (windowing/local-combine.ts).

import type { AggregateFunction, Collector, KeySelector, ProcessWindowFunction, ReduceFunction, RuntimeContext, WindowContext } from '../api/functions.ts';
import type { OutputTag } from '../api/output-tag.ts';
import {
  EventTimeTrigger, ProcessingTimeTrigger, assignWindowStarts, maxTimestamp,
  type TimeWindow, type Trigger, type TriggerContext, type WindowAssigner, type WindowResultCombiner,
} from '../api/windows.ts';
import type { Key } from '../graph/key-groups.ts';
import type { Namespace, StateTable } from '../state/state-table.ts';
import type { Timer } from '../state/timer-heap.ts';
import { StreamOperator } from './stream-operator.ts';
import { LocalWindowCombine, type PendingPartials } from './windowing/local-combine.ts';
import { SlidingPanes, panesFit } from './windowing/sliding-panes.ts';
import type { WindowMaxSnapshot } from './windowing/window-max.ts';

export interface WindowFunctionSpec {
  readonly reduce?: ReduceFunction<unknown>;
  readonly aggregate?: AggregateFunction<unknown, unknown, unknown>;
  readonly process?: ProcessWindowFunction<unknown, unknown, Key, TimeWindow>;
}

export interface WindowOperatorConfig {
  readonly assigner: WindowAssigner;
  readonly trigger?: Trigger;
  readonly keySelector: KeySelector<unknown>;
  readonly fn: WindowFunctionSpec;
  readonly allowedLatenessMs?: number;
  readonly lateDataTag?: OutputTag<unknown>;
  /** Folds each window's results per subtask before they are emitted (local-global aggregation). */
  readonly combiner?: WindowResultCombiner<unknown, unknown>;
  /**
   * Emit per window only the keys whose aggregate result has the highest score (ties all): the
   * local half of "per window, the keys with the most …". Scores must never decrease as elements
   * are added (counts, sums of non-negative values, maxima); then the best keys are kept up to
   * date per element and a window fires without visiting every key (windowing/window-max.ts).
   * Needs an aggregate function on event-time sliding or tumbling windows, default trigger, no lateness.
   */
  readonly maxPerWindow?: (result: unknown) => number;
}

interface WindowOperatorState {
  combine?: PendingPartials;
  best?: WindowMaxSnapshot;
}

const CONTENTS = '_window_contents';
const COUNTS = '_window_counts';
const SESSIONS = '_window_sessions';

export class WindowOperator extends StreamOperator implements Collector<unknown> {
  private readonly assigner: WindowAssigner;
  private readonly trigger: Trigger;
  private readonly defaultEventTrigger: boolean;
  /** default event-time trigger, fixed-size windows, no allowed lateness: a window's end fires and purges it */
  private readonly firesAndPurgesAtEnd: boolean;
  private readonly keySelector: KeySelector<unknown>;
  private readonly fn: WindowFunctionSpec;
  private readonly lateness: number;
  private readonly lateTag: OutputTag<unknown> | undefined;
  private contents!: StateTable;
  private counts!: StateTable;
  private sessions!: StateTable;
  private readonly starts: number[] = [];
  private currentNs: Namespace = 0;
  private readonly cw = { start: 0, end: 0 };
  private readonly triggerCtx: TriggerContext;
  private readonly windowCtx: WindowContext<TimeWindow>;
  private emitTs = 0;
  private firedWindow: TimeWindow = { start: 0, end: 0 };
  /** sliding event-time aggregate windows: kept in panes, fired by walking the keys (no timers) */
  private readonly usesPanes: boolean;
  private panes: SlidingPanes | undefined;
  private panesFiring = false;
  private windowFunctionUsesState = false;
  private firingKey: Key | undefined;
  private readonly combine: LocalWindowCombine | undefined;
  private readonly maxPerWindow: ((result: unknown) => number) | undefined;
  private restoredBest: WindowMaxSnapshot[] = [];
  lateRecordsDropped = 0;

  constructor(cfg: WindowOperatorConfig) {
    super(true);
    this.assigner = cfg.assigner;
    this.trigger = cfg.trigger ?? (cfg.assigner.eventTime ? EventTimeTrigger : ProcessingTimeTrigger);
    this.defaultEventTrigger = this.trigger === EventTimeTrigger;
    this.firesAndPurgesAtEnd = this.defaultEventTrigger && cfg.assigner.eventTime && cfg.assigner.kind !== 'session' && (cfg.allowedLatenessMs ?? 0) === 0;
    this.keySelector = cfg.keySelector;
    this.fn = cfg.fn;
    this.lateness = cfg.allowedLatenessMs ?? 0;
    this.lateTag = cfg.lateDataTag;
    if (!cfg.fn.reduce && !cfg.fn.aggregate && !cfg.fn.process) {
      throw new Error('MR_ERR_WINDOW_FUNCTION: a window needs reduce, aggregate or process');
    }
    const a = cfg.assigner;
    const paneable = a.eventTime && this.defaultEventTrigger && this.lateness === 0 && cfg.fn.aggregate !== undefined && panesFit(a.sizeMs, a.slideMs);
    this.usesPanes = paneable && (a.kind === 'sliding' || (a.kind === 'tumbling' && cfg.maxPerWindow !== undefined));
    if (cfg.maxPerWindow && !this.usesPanes) {
      throw new Error('MR_ERR_WINDOW_MAX: maxPerWindow needs an aggregate function on event-time sliding or tumbling windows (size a multiple of the slide) with the default trigger and no allowed lateness');
    }
    this.maxPerWindow = cfg.maxPerWindow;
    if (cfg.combiner && !a.eventTime) {
      throw new Error('MR_ERR_WINDOW_COMBINER: a window result combiner needs event-time windows (its rows leave when the watermark moves on)');
    }
    this.combine = cfg.combiner ? new LocalWindowCombine(cfg.combiner) : undefined;
    this.triggerCtx = {
      currentWatermark: () => this.watermark,
      registerEventTimeTimer: (t) => this.timers!.registerEventTimeTimer(this.currentNs, t),
      registerProcessingTimeTimer: (t) => this.timers!.registerProcessingTimeTimer(this.currentNs, t),
      deleteEventTimeTimer: (t) => this.timers!.deleteEventTimeTimer(this.currentNs, t),
      deleteProcessingTimeTimer: (t) => this.timers!.deleteProcessingTimeTimer(this.currentNs, t),
      incrementCount: () => {
        const n = ((this.backend!.getNs(this.counts, this.currentNs) as number | undefined) ?? 0) + 1;
        this.backend!.putNs(this.counts, this.currentNs, n);
        return n;
      },
      resetCount: () => this.backend!.removeNs(this.counts, this.currentNs),
    };
    this.windowCtx = {
      window: () => this.firedWindow,
      currentWatermark: () => this.watermark,
      currentProcessingTime: () => this.ctx.processingTimeService.now(),
      output: <X>(tag: OutputTag<X>, value: X) => this.output.collectSide(tag.id, value, this.emitTs),
    };
  }

  protected override namespacedStates(): ReadonlySet<string> {
    return new Set([CONTENTS, COUNTS]);
  }

  override open(): void {
    this.contents = this.backend!.table(CONTENTS, true);
    this.counts = this.backend!.table(COUNTS, true);
    this.sessions = this.backend!.table(SESSIONS, false);
    if (this.usesPanes) {
      const a = this.assigner;
      this.panes = new SlidingPanes({
        sizeMs: a.sizeMs, slideMs: a.slideMs, offsetMs: a.offsetMs, aggregate: this.fn.aggregate!,
        ...(this.maxPerWindow ? { maxBy: this.maxPerWindow } : {}),
      }, this.backend!, this.emitPaneWindow);
      this.panes.restoreBest(this.restoredBest);
      this.restoredBest = [];
    }
    this.fn.process?.open?.(this.panes ? this.keyTrackingContext() : this.runtimeContext());
  }

  /**
   * Pane-based firing walks keys without setting the backend's current key (hashing every key
   * costs a quarter of a firing); a window function that asks for keyed state turns that on, and
   * the key it fires for becomes current at once.
   */
  private keyTrackingContext(): RuntimeContext {
    const ctx = this.runtimeContext();
    const using = <D, S>(get: (d: D) => S) => (d: D): S => {
      this.windowFunctionUsesState = true;
      if (this.firingKey !== undefined) this.backend!.setCurrentKey(this.firingKey);
      return get(d);
    };
    return {
      ...ctx,
      getState: using(ctx.getState),
      getListState: using(ctx.getListState),
      getMapState: using(ctx.getMapState) as RuntimeContext['getMapState'],
      getReducingState: using(ctx.getReducingState),
      getAggregatingState: using(ctx.getAggregatingState) as RuntimeContext['getAggregatingState'],
    };
  }

  override close(): void {
    this.fn.process?.close?.();
    super.close();
  }

  collect(value: unknown): void {
    this.deliver(value);
  }

  /** A fired window's result: to the combiner when there is one, else downstream. */
  private deliver(value: unknown): void {
    if (this.combine) this.combine.add(this.emitTs, value);
    else this.output.collect(value, this.emitTs);
  }

  private readonly collectDownstream = (value: unknown, ts: number): void => this.output.collect(value, ts);

  private windowOf(ns: Namespace): TimeWindow {
    if (typeof ns === 'number') return { start: ns, end: ns + this.assigner.sizeMs };
    const i = ns.indexOf(':');
    return { start: Number(ns.slice(0, i)), end: Number(ns.slice(i + 1)) };
  }

  private cleanupTime(w: TimeWindow): number {
    return this.assigner.eventTime ? maxTimestamp(w) + this.lateness : maxTimestamp(w);
  }

  private isLate(w: TimeWindow): boolean {
    return this.assigner.eventTime && this.cleanupTime(w) <= this.watermark;
  }

  private addTo(acc: unknown, value: unknown): unknown {
    const f = this.fn;
    if (f.reduce) return acc === undefined ? value : f.reduce(acc, value);
    if (f.aggregate) return f.aggregate.add(value, acc === undefined ? f.aggregate.createAccumulator() : acc);
    if (acc === undefined) return [value];
    (acc as unknown[]).push(value);
    return acc;
  }

  private mergeAcc(a: unknown, b: unknown): unknown {
    if (a === undefined) return b;
    if (b === undefined) return a;
    const f = this.fn;
    if (f.reduce) return f.reduce(a, b);
    if (f.aggregate) return f.aggregate.merge(a, b);
    return (a as unknown[]).concat(b as unknown[]);
  }

  processElement(value: unknown, ts: number): void {
    const b = this.backend!;
    b.setCurrentKey(this.keySelector(value));
    let time = ts;
    if (this.assigner.eventTime) {
      if (Number.isNaN(ts)) {
        throw new Error(`MR_ERR_NO_TIMESTAMP: event-time window '${this.ctx.operatorName}' got a record without timestamp; assign timestamps with a WatermarkStrategy on the source`);
      }
    } else {
      time = this.ctx.processingTimeService.now();
    }
    if (this.panes) {
      if (!this.panes.add(value, time, this.watermark)) this.late(value, ts);
      return;
    }
    if (this.assigner.kind === 'session') {
      this.processSession(value, time, ts);
      return;
    }
    assignWindowStarts(this.assigner, time, this.starts);
    let accepted = false;
    const size = this.assigner.sizeMs;
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i]!;
      this.cw.start = start;
      this.cw.end = start + size;
      if (this.isLate(this.cw)) continue;
      accepted = true;
      this.currentNs = start;
      const prev = b.getNs(this.contents, start);
      const next = this.addTo(prev, value);
      if (next !== prev) b.putNs(this.contents, start, next);
      this.afterAdd(prev === undefined, next);
    }
    if (!accepted) this.late(value, ts);
  }

  private afterAdd(isNew: boolean, acc: unknown): void {
    const w = this.cw;
    let result: string;
    if (this.defaultEventTrigger) {
      if (maxTimestamp(w) <= this.watermark) result = 'fire';
      else {
        if (isNew) this.timers!.registerEventTimeTimer(this.currentNs, maxTimestamp(w));
        result = 'continue';
      }
    } else {
      result = this.trigger.onElement(0, w, this.triggerCtx);
    }
    if (isNew && this.assigner.eventTime && this.lateness > 0) this.timers!.registerEventTimeTimer(this.currentNs, this.cleanupTime(w));
    if (result !== 'continue') this.applyResult(result, acc);
  }

  private applyResult(result: string, acc: unknown): void {
    if (result === 'fire' || result === 'fire_and_purge') this.emit(acc);
    if (result === 'purge' || result === 'fire_and_purge') this.backend!.removeNs(this.contents, this.currentNs);
  }

  private late(value: unknown, ts: number): void {
    if (this.lateTag) this.output.collectSide(this.lateTag.id, value, ts);
    else this.lateRecordsDropped++;
  }

  private emit(acc: unknown): void {
    const w = { start: this.cw.start, end: this.cw.end };
    this.emitTs = maxTimestamp(w);
    const f = this.fn;
    if (f.process) {
      this.firedWindow = w;
      const elements = f.reduce ? [acc] : f.aggregate ? [f.aggregate.getResult(acc)] : (acc as unknown[]);
      f.process.process(this.backend!.currentKey, this.windowCtx, elements, this);
    } else if (f.reduce) {
      this.deliver(acc);
    } else {
      this.deliver(f.aggregate!.getResult(acc));
    }
  }

  /** A pane-based window fired with its aggregate result. */
  private readonly emitPaneWindow = (key: Key, start: number, end: number, result: unknown): void => {
    this.emitTs = end - 1;
    const process = this.fn.process;
    if (process) {
      if (this.windowFunctionUsesState) this.backend!.setCurrentKey(key);
      this.firingKey = key;
      // all keys of one window share its (immutable) window object
      if (this.firedWindow.start !== start || this.firedWindow.end !== end) this.firedWindow = { start, end };
      process.process(key, this.windowCtx, [result], this);
      this.firingKey = undefined;
    } else this.deliver(result);
  };

  // --- watermarks: pane-based windows fire by walking their keys, in bounded steps like timers

  override processWatermark(wm: number, inputIndex = 0, timerLimit = Number.POSITIVE_INFINITY): boolean {
    if (!this.panes) return super.processWatermark(wm, inputIndex, timerLimit);
    if (wm <= this.watermark) return true;
    this.watermark = wm;
    if (!this.panes.startFiring(wm)) {
      this.output.emitWatermark(wm);
      return true;
    }
    this.panesFiring = true;
    return this.continueWatermark(timerLimit);
  }

  override continueWatermark(timerLimit = Number.POSITIVE_INFINITY): boolean {
    if (!this.panes) return super.continueWatermark(timerLimit);
    if (!this.panesFiring) return true;
    if (!this.panes.fire(timerLimit)) return false;
    this.panesFiring = false;
    this.combine?.flush(this.collectDownstream);
    this.output.emitWatermark(this.watermark);
    return true;
  }

  override hasPendingWatermark(): boolean {
    return this.panesFiring || super.hasPendingWatermark();
  }

  /** Timer-based windows: all windows this watermark fired are done; their combined rows leave first. */
  protected override onWatermark(_wm: number): void {
    this.combine?.flush(this.collectDownstream);
  }

  protected override snapshotOperatorState(): unknown {
    const combine = this.combine?.snapshot(this.ctx.keyGroupRange);
    const best = this.panes?.snapshotBest();
    if (combine === undefined && best === undefined) return undefined;
    const state: WindowOperatorState = {};
    if (combine) state.combine = combine;
    if (best) state.best = best;
    return state;
  }

  protected override restoreOperatorState(states: unknown[]): void {
    const all = states as WindowOperatorState[];
    this.combine?.restore(all.flatMap((s) => (s.combine ? [s.combine] : [])), this.ctx.keyGroupRange);
    // the panes exist from open(): their best keys are restored there
    this.restoredBest = all.flatMap((s) => (s.best ? [s.best] : []));
  }

  private processSession(value: unknown, time: number, ts: number): void {
    const b = this.backend!;
    const gap = this.assigner.gapMs;
    const group = b.currentGroup(this.sessions);
    const list = (group.get(b.currentKey) as Array<[number, number]> | undefined) ?? [];
    let start = time;
    let end = time + gap;
    const merged: Array<[number, number]> = [];
    let remaining = list;
    for (let changed = true; changed; ) {
      changed = false;
      const keep: Array<[number, number]> = [];
      for (const w of remaining) {
        if (w[0] <= end && start <= w[1]) {
          merged.push(w);
          start = Math.min(start, w[0]);
          end = Math.max(end, w[1]);
          changed = true;
        } else keep.push(w);
      }
      remaining = keep;
    }
    this.cw.start = start;
    this.cw.end = end;
    if (this.isLate(this.cw)) {
      this.late(value, ts);
      return;
    }
    const ns = `${start}:${end}`;
    let acc: unknown = undefined;
    let sameWindow = false;
    for (const w of merged) {
      const oldNs = `${w[0]}:${w[1]}`;
      if (oldNs === ns) {
        sameWindow = true;
        acc = this.mergeAcc(acc, b.getNs(this.contents, oldNs));
        continue;
      }
      acc = this.mergeAcc(acc, b.getNs(this.contents, oldNs));
      b.removeNs(this.contents, oldNs);
      this.currentNs = oldNs;
      this.cw.start = w[0];
      this.cw.end = w[1];
      this.trigger.clear(this.cw, this.triggerCtx);
      if (this.lateness > 0 && this.assigner.eventTime) this.timers!.deleteEventTimeTimer(oldNs, this.cleanupTime(this.cw));
    }
    this.cw.start = start;
    this.cw.end = end;
    this.currentNs = ns;
    const next = this.addTo(acc, value);
    b.putNs(this.contents, ns, next);
    remaining.push([start, end]);
    group.set(b.currentKey, remaining);
    if (!sameWindow) this.trigger.onMerge?.(this.cw, this.triggerCtx);
    this.afterAdd(!sameWindow, next);
  }

  protected override onEventTime(t: Timer): void {
    this.onTimer(t, true);
  }
  protected override onProcessingTime(t: Timer): void {
    this.onTimer(t, false);
  }

  private onTimer(t: Timer, eventTime: boolean): void {
    const b = this.backend!;
    if (eventTime && this.firesAndPurgesAtEnd && typeof t.namespace === 'number' && t.timestamp === t.namespace + this.assigner.sizeMs - 1) {
      // the common case on the hot path of a window firing: the default event-time trigger,
      // no lateness, a fixed-size window whose only timer is its end — fire it and drop its
      // contents in one lookup (the trigger's clear would only delete this timer, already gone)
      const acc = b.takeNs(this.contents, t.namespace);
      this.currentNs = t.namespace;
      this.cw.start = t.namespace;
      this.cw.end = t.namespace + this.assigner.sizeMs;
      if (acc !== undefined) this.emit(acc);
      return;
    }
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

  private clearWindow(w: TimeWindow, ns: Namespace): void {
    const b = this.backend!;
    b.removeNs(this.contents, ns);
    this.currentNs = ns;
    this.cw.start = w.start;
    this.cw.end = w.end;
    this.trigger.clear(this.cw, this.triggerCtx);
    if (this.assigner.kind === 'session') {
      const group = b.currentGroup(this.sessions);
      const list = group.get(b.currentKey) as Array<[number, number]> | undefined;
      if (list) {
        const rest = list.filter((x) => x[0] !== w.start || x[1] !== w.end);
        if (rest.length === 0) group.delete(b.currentKey);
        else group.set(b.currentKey, rest);
      }
    }
  }
}
