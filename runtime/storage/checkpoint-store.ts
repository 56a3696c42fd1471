// The checkpoints of one job: `flink-jobs/<namespace>/<deployment>/<jobId>/chk-<n>/` in an
// ObjectStore. Writing (state files, then _metadata last), listing what completed, reading back
// with verification and falling back past unusable checkpoints, retention and discarding.
import { isUnusableCheckpoint, StorageError } from './errors.ts';
import type { DeploymentScope, JobScope } from './layout.ts';
import { checkpointDir, checkpointDirName, deploymentCheckpointsDir, jobCheckpointsDir, METADATA_FILE, parseCheckpointDirName } from './layout.ts';
import type { ObjectStore } from './object-store.ts';
import type { CheckpointDirState, CheckpointRetentionPolicy, RetentionContext, RetentionPlan } from './retention-policy.ts';
import type { Clock } from '../time/clock.ts';
import type { SnapshotMetadata, StateFileHandle } from './snapshot-metadata.ts';
import type { Snapshot } from './snapshot-reader.ts';
import { readSnapshot, verifySnapshot } from './snapshot-reader.ts';
import { deleteSnapshotDirectory } from './snapshot-deletion.ts';
import { SnapshotWriter } from './snapshot-writer.ts';

export interface CheckpointStoreOptions {
  readonly store: ObjectStore;
  readonly job: JobScope;
  /** stamps completed checkpoints (epoch ms) */
  readonly clock?: Clock;
}

export interface CompletedCheckpoint extends Snapshot {
  readonly checkpointId: number;
}

export interface ReadOptions {
  /** stream every state file and check size and sha256 (default true) */
  readonly verify?: boolean;
}

export interface SkippedCheckpoint {
  readonly checkpointId: number;
  readonly error: StorageError;
}

export class CheckpointStore {
  readonly store: ObjectStore;
  readonly job: JobScope;
  private readonly clock: Clock;
  private readonly root: string;

  constructor(options: CheckpointStoreOptions) {
    this.store = options.store;
    this.job = options.job;
    this.clock = options.clock ?? Date;
    this.root = jobCheckpointsDir(options.job);
  }

  /** Directory of checkpoint n relative to the store root. */
  dirOf(checkpointId: number): string {
    return checkpointDir(this.job, checkpointId);
  }

  /** A writer for the state files of checkpoint n (used by every subtask). */
  writer(checkpointId: number): SnapshotWriter {
    return new SnapshotWriter(this.store, this.dirOf(checkpointId));
  }

  /** Completes checkpoint n with the handles all subtasks reported: writes _metadata last. */
  async complete(checkpointId: number, files: readonly StateFileHandle[]): Promise<CompletedCheckpoint> {
    const metadata = await this.writer(checkpointId).finalize({ kind: 'checkpoint', jobId: this.job.jobId, checkpointId, timestamp: this.clock.now() }, files);
    return { store: this.store, dir: this.dirOf(checkpointId), metadata, checkpointId };
  }

  /** Every chk-<n> directory of the job, complete or not, oldest first. */
  async listCheckpointDirs(): Promise<CheckpointDirState[]> {
    const ids = new Set<number>();
    const complete = new Set<number>();
    for (const name of await this.store.listDirs(this.root)) {
      const id = parseCheckpointDirName(name);
      if (id !== undefined) ids.add(id);
    }
    for (const { key } of await this.store.list(this.root)) {
      const [dir, file, ...rest] = key.slice(this.root.length).split('/');
      const id = parseCheckpointDirName(dir ?? '');
      if (id === undefined) continue;
      ids.add(id);
      if (file === METADATA_FILE && rest.length === 0) complete.add(id);
    }
    return [...ids].sort((a, b) => a - b).map((checkpointId) => ({ checkpointId, complete: complete.has(checkpointId) }));
  }

  /** Ids of the completed checkpoints (their _metadata exists), oldest first. */
  async listCompleted(): Promise<number[]> {
    return (await this.listCheckpointDirs()).filter((d) => d.complete).map((d) => d.checkpointId);
  }

  async latestCompletedId(): Promise<number | undefined> {
    return (await this.listCompleted()).at(-1);
  }

  /** Reads checkpoint n; MR_ERR_CHECKPOINT_MISSING / _CORRUPT name the file at fault. */
  async read(checkpointId: number, options: ReadOptions = {}): Promise<CompletedCheckpoint> {
    const snapshot = await readSnapshot(this.store, this.dirOf(checkpointId));
    checkIdentity(snapshot.metadata, this.job.jobId, checkpointId, `${this.store.description}${this.dirOf(checkpointId)}${METADATA_FILE}`);
    if (options.verify ?? true) await verifySnapshot(snapshot);
    return { ...snapshot, checkpointId };
  }

  /**
   * The newest completed checkpoint that reads and verifies; unusable ones (missing or corrupt
   * files) are skipped and reported, so recovery falls back to the previous checkpoint.
   * Other errors (S3 unreachable, access denied) are thrown: falling back would not help.
   */
  async latestUsable(options: ReadOptions = {}): Promise<{ checkpoint: CompletedCheckpoint | undefined; skipped: SkippedCheckpoint[] }> {
    const skipped: SkippedCheckpoint[] = [];
    for (const checkpointId of (await this.listCompleted()).reverse()) {
      try {
        return { checkpoint: await this.read(checkpointId, options), skipped };
      } catch (error) {
        if (!isUnusableCheckpoint(error)) throw error;
        skipped.push({ checkpointId, error: error as StorageError });
      }
    }
    return { checkpoint: undefined, skipped };
  }

  /** Deletes what the policy discards (older completed checkpoints and leftover incomplete ones). */
  async applyRetention(policy: CheckpointRetentionPolicy, context: RetentionContext = {}): Promise<RetentionPlan> {
    const plan = policy.plan(await this.listCheckpointDirs(), context);
    for (const checkpointId of plan.discard) await this.discard(checkpointId);
    return plan;
  }

  /** Deletes checkpoint n's directory, _metadata first: a half-deleted checkpoint is never taken as complete. */
  async discard(checkpointId: number): Promise<void> {
    await deleteSnapshotDirectory(this.store, this.dirOf(checkpointId));
  }
}

function checkIdentity(metadata: SnapshotMetadata, jobId: string, checkpointId: number, file: string): void {
  if (metadata.kind !== 'checkpoint' || metadata.jobId !== jobId || metadata.checkpointId !== checkpointId) {
    throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `${file} describes ${metadata.kind} ${metadata.checkpointId} of job ${metadata.jobId}, not ${checkpointDirName(checkpointId)} of job ${jobId}; the directory was tampered with`, { file });
  }
}

/** Job ids with checkpoint directories under a deployment (for a JobManager that restarts). */
export async function listJobsWithCheckpoints(store: ObjectStore, scope: DeploymentScope): Promise<string[]> {
  return store.listDirs(deploymentCheckpointsDir(scope));
}
