// Writes one snapshot directory (a checkpoint's chk-<n>/ or a savepoint's savepoint-<id>/):
// state files first, each hashed while it is stored, then `_metadata` LAST. A snapshot is
// complete exactly when its _metadata exists, so a crash at any point leaves either a complete
// snapshot or a directory without _metadata, which readers ignore and retention removes.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumStream, sha256 } from './checksum.ts';
import { StorageError } from './errors.ts';
import { fileInDir, METADATA_FILE, stateFileName } from './layout.ts';
import type { StateFileOwner } from './layout.ts';
import type { ObjectBody, ObjectStore } from './object-store.ts';
import type { MetadataInput, SnapshotMetadata, StateFileHandle } from './snapshot-metadata.ts';
import { buildMetadata, encodeMetadata } from './snapshot-metadata.ts';

export interface StateFileRequest extends StateFileOwner {
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** a source subtask's position, recorded in _metadata beside the file */
  readonly sourcePosition?: unknown;
}

export class SnapshotWriter {
  readonly store: ObjectStore;
  /** '' or ending in '/', relative to the store root */
  readonly dir: string;

  constructor(store: ObjectStore, dir: string) {
    this.store = store;
    this.dir = dir;
  }

  /** Stores one operator subtask's state and returns the handle to report to the coordinator. */
  async writeStateFile(request: StateFileRequest, body: ObjectBody): Promise<StateFileHandle> {
    const file = stateFileName(request);
    const key = fileInDir(this.dir, file);
    let size: number;
    let digest: string;
    if (body instanceof Uint8Array) {
      await this.store.put(key, body);
      size = body.length;
      digest = sha256(body);
    } else {
      const hashing = new ChecksumStream();
      const source = body instanceof Readable ? body : Readable.from(body);
      try {
        await Promise.all([pipeline(source, hashing), this.store.put(key, hashing)]);
      } catch (error) {
        hashing.destroy();
        source.destroy();
        throw error;
      }
      size = hashing.byteCount;
      digest = hashing.digest();
    }
    return {
      operatorUid: request.operatorUid,
      parallelism: request.parallelism,
      maxParallelism: request.maxParallelism,
      subtaskIndex: request.subtaskIndex,
      ...(request.keyGroupRange ? { keyGroupRange: { start: request.keyGroupRange.start, end: request.keyGroupRange.end } } : {}),
      file,
      size,
      sha256: digest,
      ...(request.sourcePosition !== undefined ? { sourcePosition: request.sourcePosition } : {}),
    };
  }

  /**
   * Checks that every reported file is in place with its size, then writes `_metadata`, which
   * completes the snapshot. MR_ERR_CHECKPOINT_INCOMPLETE when a file is absent or differs.
   */
  async finalize(input: Omit<MetadataInput, 'files'>, files: readonly StateFileHandle[]): Promise<SnapshotMetadata> {
    const metadata = buildMetadata({ ...input, files });
    const present = new Map((await this.store.list(this.dir)).map((o) => [o.key.slice(this.dir.length), o.size]));
    for (const f of files) {
      const size = present.get(f.file);
      if (size === undefined) {
        throw new StorageError('MR_ERR_CHECKPOINT_INCOMPLETE', `state file ${this.store.description}${this.dir}${f.file} of operator '${f.operatorUid}' subtask ${f.subtaskIndex} is not stored; the snapshot is not completed`, { file: `${this.store.description}${this.dir}${f.file}` });
      }
      if (size !== f.size) {
        throw new StorageError('MR_ERR_CHECKPOINT_INCOMPLETE', `state file ${this.store.description}${this.dir}${f.file} has ${size} bytes, ${f.size} were written; the snapshot is not completed`, { file: `${this.store.description}${this.dir}${f.file}` });
      }
    }
    await this.store.put(fileInDir(this.dir, METADATA_FILE), encodeMetadata(metadata));
    return metadata;
  }
}
