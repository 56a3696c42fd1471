// Pane-based sliding event-time windows (the "slicing" Flink SQL uses for HOP windows): a record
// updates one pane (a slide-long slice of time) instead of size/slide overlapping windows, and a
// window's result merges its panes when the watermark passes its end.
//
// State: per key ONE entry in a keyed state table of the backend,
//   [nextEnd, pane0Start, acc0, pane1Start, acc1, ...]     (panes ascending)
// where nextEnd is the end of the next window of this key that has not fired. It is JSON-able
// and split by key group like any keyed state, so checkpoints and rescaling need nothing extra;
// nextEnd makes a restored key fire each of its windows exactly once.
//
// No timers: a watermark walks the keys of the subtask's key groups and fires the windows that
// ended. The walk is resumable between key groups (a call goes on until it has visited `limit`
// keys), so a large firing is interrupted like timer firing is, and costs one map visit per key
// instead of one timer per (key, window). Map.forEach visits a group: a saved Map iterator would
// allocate an entry per key and cost two thirds of the firing.
//
// With `maxBy` (only each window's best keys are wanted, window-max.ts) there is no walk at the
// window end at all: the best keys are kept up to date per element, a watermark emits them, and
// the panes that no open window needs are swept a few key groups per watermark afterwards.

import type { Key } from '../../keys/key-groups.ts';
import { windowStartFor } from '../../api/windows.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { StateTable } from '../../state/state-table.ts';
import { WindowMaxTracker, type WindowMaxSnapshot } from './window-max.ts';

/** An AggregateFunction with untyped accumulators (panes are merged into a fresh accumulator). */
export interface PaneAggregate {
  createAccumulator(): unknown;
  add(value: unknown, acc: unknown): unknown;
  merge(a: unknown, b: unknown): unknown;
  getResult(acc: unknown): unknown;
}

/** Called once per fired (key, window) with the window's aggregate result. */
export type PaneWindowEmitter = (key: Key, start: number, end: number, result: unknown) => void;

export interface SlidingPanesConfig {
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly offsetMs: number;
  readonly aggregate: PaneAggregate;
  /** Emit per window only the keys whose result scores highest; scores must never decrease as elements are added. */
  readonly maxBy?: (result: unknown) => number;
}

/** A sweep after a firing visits about this share of the keys per watermark (all within ~50 watermarks). */
const SWEEP_SHARE = 1 / 50;
const SWEEP_MIN_KEYS = 1000;

export const PANES_STATE = '_window_panes';

/** Whether an assigner's windows are made of whole panes (size a multiple of slide; tumbling: one pane). */
export function panesFit(sizeMs: number, slideMs: number): boolean {
  return slideMs > 0 && sizeMs >= slideMs && sizeMs % slideMs === 0;
}

export class SlidingPanes {
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly agg: PaneAggregate;
  private readonly backend: KeyedStateBackend;
  private readonly table: StateTable;
  private readonly emit: PaneWindowEmitter;
  private readonly tracker: WindowMaxTracker | undefined;
  /** maxBy: the sweep of panes no open window needs, a few key groups per watermark */
  private sweepGroup = -1;
  private sweepThrough = Number.NEGATIVE_INFINITY;
  private readonly sweepVisit = (state: unknown, key: Key): void => {
    const s = state as unknown[];
    this.dropFired(s, this.sweepThrough);
    if (s.length === 1) this.group!.delete(key);
  };

