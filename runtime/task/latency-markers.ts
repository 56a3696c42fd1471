// Latency markers (Flink's latency tracking): a source task emits one every interval, stamped
// with the wall-clock time; tasks forward it to one channel per writer, rotating so markers
// sample every path; a task without outputs (a sink) records its age in the latency histogram.

import { LATENCY_MARKER } from '../network/buffers.ts';
import type { Clock } from '../time/clock.ts';
import type { LatencyHistogram } from '../metrics/latency-histogram.ts';
import type { RecordWriter } from './record-writer.ts';

export class LatencyMarkers {
  private readonly writers: readonly RecordWriter[];
  private readonly histogram: LatencyHistogram;
  private readonly wall: Clock;
  private readonly intervalMs: number;
  private target = 0;
  private nextEmit: number;

  /** `wall` is epoch time (markers cross processes); `intervalMs` 0 = sources emit none. */
  constructor(writers: readonly RecordWriter[], histogram: LatencyHistogram, wall: Clock, intervalMs = 0) {
    this.writers = writers;
    this.histogram = histogram;
    this.wall = wall;
    this.intervalMs = intervalMs;
    this.nextEmit = intervalMs > 0 ? wall.now() + intervalMs : Number.POSITIVE_INFINITY;
  }

  /** Source tasks, once per poll: emits a marker when the interval has passed. */
  emitIfDue(): void {
    const now = this.wall.now();
    if (now < this.nextEmit) return;
    this.nextEmit = now + this.intervalMs;
    this.forward(now);
  }

  /** A marker created at `created` (epoch ms) arrived, or a source made one. */
  forward(created: number): void {
    if (this.writers.length === 0) {
      this.histogram.record(this.wall.now() - created);
      return;
    }
    this.target++;
    for (const w of this.writers) w.sendEventTo(this.target % w.channels.length, LATENCY_MARKER, created);
  }
}
