// Where an operator emits: the next operator of its chain (a plain call) or the network writers.
// Timestamps are plain numbers; NO_TIMESTAMP (NaN) marks a record without one.

export const NO_TIMESTAMP = Number.NaN;

export interface Output {
  collect(value: unknown, timestamp: number): void;
  collectSide(tagId: string, value: unknown, timestamp: number): void;
  emitWatermark(watermark: number): void;
}

/** Drops everything; the output of a sink. */
export const DISCARDING_OUTPUT: Output = {
  collect() {},
  collectSide() {},
  emitWatermark() {},
};
