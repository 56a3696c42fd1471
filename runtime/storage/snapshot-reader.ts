// Reads a snapshot directory back: `_metadata` first, then state files, each checked against the
// size and sha256 recorded for it. A missing file is MR_ERR_CHECKPOINT_MISSING, a changed or
// unparsable one MR_ERR_CHECKPOINT_CORRUPT, both naming the file so the caller can report it and
// fall back to the previous checkpoint.
import { ChecksumStream } from './checksum.ts';
import { StorageError } from './errors.ts';
import { fileInDir, METADATA_FILE } from './layout.ts';
import type { ObjectStore } from './object-store.ts';
import type { SnapshotMetadata, StateFileEntry } from './snapshot-metadata.ts';
import { decodeMetadata } from './snapshot-metadata.ts';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';

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

/** Streams a state file, checks size and sha256, and returns its bytes. */
export async function readStateFile(snapshot: Snapshot, entry: StateFileEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await checkStateFile(snapshot, entry, (chunk) => chunks.push(chunk));
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
    while (next < entries.length) await checkStateFile(snapshot, entries[next++]!, () => undefined);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), entries.length) }, worker));
}

async function checkStateFile(snapshot: Snapshot, entry: StateFileEntry, onChunk: (chunk: Buffer) => void): Promise<void> {
  const { store } = snapshot;
  const key = fileInDir(snapshot.dir, entry.file);
  const hashing = new ChecksumStream();
  try {
    const sink = new Writable({
      write(chunk: Buffer, _enc, callback) {
        onChunk(chunk);
        callback();
      },
    });
    await pipeline(await store.open(key), hashing, sink);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'MR_ERR_STORAGE_NOT_FOUND') throw missing(store, key, 'state file', error);
    if (error instanceof StorageError) throw error;
    // an interrupted read says nothing about the file: report it as I/O, not as corruption
    throw new StorageError('MR_ERR_STORAGE_IO', `state file ${store.description}${key} could not be read to the end (${(error as Error).message}); retry`, { file: `${store.description}${key}`, cause: error });
  }
  if (hashing.byteCount !== entry.size) {
    throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `state file ${store.description}${key} has ${hashing.byteCount} bytes, _metadata records ${entry.size}; fall back to an older snapshot`, { file: `${store.description}${key}` });
  }
  const digest = hashing.digest();
  if (digest !== entry.sha256) {
    throw new StorageError('MR_ERR_CHECKPOINT_CORRUPT', `state file ${store.description}${key} has sha256 ${digest}, _metadata records ${entry.sha256}; fall back to an older snapshot`, { file: `${store.description}${key}` });
  }
}
