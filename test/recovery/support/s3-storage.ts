// Checkpoint storage on a real S3 server for the recovery tests: a unique prefix per test (other
// helpers share the bucket), the environment the Millrace processes need to reach it, and
// removal of everything under the prefix afterwards.

import { randomBytes } from 'node:crypto';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Client } from '../../cluster/s3/bucket.ts';
import type { S3Connection } from '../../cluster/s3/plan.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** `s3://bucket/<prefix>`: the workspace root the runtime writes flink-jobs/ and flink-savepoints/ under. */
export function storageUri(connection: S3Connection, prefix: string): string {
  return `s3://${connection.bucket}/${prefix}`;
}

/** Settings of runtime/storage (s3-settings.ts) for this server; credentials by environment. */
export function s3ProcessEnv(connection: S3Connection): NodeJS.ProcessEnv {
  return {
    MILLRACE_S3_ENDPOINT: connection.endpoint,
    MILLRACE_S3_REGION: connection.region,
    MILLRACE_S3_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: connection.accessKeyId,
    AWS_SECRET_ACCESS_KEY: connection.secretAccessKey,
  };
}

/** Keys under `prefix` (all of them; the tests' prefixes hold a few hundred objects). */
export async function listKeys(connection: S3Connection, prefix: string): Promise<string[]> {
  const client = s3Client(connection);
  const keys: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: connection.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    client.destroy();
  }
  return keys;
}

/** Deletes everything under `prefix`; lists again afterwards, since a late writer may have added objects meanwhile. */
export async function deletePrefix(connection: S3Connection, prefix: string): Promise<void> {
  if (!prefix || prefix === '/') throw new Error('MR_ERR_DELETE_PREFIX: refusing to delete a whole bucket; pass a test prefix');
  const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const client = s3Client(connection);
  try {
    for (let round = 0; round < 3; round++) {
      const keys = await listKeys(connection, folder);
      if (keys.length === 0) return;
      for (let i = 0; i < keys.length; i += 1000) {
        await client.send(new DeleteObjectsCommand({ Bucket: connection.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    client.destroy();
  }
}
