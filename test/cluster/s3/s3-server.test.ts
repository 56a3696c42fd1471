// The local S3 server speaks S3: objects written, read, listed and deleted through the AWS SDK
// v3 (SigV4, path-style), and requests signed with a wrong secret are refused.
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { s3Client } from './bucket.ts';
import { useS3 } from './environment.ts';
import type { S3Connection } from './environment.ts';

describe('the S3 server for tests', () => {
  let s3: S3Connection;
  let client: S3Client;
  const prefix = `test/s3-server/${randomUUID()}/`;

  beforeAll(async () => {
    s3 = await useS3();
    client = s3Client(s3);
  }, 600_000); // builds MinIO first if the cache lacks it (CI runs npm run s3:build before)
  afterAll(() => client?.destroy());

  test('stores, lists, reads back and deletes objects', async () => {
    const body = JSON.stringify({ checkpoint: 17, state: 'x'.repeat(100_000) });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}chk-17/_metadata`, Body: body, ContentType: 'application/json' }));
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}chk-18/_metadata`, Body: 'second' }));

    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([
      [`${prefix}chk-17/_metadata`, Buffer.byteLength(body)],
      [`${prefix}chk-18/_metadata`, 6],
    ]);
    const folders = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, Delimiter: '/' }));
    expect(folders.CommonPrefixes?.map((p) => p.Prefix)).toEqual([`${prefix}chk-17/`, `${prefix}chk-18/`]);

    const read = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}chk-17/_metadata` }));
    expect(read.ContentType).toBe('application/json');
    expect(await read.Body?.transformToString()).toBe(body);

    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `${prefix}chk-17/_metadata` }));
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `${prefix}chk-18/_metadata` }));
    const after = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    expect(after.KeyCount).toBe(0);
    await expect(client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}chk-17/_metadata` }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  test('refuses requests signed with the wrong secret', async () => {
    const impostor = s3Client({ ...s3, secretAccessKey: `${s3.secretAccessKey}x` });
    try {
      await expect(impostor.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}forged`, Body: 'no' }))).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
      });
    } finally {
      impostor.destroy();
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}forged` }));
    expect(listed.KeyCount).toBe(0);
  });
});
