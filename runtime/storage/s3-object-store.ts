// The S3 backend (AWS SDK v3). Large objects are uploaded in parts by @aws-sdk/lib-storage's
// Upload (one PutObject below the part size, a multipart upload above it, aborted on failure so
// no orphan parts stay billed); failed requests are retried by the client's retry strategy.
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, paginateListObjectsV2, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { StorageError } from './errors.ts';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.ts';
import { requireDirPrefix } from './object-store.ts';

// errors without an HTTP response that mean the server was not reached in time
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'TimeoutError', 'RequestTimeout']);
// the SDK may wrap a socket error into a plain Error that keeps only its message
const NETWORK_MESSAGE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)\b/;

export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024; // S3's minimum for all parts but the last

export interface S3ObjectStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** '' or ending in '/' */
  readonly prefix: string;
  /** size of multipart parts; also the threshold above which an upload goes multipart */
  readonly partSizeBytes?: number;
  /** parts uploaded in parallel per object */
  readonly uploadConcurrency?: number;
}

export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly concurrency: number;

  constructor(options: S3ObjectStoreOptions) {
    requireDirPrefix(options.prefix);
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.partSize = Math.max(MIN_PART_SIZE_BYTES, options.partSizeBytes ?? 8 * 1024 * 1024);
    this.concurrency = options.uploadConcurrency ?? 4;
    this.description = `s3://${this.bucket}/${this.prefix}`;
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    const Body = body instanceof Uint8Array || body instanceof Readable ? body : Readable.from(body);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.prefix + key, Body },
      partSize: this.partSize,
      queueSize: this.concurrency,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (cause) {
      throw this.ioError('write', key, cause);
    }
  }

  async create(key: string, bytes: Uint8Array): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: bytes, IfNoneMatch: '*' }));
      return true;
    } catch (cause) {
      // 412: an object has the key; 409: a concurrent conditional write of it is in flight
      const status = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) return false;
      throw this.ioError('write', key, cause);
    }
  }

  async get(key: string): Promise<Buffer> {
    const body = await this.open(key);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of body) chunks.push(chunk as Buffer);
    } catch (cause) {
      throw this.ioError('read', key, cause);
    }
    return Buffer.concat(chunks);
  }

  async open(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      if (!(out.Body instanceof Readable)) throw new Error('the response has no readable body');
      return out.Body;
    } catch (cause) {
      const e = cause as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) {
        throw new StorageError('MR_ERR_STORAGE_NOT_FOUND', `${this.description}${key} does not exist`, { file: `${this.description}${key}`, cause });
      }
      throw this.ioError('read', key, cause);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    requireDirPrefix(prefix);
    const out: ObjectInfo[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: this.prefix + prefix })) {
        for (const o of page.Contents ?? []) {
          // zero-byte "folder" markers (as consoles and the workspace setup create) are not objects
          if (!o.Key || o.Key.endsWith('/')) continue;
          out.push({ key: o.Key.slice(this.prefix.length), size: o.Size ?? 0, lastModified: o.LastModified?.getTime() });
        }
      }
    } catch (cause) {
      throw this.ioError('list', prefix, cause);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async listDirs(prefix: string): Promise<string[]> {
    requireDirPrefix(prefix);
    const full = this.prefix + prefix;
    const names: string[] = [];
    try {
      let ContinuationToken: string | undefined;
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, Delimiter: '/', ContinuationToken }));
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) names.push(p.Prefix.slice(full.length, -1));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    } catch (cause) {
      throw this.ioError('list', prefix, cause);
    }
    return names.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (cause) {
      throw this.ioError('delete', key, cause);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    requireDirPrefix(prefix);
    if (prefix === '') throw new StorageError('MR_ERR_STORAGE_LAYOUT', `refusing to delete everything under ${this.description}; give a sub-prefix`);
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: this.prefix + prefix })) {
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      }
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        const out = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
        const failed = out.Errors ?? [];
        if (failed.length > 0) {
          throw new Error(`${failed.length} objects not deleted, first ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`);
        }
      }
    } catch (cause) {
      throw this.ioError('delete', prefix, cause);
    }
    return keys.filter((k) => !k.endsWith('/')).length;
  }

  close(): void {
    this.client.destroy();
  }

  private ioError(action: string, key: string, cause: unknown): StorageError {
    const e = cause as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    const network = status === undefined && (NETWORK_ERRORS.has(e.code ?? '') || NETWORK_ERRORS.has(e.name ?? '') || NETWORK_MESSAGE.test(e.message ?? ''));
    const hint = status === 403 ? '; access denied: check the S3 credentials and the bucket policy'
      : status === 404 || e.name === 'NoSuchBucket' ? `; bucket ${this.bucket} does not exist: create it or fix the storage URI`
        : status !== undefined || network ? '; check the S3 endpoint and that the server is reachable'
          : '';
    return new StorageError('MR_ERR_STORAGE_IO', `cannot ${action} ${this.description}${key}: ${e.name ?? 'Error'}: ${e.message ?? String(cause)}${hint}`, { file: `${this.description}${key}`, cause });
  }
}
