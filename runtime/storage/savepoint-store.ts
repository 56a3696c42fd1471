// The savepoints of one deployment: `flink-savepoints/<namespace>/<deployment>/savepoint-<id>/`.
// A savepoint is self-contained: its _metadata names files relative to its own directory, so it
// can be copied or moved anywhere and restored from there (see open-snapshot.ts).
import { StorageError } from './errors.ts';
import type { DeploymentScope } from './layout.ts';
import { deploymentSavepointsDir, METADATA_FILE, parseSavepointDirName, savepointDir } from './layout.ts';
import type { ObjectStore } from './object-store.ts';
import type { Clock } from '../time/clock.ts';
import type { StateFileHandle } from './snapshot-metadata.ts';
import type { Snapshot } from './snapshot-reader.ts';
import { readSnapshot, verifySnapshot } from './snapshot-reader.ts';
import { deleteSnapshotDirectory } from './snapshot-deletion.ts';
import { SnapshotWriter } from './snapshot-writer.ts';

export interface SavepointStoreOptions {
  readonly store: ObjectStore;
  readonly deployment: DeploymentScope;
  readonly clock?: Clock;
}

export class SavepointStore {
  readonly store: ObjectStore;
  readonly deployment: DeploymentScope;
  private readonly clock: Clock;

  constructor(options: SavepointStoreOptions) {
    this.store = options.store;
    this.deployment = options.deployment;
    this.clock = options.clock ?? Date;
  }

  dirOf(savepointId: string): string {
    return savepointDir(this.deployment, savepointId);
  }

  /** The location to show users and to restore from (`s3://…/savepoint-<id>/` or a directory). */
  pathOf(savepointId: string): string {
    return `${this.store.description}${this.dirOf(savepointId)}`;
  }

  writer(savepointId: string): SnapshotWriter {
    return new SnapshotWriter(this.store, this.dirOf(savepointId));
  }

  async complete(savepointId: string, taken: { jobId: string; checkpointId: number }, files: readonly StateFileHandle[]): Promise<Snapshot> {
    const metadata = await this.writer(savepointId).finalize({ kind: 'savepoint', savepointId, jobId: taken.jobId, checkpointId: taken.checkpointId, timestamp: this.clock.now() }, files);
    return { store: this.store, dir: this.dirOf(savepointId), metadata };
  }

  /** Ids of the completed savepoints of the deployment, sorted. */
  async listCompleted(): Promise<string[]> {
    const root = deploymentSavepointsDir(this.deployment);
    const ids = new Set<string>();
    for (const { key } of await this.store.list(root)) {
      const [dir, file, ...rest] = key.slice(root.length).split('/');
      const id = parseSavepointDirName(dir ?? '');
      if (id !== undefined && file === METADATA_FILE && rest.length === 0) ids.add(id);
    }
    return [...ids].sort();
  }

  async read(savepointId: string, options: { verify?: boolean } = {}): Promise<Snapshot> {
    const snapshot = await readSnapshot(this.store, this.dirOf(savepointId));
    if (snapshot.metadata.kind !== 'savepoint') {
      const file = `${this.pathOf(savepointId)}${METADATA_FILE}`;
      throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `${file} describes a ${snapshot.metadata.kind}, not a savepoint`, { file });
    }
    if (options.verify ?? true) await verifySnapshot(snapshot);
    return snapshot;
  }

  /** Deletes the savepoint's files (_metadata first); returns how many objects were deleted. */
  async dispose(savepointId: string): Promise<number> {
    const dir = this.dirOf(savepointId);
    const had = (await this.store.list(dir)).length;
    await deleteSnapshotDirectory(this.store, dir);
    return had;
  }
}
