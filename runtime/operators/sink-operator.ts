// The end of a pipeline: hands records to a SinkWriter, and checkpoint events to writers that
// take part in two-phase commit (snapshotState = pre-commit, notifyCheckpointComplete = commit).
// A sink with a global committer has one more node after this one: what the writer sends it
// (`sendToCommitter`, often from the end of an asynchronous commit) is queued and emitted from
// the task's mailbox, in order, at the latest before the next checkpoint barrier, and at finish
// before the end of input goes downstream.

import type { SinkWriter } from '../api/functions.ts';
import { NO_TIMESTAMP } from './output.ts';
import { StreamOperator } from './stream-operator.ts';
import { connectorGroup } from '../connectors/metrics/task-connector-metrics.ts';

export class SinkOperator extends StreamOperator {
  readonly writer: SinkWriter<unknown>;
  private restored: unknown[] = [];
  private readonly hasCommitter: boolean;
  private toCommitter: unknown[] = [];
  constructor(writer: SinkWriter<unknown>, hasCommitter = false) {
    super(false);
    this.writer = writer;
    this.hasCommitter = hasCommitter;
  }
  private sendToCommitter(message: unknown): void {
    this.toCommitter.push(message);
    if (this.toCommitter.length === 1) {
      const pts = this.ctx.processingTimeService;
      pts.schedule(pts.now(), () => this.emitToCommitter());
    }
  }
  private emitToCommitter(): void {
    const messages = this.toCommitter;
    this.toCommitter = [];
    for (const m of messages) this.output.collect(m, NO_TIMESTAMP);
  }
  protected override restoreOperatorState(states: unknown[]): void {
    this.restored = states;
  }
  override async open(): Promise<void> {
    const latency = this.ctx.latency;
    await this.writer.open?.({
      subtaskIndex: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism, attempt: this.ctx.attempt, jobId: this.ctx.jobId,
      startTime: this.ctx.startTime, restoring: this.ctx.restoring === true, recordLatency: (ms) => latency?.record(ms),
      connectorMetrics: (connector) => connectorGroup(this.ctx, 'sink', connector),
      ...(this.hasCommitter ? { sendToCommitter: (m: unknown) => this.sendToCommitter(m) } : {}),
    });
    if (this.restored.length > 0) this.writer.initializeState?.(this.restored);
    this.restored = [];
  }
  processElement(value: unknown, ts: number): void {
    this.writer.write(value, Number.isNaN(ts) ? undefined : ts);
  }
  protected override snapshotOperatorState(checkpointId: number): unknown {
    // messages handed over before this barrier go before it (the barrier is sent after the snapshot)
    this.emitToCommitter();
    return this.writer.snapshotState?.(checkpointId);
  }
  override checkpointFlush(checkpointId: number): Promise<void> | undefined {
    return this.writer.flushPending?.(checkpointId);
  }
  protected override onWatermark(wm: number): void {
    this.writer.onWatermark?.(wm);
  }
  override notifyCheckpointComplete(checkpointId: number): void {
    this.writer.notifyCheckpointComplete?.(checkpointId);
  }
  override async finish(): Promise<void> {
    await this.writer.finish?.();
    this.emitToCommitter();
  }
  override async close(): Promise<void> {
    await this.writer.close?.();
    super.close();
  }
}
