// Records per second of each job vertex, from the cumulative counts the JobManager reports:
// the console keeps the previous sample per job vertex and divides the difference by the time
// between samples (manual clock in tests). A new job id or a count that went down (a restart
// resets counts) starts over; samples of jobs not seen for a while are dropped (bounded memory).

export interface Sample { recordsIn: number; recordsOut: number }
export interface Rates { inPerSecond: number | null; outPerSecond: number | null }

export class RateTracker {
  private readonly last = new Map<string, Sample & { at: number }>();
  private readonly now: () => number;
  private readonly maxEntries: number;
  constructor(now: () => number, maxEntries = 5_000) { this.now = now; this.maxEntries = maxEntries; }

  /** Records a sample and returns the rates since the previous one (null on the first). */
  observe(key: string, s: Sample): Rates {
    const at = this.now();
    const prev = this.last.get(key);
    this.last.delete(key); // re-insert: Map order is then least recently seen first
    if (this.last.size >= this.maxEntries) this.last.delete(this.last.keys().next().value!);
    this.last.set(key, { ...s, at });
    if (!prev || at <= prev.at || s.recordsIn < prev.recordsIn || s.recordsOut < prev.recordsOut) return { inPerSecond: null, outPerSecond: null };
    const dt = (at - prev.at) / 1000;
    return { inPerSecond: (s.recordsIn - prev.recordsIn) / dt, outPerSecond: (s.recordsOut - prev.recordsOut) / dt };
  }
}
