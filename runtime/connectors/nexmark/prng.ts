// A small, fast PRNG reseeded for every event from (seed, event index), so any subtask can
// generate any event on its own and a source resumes from a bare index. Only 32-bit integer
// operations and exactly-rounded double arithmetic are used, so the Java port in
// bench/flink produces bit-identical draws (the benchmark checks this before it runs).

// Math functions bound once: module constants are cheaper than global lookups in sandboxed contexts (jest's vm).
const { imul, floor } = Math;

const TWO_POW_32 = 4294967296;

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The PRNG state for event `index` (a non-negative safe integer) under `seed` (32-bit). */
export function eventSeed(seed: number, index: number): number {
  const low = index >>> 0;
  const high = floor(index / TWO_POW_32) | 0;
  return mix32((seed | 0) ^ mix32(low ^ mix32(high + 0x9e3779b9)));
}

/**
 * mulberry32 held in a mutable field instead of a closure per event: the generator owns one
 * instance and reseeds it, so generating an event allocates no PRNG objects.
 */
export class Prng {
  state = 0;

  reseed(state: number): void {
    this.state = state | 0;
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const s = (this.state = (this.state + 0x6d2b79f5) | 0);
    let t = imul(s ^ (s >>> 15), 1 | s);
    t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, bound) for 1 <= bound < 2^53 (bound 0 or 1 gives 0). */
  nextInt(bound: number): number {
    if (bound <= 1) return 0;
    return floor((this.nextUint32() * bound) / TWO_POW_32);
  }
}
