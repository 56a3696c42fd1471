// Recent end-to-end latencies (from latency markers) in a fixed ring; p99 over the ring.

export class LatencyHistogram {
  private readonly ring: Float64Array;
  private next = 0;
  count = 0;
  constructor(size = 2048) {
    this.ring = new Float64Array(size);
  }
  record(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    this.count++;
  }
  samples(): number[] {
    return Array.from(this.ring.subarray(0, Math.min(this.count, this.ring.length)));
  }
  p99(): number | undefined {
    const s = this.samples().sort((a, b) => a - b);
    if (s.length === 0) return undefined;
    return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
  }
}
