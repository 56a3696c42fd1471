// Keyed windows: tumbling, sliding and session assigners; reduce / aggregate (incremental) or
// process (all elements) functions; triggers; allowed lateness with late firings; late data to a
// side output. How windows are kept is a storage strategy chosen once from the configuration
// (windowing/window-storage.ts): fixed-size windows in a namespaced table fired by timers,
// merging session windows, or panes for sliding event-time aggregates (one state entry per key,
// fired by walking the keys on a watermark). This operator keeps what all share: the key and
// time of each element, late data, and what a fired window emits. An optional combiner folds
// each window's results inside the subtask before they leave it (windowing/local-combine.ts).

import type { Collector, KeySelector, WindowContext } from '../api/functions.ts';
import type { OutputTag } from '../api/output-tag.ts';
import { EventTimeTrigger, ProcessingTimeTrigger, maxTimestamp, type TimeWindow, type Trigger, type WindowAssigner, type WindowResultCombiner } from '../api/windows.ts';
import type { Key } from '../keys/key-groups.ts';
import type { Timer } from '../state/timer-heap.ts';
import { StreamOperator } from './stream-operator.ts';
import { FixedWindows } from './windowing/fixed-windows.ts';
import { LocalWindowCombine, type PendingPartials } from './windowing/local-combine.ts';
import { PaneWindows } from './windowing/pane-windows.ts';
import { SessionWindows } from './windowing/session-windows.ts';
import type { WindowMaxSnapshot } from './windowing/window-max.ts';
import { windowStorageMode, type WatermarkFiring, type WindowFunctionSpec, type WindowHost, type WindowStorage, type WindowStorageMode, type WindowTables } from './windowing/window-storage.ts';

export type { WindowFunctionSpec } from './windowing/window-storage.ts';

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

// internal state tables: their names are the state layout of checkpoints and savepoints
const CONTENTS = '_window_contents';
const COUNTS = '_window_counts';
const SESSIONS = '_window_sessions';

export class WindowOperator extends StreamOperator implements Collector<unknown> {
  private readonly assigner: WindowAssigner;
  private readonly trigger: Trigger;
  private readonly keySelector: KeySelector<unknown>;
  private readonly fn: WindowFunctionSpec;
  private readonly lateness: number;
  private readonly lateTag: OutputTag<unknown> | undefined;
  private readonly mode: WindowStorageMode;
  private storage!: WindowStorage;
  /** set when the storage fires on watermarks itself (panes) */
  private watermarkFiring: WatermarkFiring | undefined;
  private firingOnWatermark = false;
  private readonly windowCtx: WindowContext<TimeWindow>;
  private emitTs = 0;
  private firedWindow: TimeWindow = { start: 0, end: 0 };
  private readonly combine: LocalWindowCombine | undefined;
  private readonly maxPerWindow: ((result: unknown) => number) | undefined;
  private restoredBest: WindowMaxSnapshot[] = [];
  lateRecordsDropped = 0;

  constructor(cfg: WindowOperatorConfig) {
    super(true);
    this.assigner = cfg.assigner;
    this.trigger = cfg.trigger ?? (cfg.assigner.eventTime ? EventTimeTrigger : ProcessingTimeTrigger);
    this.keySelector = cfg.keySelector;
    this.fn = cfg.fn;
    this.lateness = cfg.allowedLatenessMs ?? 0;
    this.lateTag = cfg.lateDataTag;
    if (!cfg.fn.reduce && !cfg.fn.aggregate && !cfg.fn.process) {
      throw new Error('MR_ERR_WINDOW_FUNCTION: a window needs reduce, aggregate or process');
    }
    this.mode = windowStorageMode({
      assigner: cfg.assigner, defaultEventTrigger: this.trigger === EventTimeTrigger, allowedLatenessMs: this.lateness,
      fn: cfg.fn, maxPerWindow: cfg.maxPerWindow !== undefined,
    });
    this.maxPerWindow = cfg.maxPerWindow;
    if (cfg.combiner && !cfg.assigner.eventTime) {
      throw new Error('MR_ERR_WINDOW_COMBINER: a window result combiner needs event-time windows (its rows leave when the watermark moves on)');
    }
    this.combine = cfg.combiner ? new LocalWindowCombine(cfg.combiner) : undefined;
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
    const tables: WindowTables = {
      contents: this.backend!.table(CONTENTS, true),
      counts: this.backend!.table(COUNTS, true),
      sessions: this.backend!.table(SESSIONS, false),
    };
    this.storage = this.createStorage(tables);
    this.watermarkFiring = this.storage.watermarkFiring;
    this.restoredBest = [];
    this.fn.process?.open?.(this.storage.functionContext(this.runtimeContext()));
  }

