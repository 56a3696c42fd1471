// assignTimestampsAndWatermarks in the middle of a stream: assigns timestamps, and emits its own
// watermarks (upstream watermarks are replaced), once per processed batch and at end of input.

import { MAX_WATERMARK, MIN_WATERMARK, type WatermarkGenerator, type WatermarkStrategy } from '../api/watermarks.ts';
import { StreamOperator } from './stream-operator.ts';

export class TimestampsAndWatermarksOperator extends StreamOperator {
  private readonly strategy: WatermarkStrategy<unknown>;
  private gen!: WatermarkGenerator;
  private lastEmitted = MIN_WATERMARK;

  constructor(strategy: WatermarkStrategy<unknown>) {
    super(false);
    this.strategy = strategy;
  }
  override open(): void {
    this.gen = this.strategy.createGenerator();
  }
  processElement(value: unknown, ts: number): void {
    const assigned = this.strategy.timestampAssigner ? this.strategy.timestampAssigner(value, Number.isNaN(ts) ? undefined : ts) : ts;
    this.gen.onEvent(assigned);
    this.output.collect(value, assigned);
  }
  /** Called by the task at batch boundaries. */
  emitPeriodicWatermark(): void {
    const wm = this.gen.currentWatermark();
    if (wm > this.lastEmitted) {
      this.lastEmitted = wm;
      this.output.emitWatermark(wm);
    }
  }
  override processWatermark(wm: number): boolean {
    // only the end-of-input watermark passes through; others are replaced by ours
    if (wm === MAX_WATERMARK && this.lastEmitted < MAX_WATERMARK) {
      this.lastEmitted = MAX_WATERMARK;
      this.output.emitWatermark(MAX_WATERMARK);
    }
    return true;
  }
}
