// Key groups: the unit of keyed-state distribution. A key always hashes to the same key group
// (0..maxParallelism-1); key groups are split into contiguous ranges, one per subtask, so state
// can be redistributed when parallelism changes without rehashing keys (same formulas as Flink).

export type Key = string | number;

export const DEFAULT_MAX_PARALLELISM = 128;

export interface KeyGroupRange {
  readonly start: number; // inclusive
  readonly end: number; // inclusive
}

function mix(h: number): number {
  // murmur3 fmix32: spreads poor hashCode-style values over all bits
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Deterministic across processes and runs; strings and integers are hashed without allocation. */
export function hashKey(key: Key): number {
  if (typeof key === 'number') {
    if (Number.isInteger(key)) {
      const lo = key | 0;
      const hi = Math.floor(key / 4294967296) | 0;
      return mix(lo ^ Math.imul(hi, 0x9e3779b1));
    }
    return hashString(String(key));
  }
  return hashString(key);
}

function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return mix(h);
}

export function keyGroupFor(key: Key, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

export function operatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

export function keyGroupRangeFor(maxParallelism: number, parallelism: number, operatorIndex: number): KeyGroupRange {
  if (parallelism > maxParallelism) {
    throw new Error(`MR_ERR_PARALLELISM_ABOVE_MAX: parallelism ${parallelism} exceeds maxParallelism ${maxParallelism}; raise maxParallelism`);
  }
  const start = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}

/** Keys must be strings or numbers so state maps can use them directly; other values are JSON-encoded. */
export function normalizeKey(k: unknown): Key {
  return typeof k === 'string' || typeof k === 'number' ? k : JSON.stringify(k);
}