  private createStorage(tables: WindowTables): WindowStorage {
    const host: WindowHost = {
      backend: this.backend!, timers: this.timers!,
      currentWatermark: () => this.watermark,
      fireWindow: (start, end, acc) => this.fireWindow(start, end, acc),
      fireResult: (key, start, end, result) => this.fireResult(key, start, end, result),
    };
    const timed = { assigner: this.assigner, trigger: this.trigger, fn: this.fn, allowedLatenessMs: this.lateness };
    switch (this.mode) {
      case 'panes':
        return new PaneWindows(host, {
          assigner: this.assigner, aggregate: this.fn.aggregate!, restoredBest: this.restoredBest,
          ...(this.maxPerWindow ? { maxPerWindow: this.maxPerWindow } : {}),
        });
      case 'session':
        return new SessionWindows(host, tables, timed);
      case 'fixed':
        return new FixedWindows(host, tables, timed);
    }
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

  processElement(value: unknown, ts: number): void {
    this.backend!.setCurrentKey(this.keySelector(value));
    let time = ts;
    if (this.assigner.eventTime) {
      if (Number.isNaN(ts)) {
        throw new Error(`MR_ERR_NO_TIMESTAMP: event-time window '${this.ctx.operatorName}' got a record without timestamp; assign timestamps with a WatermarkStrategy on the source`);
      }
    } else {
      time = this.ctx.processingTimeService.now();
    }
    if (!this.storage.add(value, time)) this.late(value, ts);
  }

  private late(value: unknown, ts: number): void {
    if (this.lateTag) this.output.collectSide(this.lateTag.id, value, ts);
    else this.lateRecordsDropped++;
  }

  /** A timer-based window fired for the current key. */
  private fireWindow(start: number, end: number, acc: unknown): void {
    const w = { start, end };
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

  /** A pane-based window fired for `key` with its aggregate result. */
  private fireResult(key: Key, start: number, end: number, result: unknown): void {
    this.emitTs = end - 1;
    const process = this.fn.process;
    if (process) {
      // all keys of one window share its (immutable) window object
      if (this.firedWindow.start !== start || this.firedWindow.end !== end) this.firedWindow = { start, end };
      process.process(key, this.windowCtx, [result], this);
    } else this.deliver(result);
  }

  // --- watermarks: a storage that fires on watermarks (panes) does so in bounded steps like timers

  override processWatermark(wm: number, inputIndex = 0, timerLimit = Number.POSITIVE_INFINITY): boolean {
    const firing = this.watermarkFiring;
    if (!firing) return super.processWatermark(wm, inputIndex, timerLimit);
    if (wm <= this.watermark) return true;
    this.watermark = wm;
    if (!firing.start(wm)) {
      this.output.emitWatermark(wm);
      return true;
    }
    this.firingOnWatermark = true;
    return this.continueWatermark(timerLimit);
  }

  override continueWatermark(timerLimit = Number.POSITIVE_INFINITY): boolean {
    const firing = this.watermarkFiring;
    if (!firing) return super.continueWatermark(timerLimit);
    if (!this.firingOnWatermark) return true;
    if (!firing.fire(timerLimit)) return false;
    this.firingOnWatermark = false;
    this.combine?.flush(this.collectDownstream);
    this.output.emitWatermark(this.watermark);
    return true;
  }

  override hasPendingWatermark(): boolean {
    return this.firingOnWatermark || super.hasPendingWatermark();
  }

  /** Timer-based windows: all windows this watermark fired are done; their combined rows leave first. */
  protected override onWatermark(_wm: number): void {
    this.combine?.flush(this.collectDownstream);
  }

  protected override onEventTime(t: Timer): void {
    this.storage.onTimer(t, true);
  }
  protected override onProcessingTime(t: Timer): void {
    this.storage.onTimer(t, false);
  }

  protected override snapshotOperatorState(): unknown {
    const combine = this.combine?.snapshot(this.ctx.keyGroupRange);
    const best = this.storage?.snapshotBest();
    if (combine === undefined && best === undefined) return undefined;
    const state: WindowOperatorState = {};
    if (combine) state.combine = combine;
    if (best) state.best = best;
    return state;
  }

  protected override restoreOperatorState(states: unknown[]): void {
    const all = states as WindowOperatorState[];
    this.combine?.restore(all.flatMap((s) => (s.combine ? [s.combine] : [])), this.ctx.keyGroupRange);
    // the storage exists from open(): the panes' best keys are restored there
    this.restoredBest = all.flatMap((s) => (s.best ? [s.best] : []));
  }
}
