// Keyed state of one operator as of a snapshot, serialized key group by key group in slices
// while the task goes on changing the live tables (table-view.ts keeps the snapshot's values).

import type { KeyGroupRange } from '../keys/key-groups.ts';
import { keyedHeaderRecord } from './state-file-format.ts';
import type { SnapshotPart } from './snapshot-part.ts';
import type { TableView } from './table-view.ts';

export class KeyedStateCapture implements SnapshotPart {
  private readonly range: KeyGroupRange;
  private readonly maxParallelism: number;
  readonly views: readonly TableView[];
  private headerDone = false;
  private group = 0;
  private table = 0;

  constructor(range: KeyGroupRange, maxParallelism: number, views: TableView[]) {
    this.range = range;
    this.maxParallelism = maxParallelism;
    this.views = views;
  }

  advance(budget: number, out: Buffer[]): boolean {
    if (!this.headerDone) {
      out.push(keyedHeaderRecord(this.maxParallelism));
      this.headerDone = true;
    }
    const groups = this.range.end - this.range.start + 1;
    let left = budget;
    while (this.group < groups) {
      while (this.table < this.views.length) {
        const v = this.views[this.table]!;
        left -= v.advance(this.group, left);
        if (!v.isComplete(this.group)) return false;
        this.table++;
      }
      for (const v of this.views) for (const r of v.take(this.group)) out.push(r);
      this.group++;
      this.table = 0;
      if (left <= 0 && this.group < groups) return false;
    }
    return true;
  }

  release(): void {
    for (const v of this.views) v.release();
  }
}
