// When a partition is committed (Flink's `sink.partition-commit.trigger`): with `process-time`
// once the processing time is past the time this subtask first wrote it plus the delay; with
// `partition-time` once the watermark passes the partition's time plus the delay. Committing
// runs the policies (`success-file`: an empty `_SUCCESS` file in the partition directory) after
// the partition's data files of a completed checkpoint became visible; at end of input every
// partition is committed. Pure: times come in as arguments.

export type CommitTrigger = 'process-time' | 'partition-time';

export interface PartitionCommitPolicy {
  readonly trigger: CommitTrigger;
  readonly delayMs: number;
  /** `success-file` writes this file name; `metastore` is refused (no metastore here) */
  readonly successFileName: string;
}

export interface KnownPartition {
  /** the partition directory, e.g. `dt=2024-01-01/hm=10%3A05` */
  readonly path: string;
  /** processing time this subtask first wrote it */
  readonly createdAt: number;
  /** the time its values stand for (partition-time trigger), when they name one */
  readonly time?: number;
}

/** The partitions that may be committed, given the processing time and watermark at a checkpoint. */
export function committablePartitions(policy: PartitionCommitPolicy, known: readonly KnownPartition[], now: number, watermark: number): KnownPartition[] {
  return known.filter((p) =>
    policy.trigger === 'process-time' ? now > p.createdAt + policy.delayMs : p.time !== undefined && watermark > p.time + policy.delayMs);
}
