// The TaskManager side of checkpoint storage: uploading a task's serialized operator states
// (asynchronously, while the task keeps processing) and reading the state files a subtask
// restores from (verified against size and sha256 as they are read). Object stores are opened
// once per storage URI and shared by the slot's tasks.

import type { OperatorSnapshot } from '../state/state-file-format.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { StateFileEntry, StateFileHandle } from '../storage/snapshot-metadata.ts';
import { openStateFile } from '../storage/snapshot-reader.ts';
import { StorageError } from '../storage/errors.ts';
import { fileInDir } from '../storage/layout.ts';
import { Readable } from 'node:stream';
import { decodeOperatorSnapshot } from '../state/state-file-format.ts';
import { SnapshotWriter } from '../storage/snapshot-writer.ts';
import type { TaskCheckpointSnapshot } from './task-snapshot.ts';
import type { SnapshotTarget, SubtaskRestore } from './messages.ts';

export class TaskStateIO {
  private readonly stores = new Map<string, ObjectStore>();
  private readonly env: Record<string, string | undefined>;

  constructor(env: Record<string, string | undefined> = process.env) {
    this.env = env;
  }

  store(uri: string): ObjectStore {
    let s = this.stores.get(uri);
    if (!s) {
      s = openObjectStore(uri, { env: this.env });
      this.stores.set(uri, s);
    }
    return s;
  }

  /** Writes one state file per operator of the snapshot; the handles go to the coordinator. */
  async upload(target: SnapshotTarget, snapshot: TaskCheckpointSnapshot): Promise<StateFileHandle[]> {
    const writer = new SnapshotWriter(this.store(target.storageUri), target.dir);
    return Promise.all(snapshot.states.map((s) => writer.writeStateFile({
      operatorUid: s.operatorUid, subtaskIndex: snapshot.subtaskIndex, parallelism: s.parallelism, maxParallelism: s.maxParallelism,
      ...(s.keyGroupRange ? { keyGroupRange: s.keyGroupRange } : {}),
      ...(s.sourcePosition !== undefined ? { sourcePosition: s.sourcePosition } : {}),
    }, s.chunks.length === 1 ? s.chunks[0]! : Readable.from(s.chunks))));
  }

  /** Reads the files assigned to a subtask: operator uid → the snapshots to initialize from. */
  async load(restore: SubtaskRestore): Promise<Record<string, OperatorSnapshot[]>> {
    const location = { store: this.store(restore.storageUri), dir: restore.dir };
    const out: Record<string, OperatorSnapshot[]> = {};
    for (const [uid, entries] of Object.entries(restore.files)) {
      out[uid] = await Promise.all(entries.map(async (e) => this.decode(location, e)));
    }
    return out;
  }

  /**
   * One state file's snapshot. A file that does not decode is named in the error, whichever
   * notices first: the decoder (its first bytes) or the size and sha256 check (at its end).
   */
  private async decode(location: { store: ObjectStore; dir: string }, entry: StateFileEntry): Promise<OperatorSnapshot> {
    try {
      return await decodeOperatorSnapshot(await openStateFile(location, entry));
    } catch (err) {
      if (!(err instanceof StorageError) || err.file !== undefined) throw err;
      const file = `${location.store.description}${fileInDir(location.dir, entry.file)}`;
      throw new StorageError(err.code, `state file ${file}: ${err.message.slice(err.code.length + 2)}`, { file, cause: err });
    }
  }

  close(): void {
    for (const s of this.stores.values()) s.close();
    this.stores.clear();
  }
}
