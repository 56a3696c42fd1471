// The filesystem connector on a real S3 server (the project's MinIO): Nexmark q10 into
// s3://bucket/prefix with partition directories and success files, and the sink's two-phase
// commit seen from S3 itself: nothing visible before the checkpoint completes, parquet files
// readable after it, the connector's source reading them back.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { SinkContext } from '../../../runtime/api/functions.ts';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { fileSink } from '../../../runtime/connectors/file-sink.ts';
import { fileSource } from '../../../runtime/connectors/file-source.ts';
import { createConnectorRegistry, SecretResolver, type ChangelogRow, type TableDescriptor } from '../../../runtime/connectors/factory/index.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { T } from '../../../runtime/sql/types/data-type.ts';
import { s3Client } from '../../cluster/s3/bucket.ts';
import { useS3, type S3Connection } from '../../cluster/s3/environment.ts';
import { expectedQ10, q10Script } from './nexmark-q10.ts';
import { listKeys, s3Env } from './s3-env.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
let s3: S3Connection;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  s3 = await useS3();
  for (const [k, v] of Object.entries(s3Env(s3))) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
}, 180_000);

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const run = `fs-${Date.now().toString(36)}`;

async function text(key: string): Promise<string> {
  const client = s3Client(s3);
  try {
    return await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToString();
  } finally {
    client.destroy();
  }
}

test('Nexmark q10 into s3://: every bid once in its dt=/hm= partition, each partition with _SUCCESS, no hidden objects left', async () => {
  const prefix = `${run}/q10/`;
  await runSqlFile(q10Script(`s3://${s3.bucket}/${prefix}`), { parallelism: 2 });
  const keys = await listKeys(s3, prefix);
  const want = expectedQ10();
  expect(keys.filter((k) => k.split('/').some((s) => s.startsWith('.')))).toEqual([]);
  const got = new Map<string, string[]>();
  for (const k of keys.filter((key) => /\/part-[^/]+\.csv$/.test(key))) {
    const dir = k.slice(0, k.lastIndexOf('/'));
    got.set(dir, [...(got.get(dir) ?? []), ...(await text(prefix + k)).split('\n').filter((l) => l !== '')]);
  }
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [dir, lines] of want) {
    expect(got.get(dir)!.sort()).toEqual([...lines].sort());
    expect(keys).toContain(`${dir}/_SUCCESS`);
  }
}, 120_000);

test('parquet on S3: pending files are hidden until the checkpoint completes, then the source reads every row back', async () => {
  const prefix = `${run}/pq/`;
  const table: TableDescriptor = {
    name: 'events', partitionKeys: ['kind'],
    columns: [{ name: 'id', type: T.bigint() }, { name: 'amount', type: T.decimal(10, 2) }, { name: 'at', type: T.timestamp(3) }, { name: 'kind', type: T.string() }],
    options: { connector: 'filesystem', path: `s3://${s3.bucket}/${prefix}`, format: 'parquet' },
  };
  const rows: ChangelogRow[] = Array.from({ length: 300 }, (_, i) => ({ kind: '+I', values: [i, `${i}.${String(i % 100).padStart(2, '0')}`, Date.UTC(2024, 4, 1) + i * 1000, i % 3 === 0 ? 'a' : 'b'] }));
  const ctx: SinkContext = { subtaskIndex: 0, parallelism: 1, attempt: 0, jobId: 'pq-job', startTime: 0, restoring: false, recordLatency: () => {} };
  const w = registry.createSink(table).createSink().createWriter();
  await w.open!(ctx);
  rows.slice(0, 200).forEach((r) => w.write(r, undefined));
  w.snapshotState!(1);
  await w.flushPending!(1);
  const pending = await listKeys(s3, prefix);
  expect(pending.length).toBe(2);
  expect(pending.every((k) => /^kind=[ab]\/\.part-pqjob-0-a0-\d+\.inprogress$/.test(k))).toBe(true);
  w.notifyCheckpointComplete!(1);
  rows.slice(200).forEach((r) => w.write(r, undefined));
  await w.finish!();
  await w.close!();
  const done = await listKeys(s3, prefix);
  expect(done).toHaveLength(4);
  for (const kind of ['a', 'b']) for (const when of ['c1', 'end']) expect(done.filter((k) => new RegExp(`^kind=${kind}/part-pqjob-0-${when}-\\d\\.parquet$`).test(k))).toHaveLength(1);
  const out: ChangelogRow[] = [];
  await executeLocally(defineJob({ name: 'read', build: (env) => env.fromSource(registry.createSource(table).createSource()).sinkTo(collectSink(out)) }), { parallelism: 2 }).done;
  expect(out.map((r) => r.values).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(rows.map((r) => r.values));
}, 120_000);

test('the DataStream file sink and source take s3:// paths: JSON lines written exactly-once and read back', async () => {
  const path = `s3://${s3.bucket}/${run}/ds/`;
  const events = Array.from({ length: 500 }, (_, i) => ({ id: i, tag: `t${i % 5}` }));
  await executeLocally(defineJob({ name: 'write', build: (env) => env.fromElements(events).sinkTo(fileSink({ path, format: 'jsonl' })) }), { parallelism: 2 }).done;
  const keys = await listKeys(s3, `${run}/ds/`);
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.every((k) => /^part-[A-Za-z0-9]+-[01]-(c\d+|end)-\d+\.jsonl$/.test(k))).toBe(true);
  const back: Array<{ id: number; tag: string }> = [];
  await executeLocally(defineJob({ name: 'read', build: (env) => env.fromSource(fileSource<{ id: number; tag: string }>({ path, format: 'jsonl' })).sinkTo(collectSink(back)) }), { parallelism: 2 }).done;
  expect(back.sort((a, b) => a.id - b.id)).toEqual(events);
  expect(() => fileSink({ path, format: 'csv' })).toThrow(/CSV files on S3 have no header line; set csvHeader: false/);
}, 120_000);
