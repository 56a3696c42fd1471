// Timers of one operator as of a snapshot, serialized in slices from the frozen buckets of both
// heaps (timer-heap.ts copies a bucket the task changes meanwhile, so these stay as they were).
// First the timers are collected (a small tuple each, in budgeted steps), then written one record
// of TIMER_CHUNK timers per step (state-file-format.ts's timers records).

import { TIMER_CHUNK, timersRecord } from './state-file-format.ts';
import type { SnapshotPart } from './snapshot-part.ts';
import type { Key } from '../keys/key-groups.ts';
import type { Namespace } from './state-table.ts';
import type { TimerHeapCapture, TimerSlot } from './timer-heap.ts';

type Tuple = [number, Key, Namespace];

export class TimersCapture implements SnapshotPart {
  private readonly heaps: readonly TimerHeapCapture[];
  private collected: [Tuple[], Tuple[]] = [[], []];
  private heap = 0;
  private bucket = 0;
  /** position inside a large bucket (frozen, so an iterator stays valid across slices) */
  private entries: Iterator<[Key, TimerSlot]> | undefined;
  /** next timer index to write (records phase) */
  private written = 0;

  constructor(eventTime: TimerHeapCapture, processingTime: TimerHeapCapture) {
    this.heaps = [eventTime, processingTime];
  }

  advance(budget: number, out: Buffer[]): boolean {
    let left = budget;
    while (this.heap < this.heaps.length) {
      const buckets = this.heaps[this.heap]!.buckets;
      const into = this.collected[this.heap]!;
      while (this.bucket < buckets.length) {
        const [ts, b] = buckets[this.bucket]!;
        const it = (this.entries ??= b.entries());
        for (;;) {
          if (left <= 0) return false; // go on from here in the next slice
          const e = it.next();
          if (e.done) break;
          const [key, slot] = e.value;
          if (Array.isArray(slot)) {
            for (const ns of slot) into.push([ts, key, ns]);
            left -= slot.length;
          } else {
            into.push([ts, key, slot]);
            left--;
          }
        }
        this.entries = undefined;
        this.bucket++;
      }
      this.heap++;
      this.bucket = 0;
    }
    // the records, as the synchronous encoding writes them: at least one, TIMER_CHUNK timers each
    const [ev, pt] = this.collected;
    const n = Math.max(ev.length, pt.length);
    do {
      if (left <= 0) return false;
      const i = this.written;
      out.push(timersRecord(ev.slice(i, i + TIMER_CHUNK), pt.slice(i, i + TIMER_CHUNK)));
      this.written += TIMER_CHUNK;
      left -= TIMER_CHUNK;
    } while (this.written < n);
    this.collected = [[], []];
    return true;
  }

  release(): void {
    for (const h of this.heaps) h.release();
    this.collected = [[], []];
  }
}
