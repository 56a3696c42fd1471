// The test MinIO (test/cluster/s3) as the environment the filesystem connector reads its S3
// settings from, the same variables a pod or `millrace run` gets.
import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { s3Client } from '../../cluster/s3/bucket.ts';
import type { S3Connection } from '../../cluster/s3/environment.ts';

export function s3Env(c: S3Connection): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: c.endpoint, AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_REGION: c.region, MILLRACE_S3_PATH_STYLE: 'true',
  };
}

/** Every key under `prefix` (relative to it), sorted. */
export async function listKeys(c: S3Connection, prefix: string): Promise<string[]> {
  const client = s3Client(c);
  try {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client }, { Bucket: c.bucket, Prefix: prefix })) for (const o of page.Contents ?? []) keys.push(o.Key!.slice(prefix.length));
    return keys.sort();
  } finally {
    client.destroy();
  }
}

