// Per-split watermarks of one source subtask (Flink's WatermarkOutputMultiplexer, with
// WatermarksWithIdleness per split output). A reader of several splits (Kafka partitions) names
// them; each split gets its own generator from the job's watermark strategy, and the subtask's
// watermark is the minimum over the splits that are not idle. So one partition far ahead cannot
// push the watermark past records another partition has yet to deliver, and a split with no
// record yet holds the watermark back. A split without records for the idle timeout is idle
// (no longer holds the watermark back) until its next record; when every split is idle, the
// subtask is idle. Pure: the caller passes the processing time.
//
// Like Flink's IdlenessTimer, activity is noticed at the periodic check (`current`), not per
// record, so collecting a record costs one generator call and one increment; and the idle time
// starts at the first check that sees no activity, so a split active at one check is never idle
// at the next. Otherwise, with checks further apart than the timeout (a fetch that waits, a busy
// machine), the last active split and a silent one go idle at the same check, and the subtask
// turns idle without ever emitting the active split's watermark. For checks that are irregular
// even so (the split active at one check, silent at the next, idle at the one after while the
// silent split turned idle only there too), the subtask, when every split is idle, first emits
// the maximum of their watermarks, as Flink's StatusWatermarkValve flushes when all of its input
// channels are idle: nothing can hold the watermark back any more.

import { MIN_WATERMARK, type WatermarkGenerator } from '../api/watermarks.ts';

/** What the source operator keeps per split; `onEvent` is called for each of its records. */
export class SplitWatermark {
  readonly id: string;
  private readonly gen: WatermarkGenerator;
  /** records since the last check */
  private events = 0;
  /** processing time of the first check without records since the last activity (undefined: active at the last check) */
  private inactiveSince: number | undefined;

  constructor(id: string, gen: WatermarkGenerator) {
    this.id = id;
    this.gen = gen;
  }

  onEvent(timestamp: number): void {
    this.gen.onEvent(timestamp);
    this.events++;
  }

  /** The split's watermark, and whether it is idle at `now`. */
  check(now: number, idleTimeoutMs: number | undefined): { watermark: number; idle: boolean } {
    if (this.events > 0) {
      this.events = 0;
      this.inactiveSince = undefined;
    } else if (this.inactiveSince === undefined) {
      this.inactiveSince = now;
    }
    const idle = this.inactiveSince !== undefined && idleTimeoutMs !== undefined && now - this.inactiveSince >= idleTimeoutMs;
    return { watermark: this.gen.currentWatermark(), idle };
  }
}

export interface CombinedWatermark {
  /**
   * minimum over the active splits (MIN_WATERMARK when one of them has none yet); when every split
   * is idle, the maximum over them (nothing holds it back any more)
   */
  readonly watermark: number;
  /** every split is idle: the subtask must not hold downstream watermarks back */
  readonly idle: boolean;
}

export class SplitWatermarks {
  private readonly splits = new Map<string, SplitWatermark>();
  private readonly createGenerator: () => WatermarkGenerator;
  /** undefined: splits never go idle */
  idleTimeoutMs: number | undefined;

  constructor(createGenerator: () => WatermarkGenerator, idleTimeoutMs?: number) {
    this.createGenerator = createGenerator;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  get size(): number {
    return this.splits.size;
  }

  /** Registers a split (no-op when known) and returns its handle. */
  add(id: string): SplitWatermark {
    let s = this.splits.get(id);
    if (!s) this.splits.set(id, (s = new SplitWatermark(id, this.createGenerator())));
    return s;
  }

  /** The split finished or went to another subtask: it no longer holds the watermark back. */
  remove(id: string): void {
    this.splits.delete(id);
  }

  /** The subtask's watermark and idleness at `now` (undefined without splits: the caller decides). */
  current(now: number): CombinedWatermark | undefined {
    if (this.splits.size === 0) return undefined;
    let min = Number.POSITIVE_INFINITY;
    let maxIdle = MIN_WATERMARK;
    let active = 0;
    for (const s of this.splits.values()) {
      const { watermark, idle } = s.check(now, this.idleTimeoutMs);
      if (idle) {
        if (watermark > maxIdle) maxIdle = watermark;
        continue;
      }
      active++;
      if (watermark < min) min = watermark;
    }
    return active === 0 ? { watermark: maxIdle, idle: true } : { watermark: min, idle: false };
  }
}
