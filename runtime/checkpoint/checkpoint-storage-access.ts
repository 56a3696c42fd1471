// The coordinator's access to checkpoint and savepoint storage: where a checkpoint or savepoint
// is written, completing it (_metadata last), retention, and the restore candidates. Wraps the
// stores of runtime/storage for one job of one deployment.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../time/clock.ts';
import { CheckpointStore, type CompletedCheckpoint } from '../storage/checkpoint-store.ts';
import { isUnusableCheckpoint, type StorageError } from '../storage/errors.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { CheckpointRetentionPolicy } from '../storage/retention-policy.ts';
import { SavepointStore } from '../storage/savepoint-store.ts';
import type { SnapshotMetadata, StateFileHandle } from '../storage/snapshot-metadata.ts';
import { SnapshotWriter } from '../storage/snapshot-writer.ts';
import type { SnapshotTarget } from './messages.ts';

export interface CompletedSnapshot {
  readonly checkpointId: number;
  /** full location, what users see and restore from */
  readonly path: string;
  readonly metadata: SnapshotMetadata;
  readonly target: SnapshotTarget;
}

export interface CheckpointStorageOptions {
  readonly storageUri: string;
  readonly store: ObjectStore;
  readonly namespace: string;
  readonly deployment: string;
  readonly jobId: string;
  readonly retained: number;
  readonly clock?: Clock;
  readonly env?: Record<string, string | undefined>;
}

export class CheckpointStorageAccess {
  readonly checkpoints: CheckpointStore;
  readonly savepoints: SavepointStore;
  private readonly retention: CheckpointRetentionPolicy;
  private readonly o: CheckpointStorageOptions;

  constructor(o: CheckpointStorageOptions) {
    this.o = o;
    this.checkpoints = new CheckpointStore({ store: o.store, job: { namespace: o.namespace, deployment: o.deployment, jobId: o.jobId }, clock: o.clock });
    this.savepoints = new SavepointStore({ store: o.store, deployment: { namespace: o.namespace, deployment: o.deployment }, clock: o.clock });
    this.retention = new CheckpointRetentionPolicy(o.retained);
  }

  get storageUri(): string {
    return this.o.storageUri;
  }

  checkpointTarget(checkpointId: number): SnapshotTarget {
    return { storageUri: this.o.storageUri, dir: this.checkpoints.dirOf(checkpointId) };
  }

  async completeCheckpoint(checkpointId: number, handles: readonly StateFileHandle[]): Promise<CompletedSnapshot> {
    const c = await this.checkpoints.complete(checkpointId, handles);
    return { checkpointId, path: `${this.o.store.description}${c.dir}`, metadata: c.metadata, target: this.checkpointTarget(checkpointId) };
  }

  /** A new savepoint id and where it goes: `savepoint-<id>/` in the target directory, else in the deployment's savepoints. */
  savepointTarget(targetDirectory: string | undefined): { savepointId: string; target: SnapshotTarget } {
    const savepointId = `${this.o.jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`;
    if (targetDirectory) return { savepointId, target: { storageUri: targetDirectory, dir: `savepoint-${savepointId}/` } };
    return { savepointId, target: { storageUri: this.o.storageUri, dir: this.savepoints.dirOf(savepointId) } };
  }

  async completeSavepoint(savepointId: string, checkpointId: number, target: SnapshotTarget, handles: readonly StateFileHandle[]): Promise<CompletedSnapshot> {
    const store = target.storageUri === this.o.storageUri ? this.o.store : openObjectStore(target.storageUri, { env: this.o.env, clock: this.o.clock });
    try {
      const metadata = await new SnapshotWriter(store, target.dir).finalize({ kind: 'savepoint', savepointId, jobId: this.o.jobId, checkpointId, timestamp: (this.o.clock ?? Date).now() }, handles);
      return { checkpointId, path: `${store.description}${target.dir}`, metadata, target };
    } finally {
      if (store !== this.o.store) store.close();
    }
  }

  /**
   * Deletes older completed checkpoints and incomplete directories older than the newest completed
   * one (aborted). Incomplete directories after it are kept: it runs in the background after a
   * completion, and by the time it lists, the next checkpoint may be triggered and its subtasks
   * writing (deleting that directory failed their writes and the checkpoint).
   */
  async applyRetention(): Promise<void> {
    await this.checkpoints.applyRetention(this.retention);
  }

  /** Checkpoint directories already used by this job id (a resumed job continues after them). */
  async highestCheckpointId(): Promise<number> {
    return (await this.checkpoints.listCheckpointDirs()).at(-1)?.checkpointId ?? 0;
  }

  /**
   * The newest completed checkpoint whose _metadata reads, skipping `unusable` ones (a task found
   * a file missing or corrupt). State files are verified by the tasks as they read them.
   */
  async latestCompleted(unusable: ReadonlySet<number>): Promise<{ checkpoint: CompletedSnapshot | undefined; skipped: Array<{ checkpointId: number; error: StorageError }> }> {
    const skipped: Array<{ checkpointId: number; error: StorageError }> = [];
    for (const id of (await this.checkpoints.listCompleted()).reverse()) {
      if (unusable.has(id)) continue;
      try {
        const c: CompletedCheckpoint = await this.checkpoints.read(id, { verify: false });
        return { checkpoint: { checkpointId: id, path: `${this.o.store.description}${c.dir}`, metadata: c.metadata, target: this.checkpointTarget(id) }, skipped };
      } catch (error) {
        if (!isUnusableCheckpoint(error)) throw error;
        skipped.push({ checkpointId: id, error: error as StorageError });
      }
    }
    return { checkpoint: undefined, skipped };
  }
}
