package dev.millrace.bench.nexmark;

/**
 * Port of runtime/connectors/nexmark/prng.ts: mulberry32 reseeded per event from (seed, index).
 * Only 32-bit integer operations and exactly-rounded double arithmetic, so draws are
 * bit-identical to the TypeScript generator.
 */
public final class Prng {
  private static final double TWO_POW_32 = 4294967296.0;
  private int state;

  public static int mix32(int value) {
    int h = value;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  public static int eventSeed(int seed, long index) {
    int low = (int) index;
    int high = (int) (index >>> 32);
    return mix32(seed ^ mix32(low ^ mix32(high + 0x9e3779b9)));
  }

  public void reseed(int newState) {
    state = newState;
  }

  public long nextUint32() {
    int s = state += 0x6d2b79f5;
    int t = (s ^ (s >>> 15)) * (1 | s);
    t = (t + ((t ^ (t >>> 7)) * (61 | t))) ^ t;
    return (t ^ (t >>> 14)) & 0xFFFFFFFFL;
  }

  /** Uniform integer in [0, bound); same double arithmetic as the TypeScript version. */
  public long nextInt(long bound) {
    if (bound <= 1) return 0;
    return (long) Math.floor(((double) nextUint32() * (double) bound) / TWO_POW_32);
  }

  public int nextInt(int bound) {
    return (int) nextInt((long) bound);
  }
}