  /** Removes (in place) the panes whose last window ends at or before `through`. */
  private dropFired(s: unknown[], through: number): void {
    let first = 1;
    while (first < s.length && (s[first] as number) + this.size <= through) first += 2;
    if (first === 1) return;
    let j = 1;
    for (let i = first; i < s.length; i++, j++) s[j] = s[i];
    s.length = j;
  }
  /**
   * No key's next window ends before this: a watermark below it needs no walk (most watermarks,
   * every 20 ms, pass no window end). Unknown (-∞) for restored state until the first walk.
   */
  private lowestEnd: number;
  // the walk of a firing in progress
  private firingWatermark = Number.NaN;
  private groupIndex = 0;
  private group: Map<Key, unknown> | undefined;
  private walkLowestEnd = Number.POSITIVE_INFINITY;
  private readonly visit = (state: unknown, key: Key): void => {
    if (this.tracker) {
      this.sweepVisit(state, key);
      return;
    }
    const s = state as unknown[];
    if ((s[0] as number) - 1 <= this.firingWatermark) {
      this.fireKey(key, s, this.group!, this.firingWatermark);
      if (s.length === 1) return; // the key is gone
    }
    if ((s[0] as number) < this.walkLowestEnd) this.walkLowestEnd = s[0] as number;
  };

  constructor(cfg: SlidingPanesConfig, backend: KeyedStateBackend, emit: PaneWindowEmitter) {
    if (!panesFit(cfg.sizeMs, cfg.slideMs)) {
      throw new Error(`MR_ERR_WINDOW_PANES: pane-based windows need a size that is a multiple of the slide (size ${cfg.sizeMs} ms, slide ${cfg.slideMs} ms)`);
    }
    this.size = cfg.sizeMs;
    this.slide = cfg.slideMs;
    this.offset = cfg.offsetMs;
    this.agg = cfg.aggregate;
    this.backend = backend;
    this.table = backend.table(PANES_STATE, false);
    this.emit = emit;
    this.lowestEnd = this.table.size() > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    this.tracker = cfg.maxBy ? new WindowMaxTracker(this.size, this.slide, this.agg, cfg.maxBy) : undefined;
  }

  /** End of the first window containing pane `pane` that a watermark `wm` has not fired yet. */
  private firstOpenEnd(pane: number, wm: number): number {
    const first = pane + this.slide;
    if (wm === Number.NEGATIVE_INFINITY) return first;
    return Math.max(first, windowStartFor(wm + 1, this.offset, this.slide) + this.slide);
  }

  /**
   * Adds a record of the backend's current key; false when every window containing `ts` has
   * already fired under watermark `wm` (a late record).
   */
  add(value: unknown, ts: number, wm: number): boolean {
    const pane = windowStartFor(ts, this.offset, this.slide);
    if (pane + this.size - 1 <= wm) return false;
    const b = this.backend;
    const group = b.currentGroup(this.table);
    const s = group.get(b.currentKey) as unknown[] | undefined;
    const agg = this.agg;
    const end = this.firstOpenEnd(pane, wm);
    if (s === undefined) {
      if (end < this.lowestEnd) this.lowestEnd = end;
      const created = [end, pane, agg.add(value, agg.createAccumulator())];
      group.set(b.currentKey, created);
      this.tracker?.update(b.currentKey, created, end, pane + this.size);
      return true;
    }
    // maxBy: panes whose windows have all fired go as soon as their key is touched (the sweep
    // finds the keys that are not)
    if (this.tracker) this.dropFired(s, this.tracker.firedThrough);
    // records come mostly in time order: look for the pane from the newest end
    let i = s.length - 2;
    while (i >= 1 && (s[i] as number) > pane) i -= 2;
    if (i >= 1 && s[i] === pane) s[i + 1] = agg.add(value, s[i + 1]);
    else {
      s.splice(i + 2, 0, pane, agg.add(value, agg.createAccumulator()));
      if (end < (s[0] as number)) s[0] = end;
      if (end < this.lowestEnd) this.lowestEnd = end;
    }
    this.tracker?.update(b.currentKey, s, end, pane + this.size);
    return true;
  }

  /** Starts firing the windows that end at or before watermark `wm` (walk with `fire`); false when none is due. */
  startFiring(wm: number): boolean {
    if (this.tracker) return this.fireBest(wm);
    if (this.lowestEnd - 1 > wm) return false;
    this.firingWatermark = wm;
    this.groupIndex = 0;
    this.walkLowestEnd = Number.POSITIVE_INFINITY;
    return true;
  }

