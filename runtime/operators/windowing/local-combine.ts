// The subtask-local half of a local-global window aggregation: fired window results are folded
// into one partial per window (a WindowResultCombiner) instead of each leaving the subtask, and
// the partials' rows go downstream before the watermark that fired the windows is forwarded.
//
// Partials live only while one watermark's firing runs. A checkpoint barrier cannot come in
// between (a task takes no input until its timers have fired), so a snapshot finds them empty;
// should one ever not, they are snapshotted with the first key group of the subtask and restored
// by exactly the new subtask that owns that key group, so no row is lost or doubled.

import type { KeyGroupRange } from '../../keys/key-groups.ts';
import type { WindowResultCombiner } from '../../api/windows.ts';

export interface PendingPartials {
  readonly firstKeyGroup: number;
  /** [window maxTimestamp, partial] */
  readonly partials: Array<[number, unknown]>;
}

export class LocalWindowCombine {
  private readonly combiner: WindowResultCombiner<unknown, unknown>;
  /** window maxTimestamp → partial; a Map keeps the order windows fired in */
  private readonly partials = new Map<number, unknown>();

  constructor(combiner: WindowResultCombiner<unknown, unknown>) {
    this.combiner = combiner;
  }

  add(windowMaxTimestamp: number, result: unknown): void {
    this.partials.set(windowMaxTimestamp, this.combiner.add(this.partials.get(windowMaxTimestamp), result));
  }

  /** Emits every window's rows (timestamped with the window's maxTimestamp) and forgets them. */
  flush(collect: (value: unknown, timestamp: number) => void): void {
    if (this.partials.size === 0) return;
    const windows = [...this.partials].sort((a, b) => a[0] - b[0]);
    this.partials.clear();
    for (const [ts, partial] of windows) for (const row of this.combiner.results(partial)) collect(row, ts);
  }

  snapshot(range: KeyGroupRange): PendingPartials | undefined {
    return this.partials.size === 0 ? undefined : { firstKeyGroup: range.start, partials: [...this.partials] };
  }

  /** Takes the partials of those previous subtasks whose first key group is now in `range`. */
  restore(states: readonly unknown[], range: KeyGroupRange): void {
    for (const s of states as PendingPartials[]) {
      if (s.firstKeyGroup < range.start || s.firstKeyGroup > range.end) continue;
      for (const [ts, partial] of s.partials) {
        const mine = this.partials.get(ts);
        if (mine === undefined) this.partials.set(ts, partial);
        else for (const row of this.combiner.results(partial)) this.partials.set(ts, this.combiner.add(this.partials.get(ts), row));
      }
    }
  }
}
