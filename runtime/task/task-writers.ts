// The record writers of a task's outputs, seen as one: whether all have capacity, waiting for
// capacity (counted as backpressure), flushing on a deadline like Flink's buffer timeout, and
// events broadcast to every channel.

import type { Clock } from '../time/clock.ts';
import type { LoadMeter } from './load-meter.ts';
import type { RecordWriter } from './record-writer.ts';

/** Records wait at most this long in a writer's buffer before they leave (Flink's buffer timeout). */
export const FLUSH_INTERVAL_MS = 5;

export class TaskWriters {
  readonly all: readonly RecordWriter[];
  private readonly clock: Clock;
  private readonly load: LoadMeter;
  private readonly canceled: Promise<void>;
  private lastFlush = 0;

  /** `clock` is monotonic (performance.now() in a task); `canceled` ends every wait at once. */
  constructor(writers: readonly RecordWriter[], clock: Clock, load: LoadMeter, canceled: Promise<void>) {
    this.all = writers;
    this.clock = clock;
    this.load = load;
    this.canceled = canceled;
  }

  get isEmpty(): boolean {
    return this.all.length === 0;
  }

  available(): boolean {
    for (const w of this.all) if (!w.isAvailable()) return false;
    return true;
  }

  holdRecords(): boolean {
    for (const w of this.all) if (w.hasBufferedRecords()) return true;
    return false;
  }

  /** Waits until every writer has capacity again; the wait counts as backpressure. */
  async waitAvailable(): Promise<void> {
    this.load.startBackpressure();
    for (const w of this.all) {
      if (!w.isAvailable()) await Promise.race([w.waitAvailable(), this.canceled]);
    }
    this.load.endBackpressure();
  }

  /** Waits until every buffer has left (end of the task); a cancel ends the wait. */
  async drain(): Promise<void> {
    for (const w of this.all) await Promise.race([w.waitAvailable(), this.canceled]);
  }

  flush(now: number = this.clock.now()): void {
    this.lastFlush = now;
    for (const w of this.all) w.flush();
  }

  /** Flushes when the last flush is FLUSH_INTERVAL_MS old (or `force`). */
  flushIfDue(now: number, force = false): void {
    if (force || now - this.lastFlush >= FLUSH_INTERVAL_MS) this.flush(now);
  }

  /** Time left until buffered records must leave (≤ 0: due now). */
  msUntilFlushDue(now: number = this.clock.now()): number {
    return FLUSH_INTERVAL_MS - (now - this.lastFlush);
  }

  broadcastEvent(kind: number, value?: number): void {
    for (const w of this.all) w.broadcastEvent(kind, value);
  }

  recordsOut(): number {
    let n = 0;
    for (const w of this.all) n += w.recordsOut;
    return n;
  }

  backlog(): number {
    let n = 0;
    for (const w of this.all) n += w.backlog();
    return n;
  }
}