  /** Visits whole key groups until at least `limit` keys are visited; true when the walk is complete. */
  fire(limit: number): boolean {
    const groups = this.table.groups;
    let visited = 0;
    while (this.groupIndex < groups.length) {
      if (visited >= limit) return false;
      // a snapshot in flight serializes the group before the walk changes it in place
      if (this.table.views.length !== 0) this.table.beforeGroupWrite(this.groupIndex);
      const group = groups[this.groupIndex++]!;
      visited += group.size;
      this.group = group;
      // deleting the visited key inside forEach is allowed; no key is added while firing
      group.forEach(this.visit);
    }
    this.group = undefined;
    this.firingWatermark = Number.NaN;
    this.lowestEnd = this.walkLowestEnd;
    return true;
  }

  /**
   * maxBy: emits the best keys of the windows `wm` closes (no walk), then sweeps a share of the
   * keys; the final watermark walks all keys once (with `fire`) to drop everything.
   */
  private fireBest(wm: number): boolean {
    const closedThrough = wm === Number.POSITIVE_INFINITY ? wm : windowStartFor(wm + 1, this.offset, this.slide);
    const t = this.tracker!;
    if (closedThrough > t.firedThrough) {
      t.fireDue(wm, closedThrough, this.emit);
      if (wm === Number.POSITIVE_INFINITY) {
        this.sweepThrough = wm;
        this.firingWatermark = wm;
        this.groupIndex = 0;
        return true;
      }
      this.sweepThrough = closedThrough;
      if (this.sweepGroup < 0) this.sweepGroup = 0;
      // the rows just emitted and this watermark leave now; sweeping starts with the next one
      return false;
    }
    if (this.sweepGroup >= 0) this.sweep();
    return false;
  }

  private sweep(): void {
    const groups = this.table.groups;
    let total = 0;
    for (const g of groups) total += g.size;
    const limit = Math.max(SWEEP_MIN_KEYS, Math.ceil(total * SWEEP_SHARE));
    let visited = 0;
    while (this.sweepGroup < groups.length && visited < limit) {
      if (this.table.views.length !== 0) this.table.beforeGroupWrite(this.sweepGroup);
      const group = groups[this.sweepGroup++]!;
      visited += group.size;
      this.group = group;
      group.forEach(this.sweepVisit);
    }
    this.group = undefined;
    if (this.sweepGroup >= groups.length) this.sweepGroup = -1;
  }

  snapshotBest(): WindowMaxSnapshot | undefined {
    return this.tracker?.snapshot();
  }

  restoreBest(states: readonly WindowMaxSnapshot[]): void {
    this.tracker?.restore(states, (key) => this.backend.setCurrentKeyIfOwned(key));
  }

  /** Fires every window of one key that ended under `wm`, drops panes no open window needs. */
  private fireKey(key: Key, s: unknown[], group: Map<Key, unknown>, wm: number): void {
    const { size, slide, agg } = this;
    let end = s[0] as number;
    while (end - 1 <= wm) {
      const start = end - size;
      let acc: unknown = undefined;
      for (let i = 1; i < s.length; i += 2) {
        const pane = s[i] as number;
        if (pane >= end) break;
        if (pane >= start) acc = agg.merge(acc === undefined ? agg.createAccumulator() : acc, s[i + 1]);
      }
      if (acc !== undefined) this.emit(key, start, end, agg.getResult(acc));
      // drop the panes whose last window this was (in place: splice would allocate per key)
      let first = 1;
      while (first < s.length && (s[first] as number) + size <= end) first += 2;
      if (first > 1) {
        let j = 1;
        for (let i = first; i < s.length; i++, j++) s[j] = s[i];
        s.length = j;
      }
      if (s.length === 1) {
        group.delete(key);
        return;
      }
      // skip windows that hold none of the remaining panes
      end = Math.max(end + slide, (s[1] as number) + slide);
    }
    s[0] = end;
  }

  /** Number of (key, pane) entries held (for tests and metrics). */
  paneCount(): number {
    let n = 0;
    for (const g of this.table.groups) for (const s of g.values()) n += ((s as unknown[]).length - 1) / 2;
    return n;
  }
}
