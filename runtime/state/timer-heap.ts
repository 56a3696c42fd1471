// Binary min-heap of timers ordered by timestamp, with de-duplication and lazy deletion.

import type { Key } from '../graph/key-groups.ts';
import type { Namespace } from './state-table.ts';

export interface Timer {
  readonly timestamp: number;
  readonly key: Key;
  readonly namespace: Namespace;
  readonly keyGroup: number;
}

const idOf = (ts: number, key: Key, ns: Namespace): string => `${ts}\u0000${typeof key}${key}\u0000${typeof ns}${ns}`;

export class TimerHeap {
  private readonly heap: Timer[] = [];
  private readonly live = new Set<string>();

  get size(): number {
    return this.live.size;
  }

  add(t: Timer): boolean {
    const id = idOf(t.timestamp, t.key, t.namespace);
    if (this.live.has(id)) return false;
    this.live.add(id);
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.timestamp <= t.timestamp) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = t;
    return true;
  }

  delete(ts: number, key: Key, ns: Namespace): void {
    this.live.delete(idOf(ts, key, ns));
  }

  /** Earliest live timer, dropping deleted ones on the way. */
  peek(): Timer | undefined {
    for (;;) {
      const top = this.heap[0];
      if (!top) return undefined;
      if (this.live.has(idOf(top.timestamp, top.key, top.namespace))) return top;
      this.popRaw();
    }
  }

  poll(): Timer | undefined {
    const t = this.peek();
    if (!t) return undefined;
    this.popRaw();
    this.live.delete(idOf(t.timestamp, t.key, t.namespace));
    return t;
  }

  /** Live timers (for snapshots). */
  all(): Timer[] {
    return this.heap.filter((t) => this.live.has(idOf(t.timestamp, t.key, t.namespace)));
  }

  private popRaw(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.timestamp < h[l]!.timestamp ? r : l;
      if (h[c]!.timestamp >= last.timestamp) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
