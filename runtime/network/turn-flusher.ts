// Decides when the frame batches of one slot (one event loop) are written: once per turn of the
// event loop, for all connections together. A frame is never held past the next of these points:
//   - the flush scheduled with setImmediate when a batch gets its first frame: it runs in this
//     turn's check phase (frames made by timers or I/O callbacks), or, for frames made in the
//     check phase itself (task steps resumed by setImmediate), in the next turn's;
//   - the start of the next I/O callback of the slot's sockets (`flushNow`), so frames made in a
//     check phase do not wait while the poll phase decodes and processes incoming data.
// Flushing is a latency bound, not a throughput trade: the task's buffer timeout still decides
// when records become a frame.

import type { FrameBatch } from './frame-batch.ts';

/** Runs `flush` later in this or the next turn of the event loop (setImmediate in production). */
export type FlushScheduler = (flush: () => void) => void;

export const scheduleWithSetImmediate: FlushScheduler = (flush) => {
  setImmediate(flush);
};

export class TurnFlusher {
  private readonly schedule: FlushScheduler;
  private pending: FrameBatch[] = [];
  private scheduled = false;
  private readonly run = (): void => {
    this.scheduled = false;
    this.flushNow();
  };

  constructor(schedule: FlushScheduler = scheduleWithSetImmediate) {
    this.schedule = schedule;
  }

  /** A batch got its first frame: write it at the next flush point. */
  readonly enqueue = (batch: FrameBatch): void => {
    this.pending.push(batch);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.run);
    }
  };

  /** Writes every pending batch now (one write per connection). */
  flushNow(): void {
    if (this.pending.length === 0) return;
    const batches = this.pending;
    this.pending = [];
    for (const b of batches) b.flush();
  }
}
