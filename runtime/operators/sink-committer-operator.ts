// A sink's global committer as an operator: one subtask (parallelism 1, a `global` edge from the
// writers) that hands the writers' messages to the sink's SinkCommitter and takes part in
// checkpoints like any operator: its state is snapshot at the barrier together with its input
// watermark, and the checkpoint is acknowledged only when its side effects are durable.

import type { SinkCommitter } from '../api/functions.ts';
import { StreamOperator } from './stream-operator.ts';

export class SinkCommitterOperator extends StreamOperator {
  readonly committer: SinkCommitter<unknown>;
  private restored: unknown[] = [];
  constructor(committer: SinkCommitter<unknown>) {
    super(false);
    this.committer = committer;
  }
  protected override restoreOperatorState(states: unknown[]): void {
    this.restored = states;
  }
  override async open(): Promise<void> {
    const pts = this.ctx.processingTimeService;
    await this.committer.open?.({ jobId: this.ctx.jobId, attempt: this.ctx.attempt, restoring: this.ctx.restoring === true, now: () => pts.now() });
    if (this.restored.length > 0) this.committer.initializeState?.(this.restored);
    this.restored = [];
  }
  processElement(value: unknown): void {
    this.committer.receive(value);
  }
  protected override snapshotOperatorState(checkpointId: number): unknown {
    return this.committer.snapshotState?.(checkpointId, this.watermark);
  }
  override checkpointFlush(checkpointId: number): Promise<void> | undefined {
    return this.committer.flushPending?.(checkpointId);
  }
  override async finish(): Promise<void> {
    await this.committer.finish?.();
  }
  override async close(): Promise<void> {
    await this.committer.close?.();
    super.close();
  }
}
