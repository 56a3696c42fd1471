// Timers of one operator: a min-heap of distinct timestamps, and per timestamp a map from key to
// namespace(s). Registering the same (timestamp, key, namespace) again is a no-op; all timers of a
// timestamp fire together; nothing is allocated per timer beyond its map entry (windows of all
// keys share their end timestamp, so this is much cheaper than one heap node per timer).

import type { Key } from '../keys/key-groups.ts';
import type { Namespace } from './state-table.ts';

export interface Timer {
  readonly timestamp: number;
  readonly key: Key;
  readonly namespace: Namespace;
}

export type TimerSlot = Namespace | Namespace[];
type Slot = TimerSlot;
type Bucket = Map<Key, Slot>;

/** The timers of a heap as of a snapshot: its buckets, frozen (never changed again) until released. */
export interface TimerHeapCapture {
  readonly buckets: ReadonlyArray<readonly [number, ReadonlyMap<Key, TimerSlot>]>;
  release(): void;
}

export class TimerHeap {
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, Bucket>();
  /**
   * Buckets held by snapshots in flight → how many hold each. Such a bucket is frozen: the first
   * change replaces it in the heap by a copy (copy-on-write per timestamp), so the capture's
   * buckets stay as they were however long the serialization takes.
   */
  private readonly frozen = new Map<Bucket, number>();
  /** buckets copied because a snapshot held them (for tests and the memory figure) */
  copiedBuckets = 0;
  size = 0;

  /** The synchronous part of a snapshot: O(distinct timestamps), no timer is copied. */
  capture(): TimerHeapCapture {
    const held: Array<[number, Bucket]> = [];
    for (const [ts, b] of this.buckets) {
      if (b.size === 0) continue;
      held.push([ts, b]);
      this.frozen.set(b, (this.frozen.get(b) ?? 0) + 1);
    }
    let released = false;
    return {
      buckets: held,
      release: () => {
        if (released) return;
        released = true;
        for (const [, b] of held) {
          const n = this.frozen.get(b)! - 1;
          if (n === 0) this.frozen.delete(b);
          else this.frozen.set(b, n);
        }
        held.length = 0;
      },
    };
  }

  /** Buckets currently frozen by snapshots in flight. */
  frozenBuckets(): number {
    return this.frozen.size;
  }

  /** The bucket of `ts` ready to be changed: a frozen one is replaced by its copy first. */
  private writable(ts: number, bucket: Bucket): Bucket {
    if (this.frozen.size === 0 || !this.frozen.has(bucket)) return bucket;
    const copy: Bucket = new Map();
    for (const [k, s] of bucket) copy.set(k, Array.isArray(s) ? s.slice() : s);
    this.buckets.set(ts, copy);
    this.copiedBuckets++;
    return copy;
  }

  add(ts: number, key: Key, ns: Namespace): boolean {
    let bucket = this.buckets.get(ts);
    if (bucket === undefined) {
      bucket = new Map();
      this.buckets.set(ts, bucket);
      this.push(ts);
    } else if (this.frozen.size !== 0) bucket = this.writable(ts, bucket);
    const slot = bucket.get(key);
    if (slot === undefined) bucket.set(key, ns);
    else if (Array.isArray(slot)) {
      if (slot.includes(ns)) return false;
      slot.push(ns);
    } else {
      if (slot === ns) return false;
      bucket.set(key, [slot, ns]);
    }
    this.size++;
    return true;
  }

  delete(ts: number, key: Key, ns: Namespace): void {
    let bucket = this.buckets.get(ts);
    if (bucket === undefined || !bucket.has(key)) return;
    if (this.frozen.size !== 0) bucket = this.writable(ts, bucket);
    const slot = bucket.get(key)!;
    if (Array.isArray(slot)) {
      const i = slot.indexOf(ns);
      if (i < 0) return;
      slot.splice(i, 1);
      if (slot.length === 0) bucket.delete(key);
    } else {
      if (slot !== ns) return;
      bucket.delete(key);
    }
    this.size--;
    // an empty bucket stays in the heap and is skipped when it comes up
  }

  /** Earliest timestamp with a live timer. */
  peekTimestamp(): number | undefined {
    for (;;) {
      const ts = this.times[0];
      if (ts === undefined) return undefined;
      const b = this.buckets.get(ts);
      if (b && b.size > 0) return ts;
      this.buckets.delete(ts);
      this.pop();
    }
  }

  /**
   * Fires (removes, then calls fn) timers with timestamp <= upTo, in timestamp order, at most
   * about `limit` of them (a key's timers of one timestamp fire together); returns true when none
   * is left to fire, false when it stopped at the limit (call again to go on).
   */
  drainUntil(upTo: number, fn: (ts: number, key: Key, ns: Namespace) => void, limit = Number.POSITIVE_INFINITY): boolean {
    let fired = 0;
    for (;;) {
      const ts = this.peekTimestamp();
      if (ts === undefined || ts > upTo) return true;
      // the bucket stays in the heap while it fires (and between partial drains): timers deleted
      // meanwhile are skipped, timers added for the same timestamp join it and fire in this loop;
      // once empty it is dropped by peekTimestamp (which also copes with an earlier timestamp
      // added while firing, that then comes first)
      let bucket = this.buckets.get(ts)!;
      if (this.frozen.size !== 0) bucket = this.writable(ts, bucket);
      for (const [key, slot] of bucket) {
        if (fired >= limit) return false;
        bucket.delete(key);
        if (Array.isArray(slot)) {
          this.size -= slot.length;
          fired += slot.length;
          for (const ns of slot) fn(ts, key, ns);
        } else {
          this.size--;
          fired++;
          fn(ts, key, slot);
        }
      }
    }
  }

  all(): Timer[] {
    const out: Timer[] = [];
    for (const [timestamp, bucket] of this.buckets) {
      for (const [key, slot] of bucket) {
        for (const namespace of Array.isArray(slot) ? slot : [slot]) out.push({ timestamp, key, namespace });
      }
    }
    return out;
  }

  private push(ts: number): void {
    const h = this.times;
    h.push(ts);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= ts) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = ts;
  }

  private pop(): void {
    const h = this.times;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
