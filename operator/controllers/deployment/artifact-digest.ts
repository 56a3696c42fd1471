// The sha256 of an object in a workspace bucket, read with the workspace's credentials: HEAD
// for its ETag, then (unless this ETag was hashed before) a streamed GET through sha256. The
// operator never keeps the bytes; the pods download them themselves with their namespace's
// credentials and verify this digest.
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { MAX_ARTIFACT_BYTES } from '../../../runtime/artifacts/job-loader.ts';
import { createS3Client } from '../../../runtime/storage/open-object-store.ts';
import { resolveS3Settings } from '../../../runtime/storage/s3-settings.ts';
import { MillraceError } from '../../errors.ts';
import type { StorageTarget } from '../../storage/workspace-storage.ts';

/** `tooLarge`: bigger than the runtime loads (the object is not read, sha256 is empty). */
export interface ObjectDigest { sha256: string; size: number; tooLarge?: boolean }

export interface ArtifactDigests {
  /** The object's digest, undefined when it does not exist; MR_ERR_STORAGE (transient) when the bucket cannot be read. */
  digest(target: Omit<StorageTarget, 'prefix'>, key: string): Promise<ObjectDigest | undefined>;
}

export const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

/** An S3 client for the workspace bucket, with the operator's short timeouts (also sql-module-step.ts). */
export const workspaceS3Client = (t: Omit<StorageTarget, 'prefix'>, requestTimeoutMs: number) =>
  createS3Client(resolveS3Settings({}, { region: t.region, forcePathStyle: t.forcePathStyle, maxAttempts: 2, requestTimeoutMs, ...(t.endpoint ? { endpoint: t.endpoint } : {}) }), t.credentials);

export function s3ArtifactDigests(requestTimeoutMs = 15_000, cacheSize = 512): ArtifactDigests {
  // ETag (with size) → digest: an unchanged object is hashed once per operator process
  const byEtag = new Map<string, ObjectDigest>();
  return {
    async digest(t, key) {
      const client = workspaceS3Client(t, requestTimeoutMs);
      try {
        let head;
        try {
          head = await client.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key }));
        } catch (err) {
          if (notFound(err)) return undefined;
          throw err;
        }
        // never hashed: the pods would refuse to download it anyway
        if ((head.ContentLength ?? 0) > MAX_ARTIFACT_BYTES) return { sha256: '', size: head.ContentLength ?? 0, tooLarge: true };
        const cacheKey = `${t.endpoint ?? ''}|${t.bucket}|${key}|${head.ETag ?? ''}|${head.ContentLength ?? ''}`;
        const cached = head.ETag ? byEtag.get(cacheKey) : undefined;
        if (cached) return cached;
        let got;
        try {
          got = await client.send(new GetObjectCommand({ Bucket: t.bucket, Key: key, ...(head.ETag ? { IfMatch: head.ETag } : {}) }));
        } catch (err) {
          if (notFound(err)) return undefined;
          throw err;
        }
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of got.Body as Readable) {
          hash.update(chunk as Uint8Array);
          size += (chunk as Uint8Array).byteLength;
        }
        const result = { sha256: hash.digest('hex'), size };
        if (head.ETag) {
          if (byEtag.size >= cacheSize) byEtag.delete(byEtag.keys().next().value as string);
          byEtag.set(cacheKey, result);
        }
        return result;
      } catch (err) {
        throw new MillraceError('MR_ERR_STORAGE', `reading artifact s3://${t.bucket}/${key}: ${(err as Error).message}`, { transient: true, cause: err });
      } finally {
        client.destroy();
      }
    },
  };
}
