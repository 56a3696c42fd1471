// The TaskManager side of checkpoint storage: uploading a task's serialized operator states
// (asynchronously, while the task keeps processing) and reading the state files a subtask
// restores from (verified against size and sha256 as they are read). Object stores are opened
// once per storage URI and shared by the slot's tasks. With local recovery, a checkpoint's files
// are also kept on the TaskManager's disk (local-state-copies.ts) and a restore of that very
// checkpoint reads them from there; a missing or mismatching local copy falls back to the remote one.

import type { OperatorSnapshot } from '../state/state-file-format.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { StateFileEntry, StateFileHandle } from '../storage/snapshot-metadata.ts';
import { openStateFile } from '../storage/snapshot-reader.ts';
import { StorageError } from '../storage/errors.ts';
import { fileInDir, stateFileName } from '../storage/layout.ts';
import { Readable } from 'node:stream';
import { decodeOperatorSnapshot } from '../state/state-file-format.ts';
import { SnapshotWriter } from '../storage/snapshot-writer.ts';
import type { TaskCheckpointSnapshot } from './task-snapshot.ts';
import type { SnapshotTarget, SubtaskRestore } from './messages.ts';
import type { LocalCopyKey, LocalStateCopies } from './local-state-copies.ts';

/** Where a restore's state files came from: what the TaskManager logs and tests check. */
export interface RestoreReads {
  localFiles: number;
  localBytes: number;
  remoteFiles: number;
  remoteBytes: number;
  /** local copies that failed their size/sha256 check or did not decode (then read remotely) */
  localRejected: number;
}

export const noRestoreReads = (): RestoreReads => ({ localFiles: 0, localBytes: 0, remoteFiles: 0, remoteBytes: 0, localRejected: 0 });

/** The stream, destroyed (its reader rejects) when `signal` aborts. */
function abortable(stream: Readable, signal: AbortSignal | undefined): Readable {
  if (!signal) return stream;
  if (signal.aborted) stream.destroy(signal.reason as Error);
  else signal.addEventListener('abort', () => stream.destroy(signal.reason as Error), { once: true });
  return stream;
}

export class TaskStateIO {
  private readonly stores = new Map<string, ObjectStore>();
  private readonly env: Record<string, string | undefined>;
  private readonly localCopies: LocalStateCopies | undefined;
  /** called when keeping a local copy failed (the checkpoint itself goes on: the copy is an optimization) */
  private readonly onLocalCopyError: (error: Error) => void;

  constructor(env: Record<string, string | undefined> = process.env, localCopies?: LocalStateCopies, onLocalCopyError: (error: Error) => void = () => undefined) {
    this.env = env;
    this.localCopies = localCopies;
    this.onLocalCopyError = onLocalCopyError;
  }

  store(uri: string): ObjectStore {
    let s = this.stores.get(uri);
    if (!s) {
      s = openObjectStore(uri, { env: this.env });
      this.stores.set(uri, s);
    }
    return s;
  }

  /**
   * Writes one state file per operator of the snapshot; the handles go to the coordinator. With
   * `keepLocal` (a checkpoint of a job with local recovery) the same bytes also go to the local
   * copies, at the same time; the upload does not wait for nor fail with them.
   */
  async upload(target: SnapshotTarget, snapshot: TaskCheckpointSnapshot, keepLocal?: { jobId: string }): Promise<StateFileHandle[]> {
    const writer = new SnapshotWriter(this.store(target.storageUri), target.dir);
    const local = keepLocal && this.localCopies ? { copies: this.localCopies, key: { jobId: keepLocal.jobId, checkpointId: snapshot.checkpointId, storageUri: target.storageUri, dir: target.dir } } : undefined;
    const copies: Array<Promise<void>> = [];
    const handles = await Promise.all(snapshot.states.map((s) => {
      const request = {
        operatorUid: s.operatorUid, subtaskIndex: snapshot.subtaskIndex, parallelism: s.parallelism, maxParallelism: s.maxParallelism,
        ...(s.keyGroupRange ? { keyGroupRange: s.keyGroupRange } : {}),
        ...(s.sourcePosition !== undefined ? { sourcePosition: s.sourcePosition } : {}),
      };
      if (local) copies.push(local.copies.keep(local.key, stateFileName(request), s.chunks).catch((error: Error) => this.onLocalCopyError(error)));
      return writer.writeStateFile(request, s.chunks.length === 1 ? s.chunks[0]! : Readable.from(s.chunks));
    }));
    // acknowledged only with the copies on disk, so a completed checkpoint's copies exist
    await Promise.all(copies);
    return handles;
  }

  /**
   * Reads the files assigned to a subtask: operator uid → the snapshots to initialize from. With
   * `local` (the job has local recovery) each file is first looked for among the local copies.
   * `signal` (the deployment was canceled: a failover came first) stops the reads at once, so a
   * canceled restore does not go on taking the CPU the next attempt's restore needs.
   */
  async load(restore: SubtaskRestore, local?: { jobId: string }, reads: RestoreReads = noRestoreReads(), signal?: AbortSignal): Promise<Record<string, OperatorSnapshot[]>> {
    signal?.throwIfAborted();
    const location = { store: this.store(restore.storageUri), dir: restore.dir };
    const localKey = local && this.localCopies ? { jobId: local.jobId, checkpointId: restore.checkpointId, storageUri: restore.storageUri, dir: restore.dir } : undefined;
    const out: Record<string, OperatorSnapshot[]> = {};
    for (const [uid, entries] of Object.entries(restore.files)) {
      out[uid] = await Promise.all(entries.map(async (e) => {
        if (localKey) {
          const fromDisk = await this.decodeLocal(localKey, e, signal);
          signal?.throwIfAborted();
          if (fromDisk === 'rejected') reads.localRejected++;
          else if (fromDisk) {
            reads.localFiles++;
            reads.localBytes += e.size;
            return fromDisk;
          }
        }
        const snapshot = await this.decode(location, e, signal);
        reads.remoteFiles++;
        reads.remoteBytes += e.size;
        return snapshot;
      }));
    }
    return out;
  }

  /** The local copy's snapshot; undefined when there is none, 'rejected' when it fails its check or does not decode. */
  private async decodeLocal(key: LocalCopyKey, entry: StateFileEntry, signal: AbortSignal | undefined): Promise<OperatorSnapshot | undefined | 'rejected'> {
    try {
      const stream = await this.localCopies!.open(key, entry);
      return stream ? await decodeOperatorSnapshot(abortable(stream, signal)) : undefined;
    } catch {
      return 'rejected';
    }
  }

  /**
   * One state file's snapshot. A file that does not decode is named in the error, whichever
   * notices first: the decoder (its first bytes) or the size and sha256 check (at its end).
   */
  private async decode(location: { store: ObjectStore; dir: string }, entry: StateFileEntry, signal?: AbortSignal): Promise<OperatorSnapshot> {
    try {
      return await decodeOperatorSnapshot(abortable(await openStateFile(location, entry), signal));
    } catch (err) {
      signal?.throwIfAborted();
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
