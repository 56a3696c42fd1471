// The filesystem sink's global committer: one subtask after all writer subtasks (the graph puts
// it there, api/data-stream.ts sinkTo). It takes the writers' reports (partition-commit.ts decides
// when a partition is complete) and runs the commit policy, `success-file`: an empty file named by
// `sink.partition-commit.success-file.name` in the partition directory, local or on S3.
//
// Exactly once per partition: its state (pending partitions, which subtasks reported which
// checkpoint, the watermark at each barrier) is checkpointed, and a success file that already
// exists is left alone, so a restore that repeats a commit made after its checkpoint writes
// nothing twice. A checkpoint is acknowledged only when the success files decided before its
// barrier are written (flushPending); a failed write fails the task.

import type { SinkCommitter, SinkCommitterContext } from '../../api/functions.ts';
import { openFileStore, type FileStore } from './file-store.ts';
import { PartitionCommitTracker, type PartitionCommitInfo, type PartitionCommitPolicy, type PartitionCommitState } from './partition-commit.ts';
import { checkRestoredPartitions } from './restored-state.ts';

export interface PartitionCommitterOptions {
  readonly table: string;
  readonly path: string;
  readonly policy: PartitionCommitPolicy;
  readonly env?: Record<string, string | undefined>;
}

export class FilesystemPartitionCommitter implements SinkCommitter<PartitionCommitInfo> {
  private readonly o: PartitionCommitterOptions;
  private readonly tracker: PartitionCommitTracker;
  private store!: FileStore;
  private now: () => number = Date.now;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  /** success files written by this attempt (tests, logs) */
  committed = 0;

  constructor(o: PartitionCommitterOptions) {
    this.o = o;
    this.tracker = new PartitionCommitTracker(o.policy);
  }

  open(ctx: SinkCommitterContext): void {
    this.store = openFileStore(this.o.path, this.o.env);
    this.now = () => ctx.now();
  }

  initializeState(states: unknown[]): void {
    // partition names from storage become paths written to: checked before anything is written
    for (const s of states as PartitionCommitState[]) checkRestoredPartitions(s.pending ?? [], this.o.path);
    this.tracker.restore(states as PartitionCommitState[]);
  }

  receive(info: PartitionCommitInfo): void {
    if (this.failure) throw this.failure;
    const ready = this.tracker.receive(info, this.now());
    if (ready.length === 0) return;
    this.chain = this.chain.then(async () => {
      for (const dir of ready) await this.writeSuccessFile(dir);
    }).catch((err: unknown) => {
      this.failure ??= new Error(`MR_ERR_FILESYSTEM_SINK: table '${this.o.table}' at ${this.store.description}: committing partitions ${ready.join(', ')}: ${(err as Error).message}`, { cause: err });
    });
  }

  private async writeSuccessFile(dir: string): Promise<void> {
    const key = `${dir}/${this.o.policy.successFileName}`;
    if (await this.store.exists(key)) return;
    await this.store.put(key, new Uint8Array(0));
    this.committed++;
  }

  snapshotState(checkpointId: number, watermark: number): PartitionCommitState {
    return this.tracker.snapshot(checkpointId, watermark);
  }

  async flushPending(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }

  async finish(): Promise<void> {
    await this.flushPending();
  }

  async close(): Promise<void> {
    await this.chain;
    this.store?.close();
  }
}
