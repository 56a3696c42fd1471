// How busy and how backpressured a task is: time spent processing and time spent waiting for
// output capacity, summed, and their shares over the last interval (≥ 250 ms), like Flink's
// busyTimeMsPerSecond / backPressuredTimeMsPerSecond gauges. A wait in progress counts in every
// interval it spans, so a task stuck on backpressure reads 1, not 0.

import type { Clock } from '../time/clock.ts';

/** Shares over an interval at least this long. */
export const LOAD_WINDOW_MS = 250;

export interface LoadRatios {
  /** share of wall time spent waiting for output capacity, 0..1 */
  readonly backpressure: number;
  /** share of wall time spent processing, 0..1 */
  readonly busy: number;
}

export class LoadMeter {
  private readonly clock: Clock;
  busyMs = 0;
  backpressuredMs = 0;
  /** start of the wait in progress */
  private backpressuredSince: number | undefined;
  private window: { at: number; bp: number; busy: number; ratios: LoadRatios };

  /** `clock` is monotonic (performance.now() in a task); only differences are used. */
  constructor(clock: Clock) {
    this.clock = clock;
    this.window = { at: clock.now(), bp: 0, busy: 0, ratios: { backpressure: 0, busy: 0 } };
  }

  addBusy(ms: number): void {
    this.busyMs += ms;
  }

  startBackpressure(): void {
    this.backpressuredSince = this.clock.now();
  }

  endBackpressure(): void {
    if (this.backpressuredSince === undefined) return;
    this.backpressuredMs += this.clock.now() - this.backpressuredSince;
    this.backpressuredSince = undefined;
  }

  /** The shares of the last complete interval (a new one starts when the current is old enough). */
  recentRatios(): LoadRatios {
    const now = this.clock.now();
    const w = this.window;
    if (now - w.at >= LOAD_WINDOW_MS) {
      const dt = now - w.at;
      const bp = this.backpressuredMs + (this.backpressuredSince === undefined ? 0 : now - this.backpressuredSince);
      this.window = {
        at: now, bp, busy: this.busyMs,
        ratios: { backpressure: Math.min(1, Math.max(0, (bp - w.bp) / dt)), busy: Math.min(1, (this.busyMs - w.busy) / dt) },
      };
    }
    return this.window.ratios;
  }
}
