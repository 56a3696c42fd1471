// Reads a snapshot directory back: `_metadata` first, then state files, each checked against the
// size and sha256 recorded for it. A missing file is MR_ERR_CHECKPOINT_MISSING, a changed or
// unparsable one MR_ERR_CHECKPOINT_CORRUPT, both naming the file so the caller can report it and
// fall back to the previous checkpoint. I/O failures stay MR_ERR_STORAGE_IO: they say nothing
// about the checkpoint.
import { createHash } from 'node:crypto';
import { Transform, Writable } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError } from './errors.ts';
import { fileInDir, METADATA_FILE } from './layout.ts';
import type { ObjectStore } from './object-store.ts';
import type { SnapshotMetadata, StateFileEntry } from './snapshot-metadata.ts';
import { decodeMetadata } from './snapshot-metadata.ts';

export interface Snapshot {
  readonly store: ObjectStore;
  /** '' or ending in '/', relative to the store root */
  readonly dir: string;
  readonly metadata: SnapshotMetadata;
}

function missing(store: ObjectStore, key: string, what: string, cause: unknown): StorageError {
  return new StorageError('MR_ERR_CHECKPOINT_MISSING', `${what} ${store.description}${key} is missing; the snapshot cannot be used, fall back to an older one`, { file: `${store.description}${key}`, cause });
}

export async function readSnapshot(store: ObjectStore, dir: string): Promise<Snapshot> {
  const key = fileInDir(dir, METADATA_FILE);
  let bytes: Buffer;
  try {
    bytes = await store.get(key);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'MR_ERR_STORAGE_NOT_FOUND') throw missing(store, key, 'snapshot metadata', error);
    throw error;
  }
  return { store, dir, metadata: decodeMetadata(bytes, `${store.description}${key}`) };
}

/** Passes bytes through and fails at the end when size or sha256 differ from the metadata. */
class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private readonly entry: StateFileEntry;
  private readonly location: string;

  constructor(entry: StateFileEntry, location: string) {
    super();
    this.entry = entry;
    this.location = location;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.entry.size) {
      callback(new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `state file ${this.location} has ${this.bytes} bytes, _metadata records ${this.entry.size}; fall back to an older snapshot`, { file: this.location }));
      return;
    }
    const digest = this.hash.digest('hex');
    if (digest !== this.entry.sha256) {
      callback(new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `state file ${this.location} has sha256 ${digest}, _metadata records ${this.entry.sha256}; fall back to an older snapshot`, { file: this.location }));
      return;
    }
    callback();
  }
}

/**
 * A state file as a stream, for restoring large state without holding it whole: the stream
 * errors with MR_ERR_CHECKPOINT_CORRUPT at its end if size or sha256 differ, so a consumer must
 * not commit what it read before the stream ended cleanly.
 */
export async function openStateFile(snapshot: Pick<Snapshot, 'store' | 'dir'>, entry: StateFileEntry): Promise<Readable> {
  const { store } = snapshot;
  const key = fileInDir(snapshot.dir, entry.file);
  const location = `${store.description}${key}`;
  let source: Readable;
  try {
    source = await store.open(key);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'MR_ERR_STORAGE_NOT_FOUND') throw missing(store, key, 'state file', error);
    throw error;
  }
  const verifying = new VerifyingStream(entry, location);
  source.on('error', (error) => {
    // an interrupted read says nothing about the file: report it as I/O, not as corruption
    verifying.destroy(error instanceof StorageError ? error : new StorageError('MR_ERR_STORAGE_IO', `state file ${location} could not be read to the end (${error.message}); retry`, { file: location, cause: error }));
  });
  return source.pipe(verifying);
}

/** A state file's bytes, checked against size and sha256. */
export async function readStateFile(snapshot: Pick<Snapshot, 'store' | 'dir'>, entry: StateFileEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openStateFile(snapshot, entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Checks every state file of the snapshot (streamed, not held in memory), `concurrency` files at
 * a time; the first problem found is thrown.
 */
export async function verifySnapshot(snapshot: Snapshot, concurrency = 4): Promise<void> {
  const entries = Object.values(snapshot.metadata.operators).flatMap((op) => op.files);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const discard = new Writable({ write: (_chunk, _enc, callback) => callback() });
      await pipeline(await openStateFile(snapshot, entries[next++]!), discard);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), entries.length) }, worker));
}
