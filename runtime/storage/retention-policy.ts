// Which checkpoint directories to delete: keep the newest N completed checkpoints; delete older
// completed ones and directories that never completed. A pure decision over a listing, so the
// store only executes it.

export interface CheckpointDirState {
  readonly checkpointId: number;
  /** its _metadata exists */
  readonly complete: boolean;
}

export interface RetentionPlan {
  /** completed checkpoints kept, oldest first */
  readonly retained: number[];
  /** checkpoint ids whose directories are deleted, oldest first */
  readonly discard: number[];
}

export interface RetentionContext {
  /**
   * Checkpoints the coordinator is still writing. When given, every other incomplete directory is
   * a leftover and deleted. When absent (no coordinator knowledge, e.g. a cleanup tool), incomplete
   * directories newer than the newest completed checkpoint are kept: they may be in progress.
   */
  readonly inProgress?: ReadonlySet<number>;
}

export class CheckpointRetentionPolicy {
  readonly retainCompleted: number;

  constructor(retainCompleted: number) {
    if (!Number.isSafeInteger(retainCompleted) || retainCompleted < 1) {
      throw new Error(`MR_ERR_CHECKPOINT_RETENTION: retained checkpoints must be an integer ≥ 1, got ${retainCompleted}; at least the latest completed checkpoint is needed for recovery`);
    }
    this.retainCompleted = retainCompleted;
  }

  plan(dirs: readonly CheckpointDirState[], context: RetentionContext = {}): RetentionPlan {
    const sorted = [...dirs].sort((a, b) => a.checkpointId - b.checkpointId);
    const completed = sorted.filter((d) => d.complete).map((d) => d.checkpointId);
    const retained = completed.slice(-this.retainCompleted);
    const keep = new Set(retained);
    const newestCompleted = completed.at(-1) ?? 0;
    const discard = sorted
      .filter((d) => {
        if (keep.has(d.checkpointId)) return false;
        if (d.complete) return true;
        if (context.inProgress) return !context.inProgress.has(d.checkpointId);
        return d.checkpointId < newestCompleted;
      })
      .map((d) => d.checkpointId);
    return { retained, discard };
  }
}
