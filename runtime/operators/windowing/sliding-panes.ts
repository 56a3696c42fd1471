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
// ended. The walk is resumable (at most `limit` keys per call), so a large firing is interrupted
// like timer firing is, and costs one map visit per key instead of one timer per (key, window).

import type { Key } from '../../graph/key-groups.ts';
import { windowStartFor } from '../../api/windows.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { StateTable } from '../../state/state-table.ts';

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
}

export const PANES_STATE = '_window_panes';

/** Whether an assigner's windows are made of whole panes (size a multiple of slide). */
export function panesFit(sizeMs: number, slideMs: number): boolean {
  return slideMs > 0 && sizeMs > slideMs && sizeMs % slideMs === 0;
}

export class SlidingPanes {
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly agg: PaneAggregate;
  private readonly backend: KeyedStateBackend;
  private readonly table: StateTable;
  private readonly emit: PaneWindowEmitter;
  // the walk of a firing in progress
  private firingWatermark = Number.NaN;
  private groupIndex = 0;
  private iterator: MapIterator<[Key, unknown]> | undefined;

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
    if (s === undefined) {
      group.set(b.currentKey, [this.firstOpenEnd(pane, wm), pane, agg.add(value, agg.createAccumulator())]);
      return true;
    }
    // records come mostly in time order: look for the pane from the newest end
    let i = s.length - 2;
    while (i >= 1 && (s[i] as number) > pane) i -= 2;
    if (i >= 1 && s[i] === pane) {
      s[i + 1] = agg.add(value, s[i + 1]);
      return true;
    }
    s.splice(i + 2, 0, pane, agg.add(value, agg.createAccumulator()));
    const end = this.firstOpenEnd(pane, wm);
    if (end < (s[0] as number)) s[0] = end;
    return true;
  }

  /** Starts firing the windows that end at or before watermark `wm` (walk with `fire`). */
  startFiring(wm: number): void {
    this.firingWatermark = wm;
    this.groupIndex = 0;
    this.iterator = undefined;
  }

  /** Visits up to `limit` keys of the firing in progress; true when the walk is complete. */
  fire(limit: number): boolean {
    const groups = this.table.groups;
    const wm = this.firingWatermark;
    let visited = 0;
    while (this.groupIndex < groups.length) {
      const group = groups[this.groupIndex]!;
      // a Map iterator has no return(): leaving the loop keeps its place for the next call
      this.iterator ??= group.entries();
      for (const [key, state] of this.iterator) {
        const s = state as unknown[];
        if ((s[0] as number) - 1 <= wm) this.fireKey(key, s, group, wm);
        if (++visited >= limit) return false;
      }
      this.iterator = undefined;
      this.groupIndex++;
    }
    this.firingWatermark = Number.NaN;
    return true;
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
