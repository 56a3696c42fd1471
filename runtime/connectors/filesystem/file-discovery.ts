// Which files a continuous filesystem source subtask reads (`source.monitor-interval`), as Flink's
// ContinuousFileSplitEnumerator decides it: the directory is listed every interval, and every
// visible file not seen before is read once. Millrace has no enumerator task, so each subtask
// lists the directory itself and takes the files it owns: `ownerOf(key)` is a stable hash of the
// key modulo the parallelism, so a file that appears later goes to the same subtask whoever lists
// first, and nothing but the key decides it.
//
// The state is union state (runtime/api/source.ts): each subtask checkpoints the keys it has
// taken (read or queued) and its queue, the first file with how many records of it were read. On
// a restore every subtask gets all old states and keeps the keys it owns at the new parallelism:
// a key some old subtask had taken is never taken again (no re-read), a queued one continues where
// it was (no skip), a key nobody had taken is found by the next listing. Like Flink, the set of
// taken keys grows with the directory (one path per file ever read).
//
// Assumption (as Flink's): a file appears whole under its final, visible name. The filesystem
// sink gives that (a rename on disk, a server-side copy on S3, from a hidden `.part-...` name);
// a writer that appends to a visible file in place must write under a hidden name ('.' or '_')
// and rename it. A file changed after it was read is not read again. Pure: time comes in as `now`.

import { visibleKeys } from './part-names.ts';

/** The checkpointed position of one continuous source subtask. */
export interface ContinuousPosition {
  readonly restoreAsUnion: true;
  readonly continuous: 1;
  /** every key this subtask has taken (read to the end or in the queue) */
  readonly taken: string[];
  /** taken and not read to the end, in reading order; `skip` records of the first were emitted */
  readonly queue: Array<{ readonly key: string; readonly skip: number }>;
}

export const isContinuousPosition = (s: unknown): s is ContinuousPosition =>
  typeof s === 'object' && s !== null && (s as { continuous?: unknown }).continuous === 1;

/** FNV-1a over the key's UTF-16 code units, then murmur3's finalizer to spread similar keys: stable across processes and versions. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The subtask that reads `key` at `parallelism`. */
export const ownerOf = (key: string, parallelism: number): number => hashKey(key) % parallelism;

export class FileDiscovery {
  readonly subtask: number;
  readonly parallelism: number;
  readonly intervalMs: number;
  private readonly taken = new Set<string>();
  private queue: Array<{ key: string; skip: number }> = [];
  /** when the next listing is due (the first one at once) */
  private dueAt = Number.NEGATIVE_INFINITY;

  constructor(subtask: number, parallelism: number, intervalMs: number) {
    this.subtask = subtask;
    this.parallelism = parallelism;
    this.intervalMs = intervalMs;
  }

  /** Keeps, of the old subtasks' positions, what this subtask owns at its parallelism. */
  restore(states: readonly ContinuousPosition[]): void {
    this.taken.clear();
    const queued = new Map<string, number>();
    for (const s of states) {
      for (const k of s.taken) if (this.owns(k)) this.taken.add(k);
      for (const q of s.queue) if (this.owns(q.key)) queued.set(q.key, Math.max(q.skip, queued.get(q.key) ?? 0));
    }
    // partly read files first, then in key order (the order one listing would give)
    this.queue = [...queued].map(([key, skip]) => ({ key, skip })).sort((a, b) => (b.skip > 0 ? 1 : 0) - (a.skip > 0 ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const q of this.queue) this.taken.add(q.key);
  }

  owns(key: string): boolean {
    return ownerOf(key, this.parallelism) === this.subtask;
  }

  /** True when a listing should start now. */
  listingDue(now: number): boolean {
    return now >= this.dueAt;
  }

  /** A listing started at `now`: the next is due an interval later. */
  listingStarted(now: number): void {
    this.dueAt = now + this.intervalMs;
  }

  /** ms until the next listing is due (0: due now). */
  msUntilListing(now: number): number {
    return Math.max(0, this.dueAt - now);
  }

  /** A listing's result: the visible keys this subtask owns and has not taken join the queue (sorted); returns them. */
  discovered(listed: readonly string[]): string[] {
    const fresh = visibleKeys(listed).filter((k) => this.owns(k) && !this.taken.has(k));
    for (const k of fresh) {
      this.taken.add(k);
      this.queue.push({ key: k, skip: 0 });
    }
    return fresh;
  }

  /** The file to read next, if any. */
  next(): { readonly key: string; readonly skip: number } | undefined {
    return this.queue[0];
  }

  /** `read` records of the current (first) file were emitted. */
  progress(key: string, read: number): void {
    if (this.queue[0]?.key === key) this.queue[0] = { key, skip: read };
  }

  /** The current file was read to the end. */
  finished(key: string): void {
    if (this.queue[0]?.key === key) this.queue.shift();
  }

  get queued(): number {
    return this.queue.length;
  }

  snapshot(): ContinuousPosition {
    return { restoreAsUnion: true, continuous: 1, taken: [...this.taken].sort(), queue: this.queue.map((q) => ({ ...q })) };
  }
}
