// Timers of one operator: a min-heap of distinct timestamps, and per timestamp a map from key to
// namespace(s). Registering the same (timestamp, key, namespace) again is a no-op; all timers of a
// timestamp fire together; nothing is allocated per timer beyond its map entry (windows of all
// keys share their end timestamp, so this is much cheaper than one heap node per timer).

import type { Key } from '../graph/key-groups.ts';
import type { Namespace } from './state-table.ts';

export interface Timer {
  readonly timestamp: number;
  readonly key: Key;
  readonly namespace: Namespace;
}

type Slot = Namespace | Namespace[];

export class TimerHeap {
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, Map<Key, Slot>>();
  size = 0;

  add(ts: number, key: Key, ns: Namespace): boolean {
    let bucket = this.buckets.get(ts);
    if (bucket === undefined) {
      bucket = new Map();
      this.buckets.set(ts, bucket);
      this.push(ts);
    }
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
    const bucket = this.buckets.get(ts);
    const slot = bucket?.get(key);
    if (slot === undefined) return;
    if (Array.isArray(slot)) {
      const i = slot.indexOf(ns);
      if (i < 0) return;
      slot.splice(i, 1);
      if (slot.length === 0) bucket!.delete(key);
    } else {
      if (slot !== ns) return;
      bucket!.delete(key);
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
      const bucket = this.buckets.get(ts)!;
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
