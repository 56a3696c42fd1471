// The one interface both backends implement: a flat namespace of objects under a root (a bucket
// prefix or a local directory), keys separated by '/'. Everything above it (checkpoints,
// savepoints, metadata) is written once against this interface.
import type { Readable } from 'node:stream';
import { StorageError } from './errors.ts';

export interface ObjectInfo {
  /** relative to the store's root */
  readonly key: string;
  readonly size: number;
  /** when the store last wrote it (epoch ms): S3's LastModified, a file's mtime; never the writer's word */
  readonly lastModified?: number;
}

/** What can be stored: bytes in memory, or a stream (uploaded in parts when large). */
export type ObjectBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface ObjectStore {
  /** e.g. `s3://bucket/prefix/` or `/var/lib/millrace/checkpoints`, for messages */
  readonly description: string;
  /** Writes an object whole: readers see the old object or the complete new one, never a part. */
  put(key: string, body: ObjectBody): Promise<void>;
  /**
   * Writes a small object only if no object has its key, atomically against concurrent writers
   * (S3's conditional PUT, a hard link on disk); false when one exists already.
   */
  create(key: string, bytes: Uint8Array): Promise<boolean>;
  /** The object's bytes; StorageError MR_ERR_STORAGE_NOT_FOUND when it does not exist. */
  get(key: string): Promise<Buffer>;
  /** The object as a stream; StorageError MR_ERR_STORAGE_NOT_FOUND when it does not exist. */
  open(key: string): Promise<Readable>;
  /** All objects whose key starts with `prefix` (a '' or '/'-terminated directory), sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Names (without '/') of the immediate sub-directories of `prefix`, sorted. */
  listDirs(prefix: string): Promise<string[]>;
  /** Deletes one object; absent is fine. */
  delete(key: string): Promise<void>;
  /** Deletes every object under `prefix` ('/'-terminated); returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** Releases clients and sockets. */
  close(): void;
}

export function requireDirPrefix(prefix: string): void {
  if (prefix !== '' && !prefix.endsWith('/')) throw new StorageError('MR_ERR_STORAGE_LAYOUT', `prefix '${prefix}' must be '' or end with '/'`);
}
