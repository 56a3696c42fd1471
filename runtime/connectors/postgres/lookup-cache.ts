// The lookup source's cache (Flink's `lookup.cache.max-rows` / `lookup.cache.ttl`): at most
// `maxRows` keys, least recently used evicted first, an entry older than `ttlMs` (since it was
// loaded) is a miss. Pure: the clock is injected, so tests drive time by hand.

export interface LookupCacheOptions {
  maxRows: number;
  ttlMs: number;
  now: () => number;
}

export class LookupCache<V> {
  private readonly o: LookupCacheOptions;
  /** Map keeps insertion order: the first entry is the least recently used */
  private readonly entries = new Map<string, { value: V; loadedAt: number }>();

  constructor(o: LookupCacheOptions) {
    if (!(o.maxRows > 0)) throw new Error(`lookup cache: maxRows must be positive, got ${o.maxRows}`);
    this.o = o;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.o.now() - entry.loadedAt >= this.o.ttlMs) return undefined;
    this.entries.set(key, entry); // most recently used now
    return entry.value;
  }

  put(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, loadedAt: this.o.now() });
    while (this.entries.size > this.o.maxRows) this.entries.delete(this.entries.keys().next().value!);
  }
}
