// The checkpoint storage contract against the real S3 server (MinIO, test/cluster/s3), plus what
// only S3 shows: multipart uploads of large state, credentials from mounted Secret files, refused
// credentials, and the SDK's retries of a failing request.
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { s3Client } from '../../cluster/s3/bucket.ts';
import { useS3 } from '../../cluster/s3/environment.ts';
import type { S3Connection } from '../../cluster/s3/environment.ts';
import { CheckpointStore } from '../../../runtime/storage/checkpoint-store.ts';
import type { ObjectStore } from '../../../runtime/storage/object-store.ts';
import { openObjectStore } from '../../../runtime/storage/open-object-store.ts';
import type { OpenObjectStoreOptions } from '../../../runtime/storage/open-object-store.ts';
import { readStateFile } from '../../../runtime/storage/snapshot-reader.ts';
import { describeCheckpointStorage } from './checkpoint-storage-contract.ts';

let s3: S3Connection;
let raw: S3Client;
const runPrefix = `test/runtime-storage/${randomUUID()}/`;

beforeAll(async () => {
  s3 = await useS3();
  raw = s3Client(s3);
}, 600_000); // builds MinIO first when the cache lacks it (CI runs npm run s3:build before)

afterAll(async () => {
  if (!raw) return;
  const cleanup = openObjectStore(`s3://${s3.bucket}/`, optionsFor(s3));
  await cleanup.deletePrefix(runPrefix);
  cleanup.close();
  raw.destroy();
});

function optionsFor(c: S3Connection, overrides: OpenObjectStoreOptions['s3'] = {}): OpenObjectStoreOptions {
  return { env: {}, s3: { endpoint: c.endpoint, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, ...overrides } };
}

describeCheckpointStorage('the S3 server', async () => {
  const base = `s3://${s3.bucket}/${runPrefix}${randomUUID()}/`;
  return { store: openObjectStore(base, optionsFor(s3)), uriOf: (key) => `${base}${key}`, openOptions: optionsFor(s3) };
}, async (b) => {
  await b.store.deletePrefix('flink-jobs/').catch(() => undefined);
  b.store.close();
});

describe('S3 specifics', () => {
  let store: ObjectStore | undefined;
  afterEach(() => store?.close());

  test('large state goes up as a multipart upload and reads back verified', async () => {
    const prefix = `${runPrefix}multipart/`;
    store = openObjectStore(`s3://${s3.bucket}/${prefix}`, optionsFor(s3, { partSizeBytes: 5 * 1024 * 1024 }));
    const checkpoints = new CheckpointStore({ store, job: { namespace: 'ns', deployment: 'big', jobId: 'j1' } });
    const chunk = randomBytes(1024 * 1024);
    const chunks = Array.from({ length: 12 }, (_, i) => Buffer.concat([chunk.subarray(i), chunk.subarray(0, i)])); // 12 MiB, not repeating
    const handle = await checkpoints.writer(1).writeStateFile(
      { operatorUid: 'agg', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } },
      Readable.from(chunks),
    );
    expect(handle.size).toBe(12 * 1024 * 1024);
    await checkpoints.complete(1, [handle]);

    const head = await raw.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${prefix}flink-jobs/ns/big/j1/chk-1/${handle.file}` }));
    expect(head.ETag).toMatch(/-3"$/); // an S3 multipart ETag ends in -<parts>: 5 + 5 + 2 MiB
    const read = await checkpoints.read(1);
    expect((await readStateFile(read, read.metadata.operators.agg!.files[0]!)).equals(Buffer.concat(chunks))).toBe(true);
  }, 120_000);

  test('a large upload that fails half-way is aborted: no object, no multipart upload left behind', async () => {
    const prefix = `${runPrefix}multipart-abort/`;
    store = openObjectStore(`s3://${s3.bucket}/${prefix}`, optionsFor(s3, { partSizeBytes: 5 * 1024 * 1024 }));
    async function* failsAfter11MiB(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 11; i++) yield randomBytes(1024 * 1024);
      throw new Error('the TaskManager was killed');
    }
    await expect(store.put('chk-1/big.state', failsAfter11MiB())).rejects.toMatchObject({ code: 'MR_ERR_STORAGE_IO', message: expect.stringContaining('the TaskManager was killed') });
    expect(await store.list('')).toEqual([]);
    // MinIO lists the multipart uploads of one exact key only
    const uploads = await raw.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: `${prefix}chk-1/big.state` }));
    expect(uploads.Uploads ?? []).toEqual([]);
  }, 120_000);

  test('credentials come from a mounted Secret directory (MILLRACE_S3_CREDENTIALS_DIR)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'millrace-s3-secret-'));
    try {
      await writeFile(path.join(dir, 'AWS_ACCESS_KEY_ID'), `${s3.accessKeyId}\n`, { mode: 0o600 });
      await writeFile(path.join(dir, 'AWS_SECRET_ACCESS_KEY'), `${s3.secretAccessKey}\n`, { mode: 0o600 });
      store = openObjectStore(`s3://${s3.bucket}/${runPrefix}secret-files/`, {
        env: { MILLRACE_S3_ENDPOINT: s3.endpoint, AWS_REGION: s3.region, MILLRACE_S3_CREDENTIALS_DIR: dir },
      });
      await store.put('probe', Buffer.from('ok'));
      expect((await store.get('probe')).toString()).toBe('ok');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refused credentials are MR_ERR_STORAGE_IO saying access was denied, without the secret', async () => {
    const wrong = `${s3.secretAccessKey}-wrong`;
    store = openObjectStore(`s3://${s3.bucket}/${runPrefix}denied/`, optionsFor({ ...s3, secretAccessKey: wrong }, { maxAttempts: 1 }));
    const error = await store.put('x', Buffer.from('no')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MR_ERR_STORAGE_IO', message: expect.stringContaining('access denied') });
    expect((error as Error).message).not.toContain(wrong);
  });

  test('an unreachable S3 endpoint is MR_ERR_STORAGE_IO pointing at the endpoint', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    store = openObjectStore(`s3://${s3.bucket}/${runPrefix}unreachable/`, optionsFor({ ...s3, endpoint: `http://127.0.0.1:${port}` }, { maxAttempts: 1 }));
    await expect(store.list('')).rejects.toMatchObject({ code: 'MR_ERR_STORAGE_IO', message: expect.stringContaining('check the S3 endpoint and that the server is reachable') });
  });

  test('a request the server fails with 503 is retried by the SDK up to maxAttempts', async () => {
    // a loopback proxy in front of the S3 server that answers the first requests with 503 SlowDown
    let failuresLeft = 0;
    let requests = 0;
    const target = new URL(s3.endpoint);
    const proxy = http.createServer((req, res) => {
      requests++;
      if (failuresLeft > 0) {
        failuresLeft--;
        req.resume();
        res.writeHead(503, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
        return;
      }
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      store = openObjectStore(`s3://${s3.bucket}/${runPrefix}retries/`, optionsFor({ ...s3, endpoint }, { maxAttempts: 3 }));
      failuresLeft = 2;
      await store.put('k', Buffer.from('after two 503s'));
      expect(requests).toBe(3);
      expect((await store.get('k')).toString()).toBe('after two 503s');
      store.close();

      store = openObjectStore(`s3://${s3.bucket}/${runPrefix}retries/`, optionsFor({ ...s3, endpoint }, { maxAttempts: 2 }));
      failuresLeft = 5;
      requests = 0;
      await expect(store.get('k')).rejects.toMatchObject({ code: 'MR_ERR_STORAGE_IO' });
      expect(requests).toBe(2);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  }, 60_000);
});
