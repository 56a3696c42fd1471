// What the next attempt of a running job restores from: the newest completed checkpoint no task
// found damaged, else the snapshot the job started from (which runtime/checkpoint/restore-points.ts
// found). A snapshot a task found a file of missing or corrupt is never restored from again.

import type { CheckpointStorageAccess, CompletedSnapshot } from '../../checkpoint/checkpoint-storage-access.ts';
import { assignState, type StateAssignment } from '../../checkpoint/state-assignment.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import { isDamagedSnapshot } from './failure-causes.ts';

/** A snapshot an attempt restores from, with the files each subtask reads. */
export interface RestoreSource {
  readonly snapshot: CompletedSnapshot;
  readonly isSavepoint: boolean;
  readonly assignment: StateAssignment;
}

/** A snapshot no attempt restores from any more, with the message for the job's exception history. */
export interface UnusableSnapshot {
  readonly checkpointId: number;
  readonly message: string;
}

export class RestoreChoice {
  /** what the current (or next) attempt restores from */
  private current: RestoreSource | undefined;
  /** the snapshot the job started from (a savepoint, or a checkpoint when resuming) */
  private initial: RestoreSource | undefined;
  private readonly unusable = new Set<number>();

  get restoreFrom(): RestoreSource | undefined {
    return this.current;
  }

  setInitial(source: RestoreSource | undefined): void {
    this.initial = source;
    this.current = source;
  }

  /**
   * The attempt restored from the current source failed with `cause`. When a file of that
   * snapshot is gone or damaged, it is never used again (the next choice falls back to the one
   * before); returns what to record then.
   */
  failedWith(cause: string): UnusableSnapshot | undefined {
    const restored = this.current;
    if (!restored || !isDamagedSnapshot(cause)) return undefined;
    this.unusable.add(restored.snapshot.checkpointId);
    if (this.initial === restored) this.initial = undefined;
    return {
      checkpointId: restored.snapshot.checkpointId,
      message: `MR_ERR_RESTORE_UNUSABLE: ${restored.isSavepoint ? 'savepoint' : 'checkpoint'} ${restored.snapshot.checkpointId} at ${restored.snapshot.path} cannot be restored (${cause.split('\n')[0]}); falling back to the previous checkpoint`,
    };
  }

  /**
   * Chooses what the next attempt restores from: the newest completed checkpoint in `storage` no
   * task found damaged (those the listing had to skip are returned), else the snapshot the job
   * started from, else nothing. Rejects when storage cannot be read. `known`, the coordinator's
   * latest completed checkpoint, is taken without asking storage unless a task found it damaged
   * (as Flink restores from its in-memory completed checkpoint store): listing and reading
   * `_metadata` again cost the restart S3 round trips for what this process wrote itself.
   */
  async choose(storage: Pick<CheckpointStorageAccess, 'latestCompleted'>, jobGraph: JobGraph, known?: CompletedSnapshot): Promise<UnusableSnapshot[]> {
    if (known && !this.unusable.has(known.checkpointId)) {
      this.current = { snapshot: known, isSavepoint: false, assignment: assignState(known.metadata, jobGraph, true, known.path) };
      return [];
    }
    const { checkpoint, skipped } = await storage.latestCompleted(this.unusable);
    const dropped = skipped.map((s) => {
      this.unusable.add(s.checkpointId);
      return { checkpointId: s.checkpointId, message: `MR_ERR_RESTORE_UNUSABLE: checkpoint ${s.checkpointId} is skipped: ${s.error.message}` };
    });
    this.current = checkpoint
      ? { snapshot: checkpoint, isSavepoint: false, assignment: assignState(checkpoint.metadata, jobGraph, true, checkpoint.path) }
      : this.initial;
    return dropped;
  }
}
