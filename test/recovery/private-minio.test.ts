// The private S3 server of the outage test: it can be stopped and started again on the same port
// with its data, and stopping it leaves the shared server (npm run s3:up) running.

import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../cluster/s3/bucket.ts';
import { isReady } from '../cluster/s3/server.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import { PrivateMinio } from './support/private-minio.ts';

jest.setTimeout(120_000);

describe('a private MinIO server for outage tests', () => {
  let dir: string;
  let server: PrivateMinio | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'private-minio-'));
  });
  afterAll(async () => {
    await server?.pause();
    rmSync(dir, { recursive: true, force: true });
  });

  test('stops and starts again with its data, while the shared server keeps running', async () => {
    const shared = await useS3();
    server = await PrivateMinio.start(dir);
    expect(server.connection.endpoint).not.toBe(shared.endpoint);
    const client = s3Client(server.connection);
    try {
      await client.send(new PutObjectCommand({ Bucket: server.connection.bucket, Key: 'k', Body: 'kept' }));
      await server.pause();
      expect(await isReady(server.port)).toBe(false);
      await expect(client.send(new GetObjectCommand({ Bucket: server.connection.bucket, Key: 'k' }))).rejects.toThrow();
      expect(await isReady(Number(new URL(shared.endpoint).port))).toBe(true);
      await server.resume();
      const body = await (await client.send(new GetObjectCommand({ Bucket: server.connection.bucket, Key: 'k' }))).Body!.transformToString();
      expect(body).toBe('kept');
    } finally {
      client.destroy();
    }
  });
});
