// The workspace storage check against a real S3 server (local MinIO from test/cluster/s3).
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import { BUCKET_PREFIXES, s3WorkspaceStorage } from '../../operator/storage/workspace-storage.ts';

let s3: S3Connection;
beforeAll(async () => { s3 = await useS3(); }, 600_000);

const target = (over: Partial<{ bucket: string; secretAccessKey: string; prefix: string }> = {}) => ({
  bucket: over.bucket ?? s3.bucket, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, prefix: over.prefix ?? 'ws-test/',
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: over.secretAccessKey ?? s3.secretAccessKey },
});

describe('workspace storage on a real S3 server', () => {
  test('creates every prefix of the bucket layout', async () => {
    const keys = await s3WorkspaceStorage().prepare(target());
    expect(keys).toEqual(BUCKET_PREFIXES.map((p) => `ws-test/${p}`));
    const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    for (const Key of keys) {
      const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }));
      expect(res.ContentLength).toBe(0);
    }
    client.destroy();
  });
  test('a missing bucket is reported with the field to fix', async () => {
    await expect(s3WorkspaceStorage().prepare(target({ bucket: 'no-such-bucket-millrace' }))).rejects.toMatchObject({ code: 'MR_ERR_STORAGE', message: expect.stringMatching(/bucket no-such-bucket-millrace does not exist.*spec\.storage\.bucket/) });
  });
  test('wrong credentials are reported as such', async () => {
    await expect(s3WorkspaceStorage().prepare(target({ secretAccessKey: 'wrong-secret-key-123' }))).rejects.toMatchObject({ code: 'MR_ERR_STORAGE', message: expect.stringMatching(/denied.*secretRef/) });
  });
});
