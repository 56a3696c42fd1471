// Checks a workspace bucket with its credentials and creates the layout prefixes of the
// design (zero-byte "folder" markers, as S3 consoles do).
import { HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MillraceError } from '../errors.ts';

export const BUCKET_PREFIXES = ['artifacts/', 'sql-artifacts/', 'flink-jobs/', 'flink-savepoints/', 'flink-sessionclusters/', 'plan/', 'logs/'] as const;

export interface StorageTarget {
  bucket: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  prefix: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface WorkspaceStorage {
  /** Resolves with the prefixes created (or found); throws MR_ERR_STORAGE with the cause. */
  prepare(target: StorageTarget): Promise<string[]>;
}

export function s3WorkspaceStorage(timeoutMs = 10_000): WorkspaceStorage {
  return {
    async prepare(t) {
      const client = new S3Client({ region: t.region, endpoint: t.endpoint, forcePathStyle: t.forcePathStyle, credentials: t.credentials, maxAttempts: 2 });
      try {
        await client.send(new HeadBucketCommand({ Bucket: t.bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
        const keys = BUCKET_PREFIXES.map((p) => `${t.prefix}${p}`);
        for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: new Uint8Array(0), ContentLength: 0 }), { abortSignal: AbortSignal.timeout(timeoutMs) });
        return keys;
      } catch (err) {
        const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        const status = e.$metadata?.httpStatusCode;
        const hint = status === 404 || e.name === 'NotFound' ? `bucket ${t.bucket} does not exist; create it or fix spec.storage.bucket`
          : status === 403 ? `access to bucket ${t.bucket} denied; check the credentials in spec.storage.secretRef`
            : `${e.name ?? 'Error'}: ${e.message ?? String(err)}; check spec.storage.endpoint`;
        throw new MillraceError('MR_ERR_STORAGE', hint, { transient: false, cause: err });
      } finally {
        client.destroy();
      }
    },
  };
}
