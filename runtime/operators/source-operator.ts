// Head of a source task: wraps the reader, assigns timestamps, generates watermarks per polled
// batch and marks the subtask idle when it has produced nothing for the idle timeout. A reader
// that names its splits gets per-split watermarks and idleness instead (split-watermarks.ts).

import type { SourceOutput, SourceReader, SplitWatermarkOutput } from '../api/source.ts';
import { MAX_WATERMARK, MIN_WATERMARK, type WatermarkGenerator, type WatermarkStrategy } from '../api/watermarks.ts';
import { NO_TIMESTAMP } from './output.ts';
import { StreamOperator } from './stream-operator.ts';
import { connectorGroup } from '../connectors/metrics/task-connector-metrics.ts';
import { SplitWatermarks, type SplitWatermark } from './split-watermarks.ts';

export class SourceOperator extends StreamOperator implements SourceOutput<unknown> {
  readonly reader: SourceReader<unknown>;
  private readonly strategy: WatermarkStrategy<unknown> | undefined;
  private gen: WatermarkGenerator | undefined;
  private lastWatermark = MIN_WATERMARK;
  private restored: unknown[] = [];
  recordsEmitted = 0;
  private lastRecordAt = 0;
  idle = false;
  /** set by the task from the job's auto-watermark interval */
  watermarkIntervalMs = 0;
  private lastWatermarkAt = Number.NEGATIVE_INFINITY;
  /** per-split watermarks, once the reader names a split */
  private splits: SplitWatermarks | undefined;
  private currentSplit: SplitWatermark | undefined;

  constructor(reader: SourceReader<unknown>, strategy: WatermarkStrategy<unknown> | undefined) {
    super(false);
    this.reader = reader;
    this.strategy = strategy;
  }

  protected override restoreOperatorState(states: unknown[]): void {
    this.restored = states;
  }

  override async open(): Promise<void> {
    this.gen = this.strategy?.createGenerator();
    await this.reader.open?.({
      subtaskIndex: this.ctx.subtaskIndex,
      parallelism: this.ctx.parallelism,
      attempt: this.ctx.attempt,
      startTime: this.ctx.startTime,
      now: () => this.ctx.processingTimeService.now(),
      connectorMetrics: (connector) => connectorGroup(this.ctx, 'source', connector),
      ...(this.strategy ? { splitWatermarks: this.splitOutput(this.strategy) } : {}),
    });
    if (this.restored.length > 0 || this.ctx.restoring === true) this.restoreReader(this.restored);
    this.lastRecordAt = this.ctx.processingTimeService.now();
  }

  /**
   * Positions the reader. After a rescale a subtask gets the states of the old subtasks assigned
   * to it (none, one or several, like Flink's split reassignment); readers that can merge
   * positions implement restoreStates, the others only restore at the same parallelism.
   */
  private restoreReader(states: unknown[]): void {
    if (this.reader.restoreStates) {
      this.reader.restoreStates(states);
      return;
    }
    if (states.length === 1 && this.reader.restoreState) {
      this.reader.restoreState(states[0]);
      return;
    }
    if (states.length === 0 && !this.reader.snapshotState) return; // a source without position starts over
    throw new Error(`MR_ERR_SOURCE_NOT_RESCALABLE: source '${this.ctx.operatorName}' (uid ${this.ctx.uid}) subtask ${this.ctx.subtaskIndex} got ${states.length} saved positions; this source can only restore at the parallelism it was saved with`);
  }

  private splitOutput(strategy: WatermarkStrategy<unknown>): SplitWatermarkOutput {
    const splits = () => (this.splits ??= new SplitWatermarks(() => strategy.createGenerator(), strategy.idleTimeoutMs));
    return {
      addSplit: (id) => void splits().add(id),
      removeSplit: (id) => {
        splits().remove(id);
        if (this.currentSplit?.id === id) this.currentSplit = undefined;
      },
      setCurrentSplit: (id) => void (this.currentSplit = splits().add(id)),
      setIdleTimeout: (ms) => void (splits().idleTimeoutMs = ms),
    };
  }

  collect(value: unknown, timestamp?: number): void {
    this.recordsEmitted++;
    let ts = timestamp === undefined ? NO_TIMESTAMP : timestamp;
    const assigner = this.strategy?.timestampAssigner;
    if (assigner) ts = assigner(value, timestamp);
    if (this.currentSplit && !Number.isNaN(ts)) this.currentSplit.onEvent(ts);
    else if (this.gen && !Number.isNaN(ts)) this.gen.onEvent(ts);
    this.output.collect(value, ts);
  }

  processElement(): void {
    throw new Error('MR_ERR_SOURCE_INPUT: a source has no input');
  }

  /** After each poll: emits an advanced watermark; returns 'idle' / 'active' transitions. */
  afterPoll(emitted: number): 'idle' | 'active' | undefined {
    const now = this.ctx.processingTimeService.now();
    if (this.splits && this.splits.size > 0) return this.afterPollBySplit(now);
    // no split named (yet): the subtask as a whole, with the connector's idle timeout if it set one
    const idleTimeoutMs = this.splits?.idleTimeoutMs ?? this.strategy?.idleTimeoutMs;
    let transition: 'idle' | 'active' | undefined;
    if (emitted > 0) {
      this.lastRecordAt = now;
      if (this.idle) {
        this.idle = false;
        transition = 'active';
      }
    } else if (!this.idle && idleTimeoutMs !== undefined && now - this.lastRecordAt >= idleTimeoutMs) {
      this.idle = true;
      transition = 'idle';
    }
    if (this.gen && now - this.lastWatermarkAt >= this.watermarkIntervalMs) {
      const wm = this.gen.currentWatermark();
      if (wm > this.lastWatermark) {
        this.lastWatermarkAt = now;
        this.lastWatermark = wm;
        this.output.emitWatermark(wm);
      }
    }
    return transition;
  }

  /** Per-split watermarks: the minimum over active splits; idle when every split is idle. */
  private afterPollBySplit(now: number): 'idle' | 'active' | undefined {
    if (now - this.lastWatermarkAt < this.watermarkIntervalMs) return undefined;
    this.lastWatermarkAt = now;
    const combined = this.splits!.current(now)!;
    let transition: 'idle' | 'active' | undefined;
    if (combined.idle !== this.idle) {
      this.idle = combined.idle;
      transition = combined.idle ? 'idle' : 'active';
    }
    // emitted before the caller marks the subtask idle: when every split is idle this is the
    // maximum over them (split-watermarks.ts)
    if (combined.watermark > this.lastWatermark) {
      this.lastWatermark = combined.watermark;
      this.output.emitWatermark(combined.watermark);
    }
    return transition;
  }

  /** End of a bounded input: every event-time timer downstream must fire. */
  emitFinalWatermark(): void {
    if (this.lastWatermark < MAX_WATERMARK) {
      this.lastWatermark = MAX_WATERMARK;
      this.output.emitWatermark(MAX_WATERMARK);
    }
  }

  currentSourceWatermark(): number {
    return this.lastWatermark;
  }

  override notifyCheckpointComplete(checkpointId: number): void {
    this.reader.notifyCheckpointComplete?.(checkpointId);
  }

  protected override snapshotOperatorState(checkpointId: number): unknown {
    return this.reader.snapshotState?.(checkpointId);
  }

  override async close(): Promise<void> {
    await this.reader.close?.();
    super.close();
  }
}
