// Per window, the keys whose aggregate result scores highest, kept up to date as elements arrive,
// so a window fires in O(its best keys) instead of a walk over every key of the subtask (the walk
// grows with the number of keys and sits on the result's latency path: ~330k keys per subtask
// and slide for Nexmark q5 at 1M events/s). Valid when a key's score never decreases as elements
// are added to its window (counts, sums of non-negative values, maxima): then a key that is not
// among the best now can only become so by receiving an element, which updates it here.
//
// The best keys of open windows are operator state (not keyed): a snapshot carries them with
// their keys, and a restore keeps those whose key is now owned. A key that is not kept scored
// below a kept one, and only rises by receiving an element, so nothing is lost by rescaling.

import type { Key } from '../../keys/key-groups.ts';
import type { PaneAggregate } from './sliding-panes.ts';

interface WindowBest {
  max: number;
  /** key → aggregate result, for the keys scoring `max` */
  ties: Map<Key, unknown>;
}

export interface WindowMaxSnapshot {
  /** null: no window fired yet (JSON has no infinities) */
  readonly firedThrough: number | null;
  /** [window end, max score, [key, result][]] */
  readonly windows: Array<[number, number, Array<[Key, unknown]>]>;
}

export type WindowEmitter = (key: Key, start: number, end: number, result: unknown) => void;

export class WindowMaxTracker {
  private readonly size: number;
  private readonly slide: number;
  private readonly agg: PaneAggregate;
  private readonly score: (result: unknown) => number;
  private readonly best = new Map<number, WindowBest>();
  /** every window ending at or before this has fired */
  firedThrough = Number.NEGATIVE_INFINITY;

  constructor(sizeMs: number, slideMs: number, agg: PaneAggregate, score: (result: unknown) => number) {
    this.size = sizeMs;
    this.slide = slideMs;
    this.agg = agg;
    this.score = score;
  }

  /**
   * Re-scores `key` in the open windows ending from `firstEnd` to `lastEnd` (those containing
   * the pane that just changed) from its panes `s` = [nextEnd, pane0, acc0, pane1, acc1, ...].
   */
  update(key: Key, s: readonly unknown[], firstEnd: number, lastEnd: number): void {
    const { size, agg } = this;
    for (let end = Math.max(firstEnd, this.firedThrough + this.slide); end <= lastEnd; end += this.slide) {
      const start = end - size;
      let acc: unknown = undefined;
      // from the newest pane back: only the last few can be in an open window
      for (let i = s.length - 2; i >= 1; i -= 2) {
        const pane = s[i] as number;
        if (pane < start) break;
        if (pane < end) acc = agg.merge(acc === undefined ? agg.createAccumulator() : acc, s[i + 1]);
      }
      if (acc === undefined) continue;
      const result = agg.getResult(acc);
      const score = this.score(result);
      const b = this.best.get(end);
      if (b === undefined) this.best.set(end, { max: score, ties: new Map([[key, result]]) });
      else if (score > b.max) {
        b.max = score;
        b.ties = new Map([[key, result]]);
      } else if (score === b.max) b.ties.set(key, result);
    }
  }

  /** Emits the best keys of every window that watermark `wm` closes, in window order. */
  fireDue(wm: number, closedThrough: number, emit: WindowEmitter): void {
    if (closedThrough <= this.firedThrough) return;
    const due = [...this.best.keys()].filter((end) => end - 1 <= wm).sort((a, b) => a - b);
    for (const end of due) {
      for (const [key, result] of this.best.get(end)!.ties) emit(key, end - this.size, end, result);
      this.best.delete(end);
    }
    this.firedThrough = closedThrough;
  }

  snapshot(): WindowMaxSnapshot {
    const fired = this.firedThrough === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : this.firedThrough;
    return { firedThrough: Number.isFinite(fired) ? fired : null, windows: [...this.best].map(([end, b]) => [end, b.max, [...b.ties]]) };
  }

  /** Keeps the best keys that `owns` (this subtask's key groups) of every previous subtask. */
  restore(states: readonly WindowMaxSnapshot[], owns: (key: Key) => boolean): void {
    for (const st of states) {
      if (st.firedThrough !== null && st.firedThrough > this.firedThrough) this.firedThrough = st.firedThrough;
      for (const [end, max, ties] of st.windows) {
        const mine = ties.filter(([key]) => owns(key));
        if (mine.length === 0) continue;
        const b = this.best.get(end);
        if (b === undefined || max > b.max) this.best.set(end, { max, ties: new Map(mine) });
        else if (max === b.max) for (const [key, result] of mine) b.ties.set(key, result);
      }
    }
    for (const end of [...this.best.keys()]) if (end <= this.firedThrough) this.best.delete(end);
  }
}
