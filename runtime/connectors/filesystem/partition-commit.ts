// The partition commit decision of the filesystem sink's global committer (Flink's
// PartitionCommitter with its TaskTracker and commit triggers), as pure logic: times come in as
// arguments, the committer (partition-committer.ts) does the writing.
//
// Every writer subtask reports once per completed checkpoint, after its files of that checkpoint
// are visible, naming the partitions it wrote since its last report. A partition becomes pending
// when first reported. When every writer subtask has reported checkpoint N, every file of every
// subtask up to N is visible, and the pending partitions the trigger (`sink.partition-commit.trigger`)
// lets through are committed:
//
//   process-time    the committer's clock is past the time the partition was first reported + delay
//                   (with no delay: at once);
//   partition-time  the committer's watermark at checkpoint N's barrier is past the partition's
//                   time + delay. That watermark, not the current one: the rows below it reached the
//                   writers before barrier N, so they are in files of checkpoint N or earlier.
//
// At end of input (every subtask reported END_OF_INPUT) every pending partition is committed.

export type CommitTrigger = 'process-time' | 'partition-time';

export interface PartitionCommitPolicy {
  readonly trigger: CommitTrigger;
  readonly delayMs: number;
  /** `success-file` writes this file name; `metastore` is refused (no metastore here) */
  readonly successFileName: string;
}

export interface ReportedPartition {
  /** the partition directory, e.g. `dt=2024-01-01/hm=10%3A05` */
  readonly path: string;
  /** the time its values stand for (partition-time trigger), when they name one */
  readonly time?: number;
}

/** The checkpoint id of the report a writer sends when its input ended (after its last files are visible). */
export const END_OF_INPUT = Number.MAX_SAFE_INTEGER;

/** A writer subtask's report to the committer (Flink's PartitionCommitInfo). */
export interface PartitionCommitInfo {
  readonly checkpointId: number;
  readonly subtask: number;
  /** the number of writer subtasks (all must report a checkpoint) */
  readonly parallelism: number;
  /** partitions with files made visible since this subtask's previous report */
  readonly partitions: readonly ReportedPartition[];
}

interface PendingPartition extends ReportedPartition {
  /** committer's processing time when first reported (process-time trigger) */
  readonly reportedAt: number;
}

/** The committer's state in a checkpoint (JSON). */
export interface PartitionCommitState {
  readonly parallelism: number;
  readonly pending: readonly PendingPartition[];
  /** checkpoints some but not all writer subtasks reported */
  readonly reported: ReadonlyArray<{ readonly checkpointId: number; readonly subtasks: readonly number[] }>;
  /** the committer's input watermark at each checkpoint barrier not committed yet */
  readonly watermarks: ReadonlyArray<{ readonly checkpointId: number; readonly watermark: number }>;
}

export class PartitionCommitTracker {
  private readonly policy: PartitionCommitPolicy;
  private parallelism = 0;
  private readonly pending = new Map<string, PendingPartition>();
  private reported = new Map<number, Set<number>>();
  private readonly watermarks = new Map<number, number>();

  constructor(policy: PartitionCommitPolicy) {
    this.policy = policy;
  }

  /** Takes one report; returns the partitions to commit now (in the order first reported). */
  receive(info: PartitionCommitInfo, now: number): string[] {
    if (info.parallelism !== this.parallelism) {
      // a restore with another parallelism: reports of the old subtasks no longer count
      this.parallelism = info.parallelism;
      this.reported = new Map();
    }
    for (const p of info.partitions) {
      if (!this.pending.has(p.path)) this.pending.set(p.path, { path: p.path, reportedAt: now, ...(p.time === undefined ? {} : { time: p.time }) });
    }
    let subtasks = this.reported.get(info.checkpointId);
    if (!subtasks) this.reported.set(info.checkpointId, (subtasks = new Set()));
    subtasks.add(info.subtask);
    if (subtasks.size < this.parallelism) return [];
    // every subtask's files up to this checkpoint are visible; older incomplete checkpoints are covered by it
    for (const id of [...this.reported.keys()]) if (id <= info.checkpointId) this.reported.delete(id);
    return this.commit(info.checkpointId, now);
  }

  private commit(checkpointId: number, now: number): string[] {
    const watermark = this.watermarkAt(checkpointId);
    for (const id of [...this.watermarks.keys()]) if (id < checkpointId) this.watermarks.delete(id);
    const ready = [...this.pending.values()].filter((p) => checkpointId === END_OF_INPUT || this.fires(p, now, watermark));
    for (const p of ready) this.pending.delete(p.path);
    return ready.map((p) => p.path);
  }

  private fires(p: PendingPartition, now: number, watermark: number): boolean {
    // as Flink's ProcTimeCommitPredicate: no delay commits at the first complete checkpoint
    if (this.policy.trigger === 'process-time') return this.policy.delayMs === 0 || now > p.reportedAt + this.policy.delayMs;
    return p.time !== undefined && watermark > p.time + this.policy.delayMs;
  }

  /** The watermark at the newest barrier up to `checkpointId` (none known: nothing is past it). */
  private watermarkAt(checkpointId: number): number {
    let best = -1;
    for (const id of this.watermarks.keys()) if (id <= checkpointId && id > best) best = id;
    return best < 0 ? Number.NEGATIVE_INFINITY : this.watermarks.get(best)!;
  }

  snapshot(checkpointId: number, watermark: number): PartitionCommitState {
    // no watermark yet (-Infinity, which JSON cannot hold): nothing is past it, so nothing to keep
    if (Number.isFinite(watermark)) this.watermarks.set(checkpointId, watermark);
    return {
      parallelism: this.parallelism,
      pending: [...this.pending.values()],
      reported: [...this.reported].map(([id, s]) => ({ checkpointId: id, subtasks: [...s].sort((a, b) => a - b) })),
      watermarks: [...this.watermarks].map(([id, w]) => ({ checkpointId: id, watermark: w })),
    };
  }

  restore(states: readonly PartitionCommitState[]): void {
    for (const s of states) {
      this.parallelism = s.parallelism;
      for (const p of s.pending) if (!this.pending.has(p.path)) this.pending.set(p.path, p);
      for (const r of s.reported) this.reported.set(r.checkpointId, new Set(r.subtasks));
      for (const w of s.watermarks) if (typeof w.watermark === 'number') this.watermarks.set(w.checkpointId, w.watermark);
    }
  }

  /** Partitions reported and not committed yet (tests, messages). */
  pendingPartitions(): string[] {
    return [...this.pending.keys()];
  }
}
