import { CreateBucketCommand, DeleteObjectsCommand, HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3Connection } from './plan.ts';

// A client for the test S3 server: path-style addressing (no per-bucket DNS names on a local
// server), SigV4 as always with SDK v3.
export function s3Client(connection: S3Connection): S3Client {
  return new S3Client({
    endpoint: connection.endpoint,
    region: connection.region,
    forcePathStyle: true,
    credentials: { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey },
  });
}

export async function ensureBucket(connection: S3Connection): Promise<void> {
  const client = s3Client(connection);
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: connection.bucket }));
      return;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw error;
    }
    try {
      await client.send(new CreateBucketCommand({ Bucket: connection.bucket }));
    } catch (error) {
      if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
  } finally {
    client.destroy();
  }
}

/** Deletes every object under `prefix` (a test's own corner of the shared bucket), page by page. */
export async function deletePrefix(connection: S3Connection, prefix: string): Promise<void> {
  const client = s3Client(connection);
  try {
    for (;;) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: connection.bucket, Prefix: prefix }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key ?? '' }));
      if (keys.length === 0) return;
      await client.send(new DeleteObjectsCommand({ Bucket: connection.bucket, Delete: { Objects: keys } }));
    }
  } finally {
    client.destroy();
  }
}
