// Latency histogram with fixed buckets (1 ms up to 1 s, 10 ms up to 60 s, then one overflow
// bucket), so every record can be counted cheaply and histograms of subtasks merge exactly.

const FINE = 1000;
const COARSE_STEP = 10;
const MAX_MS = 60_000;
const BUCKETS = FINE + (MAX_MS - FINE) / COARSE_STEP + 1;

const bucketOf = (ms: number): number =>
  ms < 0 ? 0 : ms < FINE ? Math.floor(ms) : ms < MAX_MS ? FINE + Math.floor((ms - FINE) / COARSE_STEP) : BUCKETS - 1;
const upperMs = (b: number): number => (b < FINE ? b + 1 : b < BUCKETS - 1 ? FINE + (b - FINE + 1) * COARSE_STEP : MAX_MS);

export type SparseHistogram = Array<[number, number]>;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;

  record(ms: number): void {
    this.counts[bucketOf(ms)]!++;
    this.count++;
  }

  sparse(): SparseHistogram {
    const out: SparseHistogram = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) out.push([i, this.counts[i]!]);
    return out;
  }

  merge(s: SparseHistogram): void {
    for (const [b, c] of s) {
      this.counts[b]! += c;
      this.count += c;
    }
  }

  /** Upper bound of the bucket holding the q-quantile (ms). */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const target = Math.ceil(this.count * q);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return upperMs(i);
    }
    return MAX_MS;
  }

  p99(): number | undefined {
    return this.quantile(0.99);
  }
}

export function mergedP99(histograms: Array<SparseHistogram | undefined>): number | undefined {
  const h = new LatencyHistogram();
  for (const s of histograms) if (s) h.merge(s);
  return h.p99();
}
