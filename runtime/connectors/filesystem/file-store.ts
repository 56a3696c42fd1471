// Where the filesystem connector's files live: a local directory or an S3 prefix (MinIO, AWS),
// through the runtime's object-store layer (runtime/storage), so `s3://` paths use the same S3
// settings and credentials as checkpoints: the workspace endpoint and the namespace's mounted
// credentials in a pod, MILLRACE_S3_* / AWS_* locally. Besides whole-object put/get/list/delete
// the sink needs one more step, `promote`: make a hidden object visible under its final name
// (a rename on disk; a server-side copy and a delete on S3, which has no rename). Promote is
// idempotent, so a restore may repeat a commit that had already happened.

import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { checkFilePath } from '../file-roots.ts';
import { createS3Client } from '../../storage/open-object-store.ts';
import { LocalObjectStore } from '../../storage/local-object-store.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { S3ObjectStore } from '../../storage/s3-object-store.ts';
import { resolveS3Settings } from '../../storage/s3-settings.ts';
import { parseStorageUri } from '../../storage/storage-uri.ts';

export interface FileStore {
  /** `s3://bucket/prefix/` or the directory, for messages */
  readonly description: string;
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** Every object under the root (recursively), keys relative to it, sorted. */
  list(): Promise<string[]>;
  exists(key: string): Promise<boolean>;
  /** Moves `from` to `to`; nothing to do when `from` is gone and `to` exists (already promoted). */
  promote(from: string, to: string): Promise<void>;
  delete(key: string): Promise<void>;
  close(): void;
}

/** True when the connector path names an object store rather than a local directory. */
export const isObjectStorePath = (p: string): boolean => /^s3a?:\/\//i.test(p.trim());

class ObjectFileStore implements FileStore {
  readonly description: string;
  private readonly store: ObjectStore;
  private readonly move: (from: string, to: string) => Promise<void>;
  /** the one file this store lists, when the connector's path names a file */
  private readonly only: string | undefined;

  constructor(store: ObjectStore, move: (from: string, to: string) => Promise<void>, only?: string) {
    this.store = store;
    this.description = only === undefined ? store.description : `${store.description}${only}`;
    this.move = move;
    this.only = only;
  }

  put(key: string, data: Uint8Array): Promise<void> {
    return this.store.put(key, data);
  }

  async get(key: string): Promise<Uint8Array> {
    return this.store.get(key);
  }

  async list(): Promise<string[]> {
    const keys = (await this.store.list('')).map((o) => o.key);
    return this.only === undefined ? keys : keys.filter((k) => k === this.only);
  }

  async exists(key: string): Promise<boolean> {
    const dir = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    return (await this.store.list(dir)).some((o) => o.key === key);
  }

  async promote(from: string, to: string): Promise<void> {
    if (!(await this.exists(from))) {
      if (await this.exists(to)) return;
      throw new Error(`cannot commit ${this.description}${to}: neither it nor its pending file ${from} exists (was the output directory changed by hand?)`);
    }
    await this.move(from, to);
  }

  delete(key: string): Promise<void> {
    return this.store.delete(key);
  }

  close(): void {
    this.store.close();
  }
}

/**
 * Opens a source's `path`: as openFileStore, except that a local path naming one file reads that
 * file alone (as Flink's filesystem source does), through a store rooted at its directory.
 */
export function openSourceFileStore(location: string, env: Record<string, string | undefined> = process.env): FileStore {
  const loc = parseStorageUri(location);
  if (loc.kind !== 'local' || !statSync(loc.directory, { throwIfNoEntry: false })?.isFile()) return openFileStore(location, env);
  const file = checkFilePath(loc.directory, 'path');
  return localFileStore(path.dirname(file), path.basename(file));
}

/** Opens the connector's `path` (s3://bucket/prefix, file:///dir or a directory). */
export function openFileStore(location: string, env: Record<string, string | undefined> = process.env): FileStore {
  const loc = parseStorageUri(location);
  if (loc.kind === 'local') return localFileStore(checkFilePath(loc.directory, 'path'));
  const settings = resolveS3Settings(env);
  const client: S3Client = createS3Client(settings);
  const store = new S3ObjectStore({ client, bucket: loc.bucket, prefix: loc.prefix, partSizeBytes: settings.partSizeBytes });
  return new ObjectFileStore(store, async (from, to) => {
    // a server-side copy (up to 5 GB, far above the rolling size) and then the delete
    await client.send(new CopyObjectCommand({ Bucket: loc.bucket, Key: loc.prefix + to, CopySource: `${loc.bucket}/${encodeURIComponent(loc.prefix + from).replace(/%2F/g, '/')}` }));
    await store.delete(from);
  });
}

function localFileStore(dir: string, only?: string): FileStore {
  return new ObjectFileStore(new LocalObjectStore({ directory: dir }), async (from, to) => {
    await mkdir(path.dirname(path.join(dir, to)), { recursive: true });
    await rename(path.join(dir, from), path.join(dir, to));
  }, only);
}
