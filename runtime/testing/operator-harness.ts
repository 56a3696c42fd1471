// Drives a single operator in isolation: records, watermarks and a manual processing-time clock
// in; emitted records, side outputs and watermarks out; snapshot and restore in between.

import { keyGroupRangeFor } from '../keys/key-groups.ts';
import type { Output } from '../operators/output.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import { decodeOperatorSnapshotBuffer, encodeOperatorSnapshot, type OperatorSnapshot } from '../state/state-file-format.ts';
import { ManualProcessingTimeService } from '../task/processing-time.ts';

export interface Emitted {
  readonly value: unknown;
  readonly timestamp: number | undefined;
}

export class OperatorHarness {
  readonly operator: StreamOperator;
  readonly clock: ManualProcessingTimeService;
  readonly output: Emitted[] = [];
  readonly sideOutputs = new Map<string, Emitted[]>();
  readonly watermarks: number[] = [];

  constructor(operator: StreamOperator, opts: { subtaskIndex?: number; parallelism?: number; maxParallelism?: number; startTime?: number } = {}) {
    this.operator = operator;
    this.clock = new ManualProcessingTimeService(opts.startTime ?? 0);
    const mp = opts.maxParallelism ?? 128;
    const p = opts.parallelism ?? 1;
    const idx = opts.subtaskIndex ?? 0;
    const ts = (t: number) => (Number.isNaN(t) ? undefined : t);
    const out: Output = {
      collect: (value, t) => this.output.push({ value, timestamp: ts(t) }),
      collectSide: (tag, value, t) => {
        const list = this.sideOutputs.get(tag) ?? [];
        list.push({ value, timestamp: ts(t) });
        this.sideOutputs.set(tag, list);
      },
      emitWatermark: (wm) => this.watermarks.push(wm),
    };
    operator.setup({
      jobId: 'harness', attempt: 0, taskName: 'harness', operatorName: operator.constructor.name, uid: 'op',
      subtaskIndex: idx, parallelism: p, maxParallelism: mp, keyGroupRange: keyGroupRangeFor(mp, p, idx), processingTimeService: this.clock, startTime: 0,
    }, out);
  }

  async open(restored: OperatorSnapshot[] = []): Promise<this> {
    this.operator.initializeState(restored);
    await this.operator.open();
    return this;
  }

  processElement(value: unknown, timestamp?: number): this {
    this.operator.processElement(value, timestamp ?? Number.NaN);
    return this;
  }
  processElement2(value: unknown, timestamp?: number): this {
    this.operator.processElement2(value, timestamp ?? Number.NaN);
    return this;
  }
  processWatermark(wm: number, input = 0): this {
    this.operator.processWatermark(wm, input);
    return this;
  }
  /**
   * A watermark as a task delivers it: due timers fire `batch` at a time, one batch per call as
   * the task loop does between its turns; returns the number of batches it took.
   */
  processWatermarkInBatches(wm: number, batch: number, input = 0): number {
    if (this.operator.processWatermark(wm, input, batch)) return 1;
    let batches = 2;
    while (!this.operator.continueWatermark(batch)) batches++;
    return batches;
  }
  setProcessingTime(t: number): this {
    this.clock.advanceTo(t);
    return this;
  }
  snapshot(checkpointId = 1): OperatorSnapshot {
    // round-trip through the state file format: what a checkpoint stores and a restore reads
    return decodeOperatorSnapshotBuffer(Buffer.concat(encodeOperatorSnapshot(this.operator.snapshotState(checkpointId))));
  }
  values(): unknown[] {
    return this.output.map((e) => e.value);
  }
  side(tagId: string): unknown[] {
    return (this.sideOutputs.get(tagId) ?? []).map((e) => e.value);
  }
  async close(): Promise<void> {
    await this.operator.finish();
    await this.operator.close();
  }
}
