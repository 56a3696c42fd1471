// Operator lifecycle (as in Flink): setup → initializeState → open → process* → finish → close,
// plus snapshotState and notifyCheckpointComplete. A task calls these from its single loop, so
// none of them ever run concurrently for one operator.

import type { KeyGroupRange } from '../keys/key-groups.ts';
import type { RuntimeContext } from '../api/functions.ts';
import { MIN_WATERMARK } from '../api/watermarks.ts';
import { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { InternalTimerService } from '../state/timer-service.ts';
import type { ProcessingTimeService } from '../time/processing-time-service.ts';
import type { Timer } from '../state/timer-heap.ts';
import type { Output } from './output.ts';
import type { LatencyHistogram } from '../metrics/latency-histogram.ts';
import type { TaskConnectorMetrics } from '../connectors/metrics/task-connector-metrics.ts';
import { OperatorStateCapture, ReadyLines, type SnapshotPart } from '../state/snapshot-part.ts';
import { operatorStateLine, type OperatorSnapshot } from '../state/state-file-format.ts';

export interface OperatorContext {
  readonly jobId: string;
  readonly attempt: number;
  readonly taskName: string;
  readonly operatorName: string;
  readonly uid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly processingTimeService: ProcessingTimeService;
  /** wall-clock start of the job attempt (epoch ms) */
  readonly startTime: number;
  /** end-to-end latency samples of this task (recorded by sinks) */
  readonly latency?: LatencyHistogram;
  /** the attempt restores from a checkpoint or savepoint (also when this subtask got no state) */
  readonly restoring?: boolean;
  /** the task's connector metric groups (sources and sinks add theirs) */
  readonly connectorMetrics?: TaskConnectorMetrics;
}

/** What one operator contributes to a checkpoint; plain data (state/state-codec.ts writes it). */

export abstract class StreamOperator {
  output!: Output;
  ctx!: OperatorContext;
  /** Keyed operators get a state backend and timers over their key-group range. */
  protected readonly keyed: boolean;
  backend: KeyedStateBackend | undefined;
  timers: InternalTimerService | undefined;
  protected watermark = MIN_WATERMARK;
  private readonly inputWatermarks = [MIN_WATERMARK, MIN_WATERMARK];
  private watermarkPending = false;
  numInputs = 1;

  constructor(keyed: boolean) {
    this.keyed = keyed;
  }

  setup(ctx: OperatorContext, output: Output): void {
    this.ctx = ctx;
    this.output = output;
  }

  initializeState(restored: readonly OperatorSnapshot[]): void {
    if (this.keyed) {
      this.backend = new KeyedStateBackend(this.ctx.keyGroupRange, this.ctx.maxParallelism, this.ctx.processingTimeService);
      this.timers = new InternalTimerService(this.backend, this.ctx.processingTimeService, {
        onEventTime: (t) => this.onEventTime(t),
        onProcessingTime: (t) => this.onProcessingTime(t),
      });
      this.backend.restore(restored.flatMap((s) => (s.keyed ? [s.keyed] : [])), this.namespacedStates());
      for (const s of restored) for (const t of s.timers ?? []) this.timers.restore(t);
    }
    this.restoreOperatorState(restored.map((s) => s.operator).filter((x) => x !== undefined));
  }

  /** Names of namespaced internal state tables (restored as nested maps). */
  protected namespacedStates(): ReadonlySet<string> {
    return new Set();
  }

  protected restoreOperatorState(_states: unknown[]): void {}

  open(): void | Promise<void> {}

  abstract processElement(value: unknown, timestamp: number): void;

  processElement2(_value: unknown, _timestamp: number): void {
    throw new Error(`MR_ERR_NOT_TWO_INPUT: operator '${this.ctx.operatorName}' has one input`);
  }

  /**
   * Combines per-input watermarks (two-input operators take the minimum), fires the event-time
   * timers it passes and then forwards it. With a `timerLimit`, at most about that many timers
   * fire now and it returns false when more are due: the task then calls `continueWatermark`
   * between turns of its loop (so a large window firing does not stall the thread) and forwards
   * no input to this operator until it returns true. The watermark goes downstream only after
   * the last of its timers has fired, as in Flink.
   */
  processWatermark(wm: number, inputIndex = 0, timerLimit = Number.POSITIVE_INFINITY): boolean {
    let combined = wm;
    if (this.numInputs === 2) {
      this.inputWatermarks[inputIndex] = wm;
      combined = Math.min(this.inputWatermarks[0]!, this.inputWatermarks[1]!);
    }
    if (combined <= this.watermark) return true;
    this.watermark = combined;
    if (this.timers && !this.timers.advanceWatermark(combined, timerLimit)) {
      this.watermarkPending = true;
      return false;
    }
    this.completeWatermark();
    return true;
  }

  /** Fires up to about `timerLimit` more timers of a pending watermark; true once it is forwarded. */
  continueWatermark(timerLimit = Number.POSITIVE_INFINITY): boolean {
    if (!this.watermarkPending) return true;
    if (!this.timers!.continueFiring(timerLimit)) return false;
    this.watermarkPending = false;
    this.completeWatermark();
    return true;
  }

  /** True while a watermark's timers are firing in batches (see processWatermark). */
  hasPendingWatermark(): boolean {
    return this.watermarkPending;
  }

  private completeWatermark(): void {
    this.onWatermark(this.watermark);
    this.output.emitWatermark(this.watermark);
  }

  protected onWatermark(_wm: number): void {}
  protected onEventTime(_timer: Timer): void {}
  protected onProcessingTime(_timer: Timer): void {}

  /** End of input: emit what is buffered. Event-time timers have fired by the final watermark. */
  finish(): void | Promise<void> {}

  close(): void | Promise<void> {
    this.timers?.dispose();
  }

  /** The whole snapshot at once, as plain data (operator harness tests; checkpoints use captureState). */
  snapshotState(checkpointId: number): OperatorSnapshot {
    const s: OperatorSnapshot = {};
    if (this.backend) s.keyed = this.backend.snapshot();
    if (this.timers) s.timers = [this.timers.snapshot()];
    const op = this.snapshotOperatorState(checkpointId);
    if (op !== undefined) s.operator = op;
    return s;
  }

  /**
   * The synchronous part of a checkpoint: keyed state and timers are captured as a view of this
   * instant without copying them (serialized later, in slices, while processing goes on); the
   * operator's own state (source positions, sink transactions, window bookkeeping: small) is
   * serialized now. The file it makes is the one snapshotState's encoding makes.
   */
  captureState(checkpointId: number): OperatorStateCapture {
    const parts: SnapshotPart[] = [];
    if (this.backend) parts.push(this.backend.capture());
    if (this.timers) parts.push(this.timers.capture());
    const op = this.snapshotOperatorState(checkpointId);
    if (op !== undefined) parts.push(new ReadyLines([operatorStateLine(op)]));
    return new OperatorStateCapture(parts, op);
  }

  protected snapshotOperatorState(_checkpointId: number): unknown {
    return undefined;
  }

  /** What must be durable before the checkpoint is acknowledged (a sink's pre-committed writes); undefined: nothing. */
  checkpointFlush(_checkpointId: number): Promise<void> | undefined {
    return undefined;
  }

  notifyCheckpointComplete(_checkpointId: number): void {}

  currentWatermark(): number {
    return this.watermark;
  }

  /** RuntimeContext for user functions: keyed state resolves against the current key. */
  runtimeContext(): RuntimeContext {
    const backend = (): KeyedStateBackend => {
      if (!this.backend) throw new Error(`MR_ERR_STATE_NOT_KEYED: keyed state is only available on a keyed stream (use keyBy before '${this.ctx.operatorName}')`);
      return this.backend;
    };
    return {
      taskName: this.ctx.taskName,
      subtaskIndex: this.ctx.subtaskIndex,
      parallelism: this.ctx.parallelism,
      maxParallelism: this.ctx.maxParallelism,
      getState: (d) => backend().getValueState(d),
      getListState: (d) => backend().getListState(d),
      getMapState: (d) => backend().getMapState(d),
      getReducingState: (d) => backend().getReducingState(d),
      getAggregatingState: (d) => backend().getAggregatingState(d),
    };
  }
}
