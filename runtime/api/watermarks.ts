// Watermark strategies: how a source assigns event timestamps and derives watermarks.

export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

export type TimestampAssigner<T> = (value: T, recordTimestamp: number | undefined) => number;

export interface WatermarkGenerator {
  onEvent(timestamp: number): void;
  /** The watermark to emit now (called periodically); MIN_WATERMARK when none yet. */
  currentWatermark(): number;
}

export interface WatermarkStrategy<T> {
  readonly timestampAssigner?: TimestampAssigner<T>;
  createGenerator(): WatermarkGenerator;
  /** A source subtask that sees no record for this long is marked idle and stops holding watermarks back. */
  readonly idleTimeoutMs?: number;
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T>;
  withIdleness(timeoutMs: number): WatermarkStrategy<T>;
}

class BoundedOutOfOrdernessGenerator implements WatermarkGenerator {
  private maxTimestamp = MIN_WATERMARK;
  private readonly delayMs: number;
  constructor(delayMs: number) {
    this.delayMs = delayMs;
  }
  onEvent(timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }
  currentWatermark(): number {
    return this.maxTimestamp === MIN_WATERMARK ? MIN_WATERMARK : this.maxTimestamp - this.delayMs - 1;
  }
}

class Strategy<T> implements WatermarkStrategy<T> {
  readonly timestampAssigner?: TimestampAssigner<T>;
  readonly idleTimeoutMs?: number;
  private readonly factory: () => WatermarkGenerator;
  constructor(factory: () => WatermarkGenerator, assigner?: TimestampAssigner<T>, idleTimeoutMs?: number) {
    this.factory = factory;
    this.timestampAssigner = assigner;
    this.idleTimeoutMs = idleTimeoutMs;
  }
  createGenerator(): WatermarkGenerator {
    return this.factory();
  }
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new Strategy(this.factory, assigner, this.idleTimeoutMs);
  }
  withIdleness(timeoutMs: number): WatermarkStrategy<T> {
    return new Strategy(this.factory, this.timestampAssigner, timeoutMs);
  }
}

export const WatermarkStrategies = {
  /** Watermark = highest timestamp seen - maxOutOfOrdernessMs - 1. */
  forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    return new Strategy<T>(() => new BoundedOutOfOrdernessGenerator(maxOutOfOrdernessMs));
  },
  forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new Strategy<T>(() => new BoundedOutOfOrdernessGenerator(0));
  },
  noWatermarks<T>(): WatermarkStrategy<T> {
    return new Strategy<T>(() => ({ onEvent() {}, currentWatermark: () => MIN_WATERMARK }));
  },
};
