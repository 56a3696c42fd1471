// Timers of one operator as of a snapshot, serialized in slices from the frozen buckets of both
// heaps (timer-heap.ts copies a bucket the task changes meanwhile, so these stay as they were).

import { encodeTimer, timerLines } from '../checkpoint/state-file-format.ts';
import type { SnapshotPart } from '../checkpoint/snapshot-part.ts';
import type { Key } from '../graph/key-groups.ts';
import type { TimerHeapCapture, TimerSlot } from './timer-heap.ts';

export class TimersCapture implements SnapshotPart {
  private readonly heaps: readonly TimerHeapCapture[];
  private readonly encoded: [string[], string[]] = [[], []];
  private heap = 0;
  private bucket = 0;
  /** position inside a large bucket (frozen, so an iterator stays valid across slices) */
  private entries: Iterator<[Key, TimerSlot]> | undefined;

  constructor(eventTime: TimerHeapCapture, processingTime: TimerHeapCapture) {
    this.heaps = [eventTime, processingTime];
  }

  advance(budget: number, out: Buffer[]): boolean {
    let left = budget;
    while (this.heap < this.heaps.length) {
      const buckets = this.heaps[this.heap]!.buckets;
      const into = this.encoded[this.heap]!;
      while (this.bucket < buckets.length) {
        const [ts, b] = buckets[this.bucket]!;
        const it = (this.entries ??= b.entries());
        for (;;) {
          if (left <= 0) return false; // go on from here in the next slice
          const e = it.next();
          if (e.done) break;
          const [key, slot] = e.value;
          if (Array.isArray(slot)) {
            for (const ns of slot) into.push(encodeTimer(ts, key, ns));
            left -= slot.length;
          } else {
            into.push(encodeTimer(ts, key, slot));
            left--;
          }
        }
        this.entries = undefined;
        this.bucket++;
      }
      this.heap++;
      this.bucket = 0;
    }
    out.push(...timerLines(this.encoded[0], this.encoded[1]));
    this.encoded[0] = [];
    this.encoded[1] = [];
    return true;
  }

  release(): void {
    for (const h of this.heaps) h.release();
    this.encoded[0] = [];
    this.encoded[1] = [];
  }
}
