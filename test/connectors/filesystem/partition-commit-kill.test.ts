// Issue 12, partition commit with a global committer, on a local cluster of real processes
// (`millrace jobmanager` + 2 `millrace taskmanager`, test/recovery's harness, checkpoints and
// output on MinIO): a parallelism-2 job writes events PARTITIONED BY (dt, hm) with partition-time
// commit (fixtures/events-to-partitions.ts) while a TaskManager is SIGKILLed. What a consumer of the
// output checks:
//   - a partition's _SUCCESS appears only when every writer subtask's files of it are visible: a
//     listing that shows _SUCCESS (S3 lists `_SUCCESS` before `part-*`) already shows every part
//     file the partition ends with, and _SUCCESS is not older than any of them;
//   - each _SUCCESS is written exactly once (the output bucket keeps versions: one version each,
//     across the kill and the restore);
//   - every id is in exactly one file, in its partition, and nothing hidden is left.
import { jest } from '@jest/globals';
import { CreateBucketCommand, ListObjectVersionsCommand, paginateListObjectsV2, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { createConnectorRegistry, type ChangelogRow } from '../../../runtime/connectors/factory/index.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { T } from '../../../runtime/sql/types/data-type.ts';
import { s3Client } from '../../cluster/s3/bucket.ts';
import { useS3, type S3Connection } from '../../cluster/s3/environment.ts';
import { JobApi } from '../../recovery/support/job-api.ts';
import { checkpointArgs } from '../../recovery/support/jobmanager-args.ts';
import { RecoveryCluster } from '../../recovery/support/recovery-cluster.ts';
import { testLog } from '../../recovery/support/test-log.ts';
import { partitionOf } from './fixtures/events-to-partitions.ts';
import { s3Env } from './s3-env.ts';

jest.setTimeout(300_000);
const JOB = fileURLToPath(new URL('./fixtures/events-to-partitions.ts', import.meta.url));
const ROWS = 11_999; // 20 minute partitions of about 600 events (id 12,000 would open a 21st with one event)
const RATE = 600; // ~20 s of input, so the kill hits a running job

interface Listed {
  readonly key: string;
  readonly lastModified: number;
}

async function listObjects(s3: S3Connection, bucket: string, prefix: string): Promise<Listed[]> {
  const client = s3Client(s3);
  try {
    const out: Listed[] = [];
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) out.push({ key: o.Key!.slice(prefix.length), lastModified: o.LastModified!.getTime() });
    }
    return out;
  } finally {
    client.destroy();
  }
}

const isSuccess = (key: string): boolean => key.endsWith('/_SUCCESS');
const isPart = (key: string): boolean => /\/part-[^/]+\.json$/.test(key);
const dirOf = (key: string): string => key.slice(0, key.lastIndexOf('/'));

describe('filesystem sink partition commit by the global committer under a TaskManager kill', () => {
  const log = testLog('files-partition-commit');
  let dir: string;
  let cluster: RecoveryCluster | undefined;
  const saved: Record<string, string | undefined> = {};
  let watching = false;
  let s3: S3Connection;
  // the first use builds MinIO from source (minutes on a shared machine): outside the test's own time
  beforeAll(async () => {
    s3 = await useS3();
  }, 1_800_000);
  afterAll(async () => {
    watching = false;
    await cluster?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dir && !process.env.MILLRACE_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
  });

  test('parallelism 2, a SIGKILL mid-stream: each _SUCCESS appears once, after all part files of its partition; every id once', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'files-partition-commit-'));
    const env = s3Env(s3);
    // the output goes to a versioned bucket, so a rewritten _SUCCESS would show as a second version
    const bucket = `${s3.bucket}-versioned`;
    const admin = s3Client(s3);
    try {
      await admin.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: { name?: string }) => {
        if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
      });
      await admin.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    } finally {
      admin.destroy();
    }
    const prefix = `fs-commit-${Date.now().toString(36)}/`;
    cluster = await new RecoveryCluster({
      taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), restartDelayMs: 500, log, env,
      jobManagerArgs: checkpointArgs({ storage: `s3://${s3.bucket}/${prefix}checkpoints`, namespace: 'files', deployment: 'partition-commit', intervalMs: 1000, retained: 3, tolerableFailed: 20 }),
    }).start();
    const api = new JobApi(cluster.restUrl);
    const out = `s3://${bucket}/${prefix}out/`;

    // watch the output as a consumer would: per partition, the first listing that shows its _SUCCESS
    const firstSeen = new Map<string, { parts: Set<string>; lastModified: number }>();
    watching = true;
    let listings = 0;
    const watcher = (async () => {
      while (watching) {
        const objects = await listObjects(s3, bucket, `${prefix}out/`);
        listings++;
        for (const o of objects) {
          if (!isSuccess(o.key) || firstSeen.has(dirOf(o.key))) continue;
          firstSeen.set(dirOf(o.key), { parts: new Set(objects.filter((p) => isPart(p.key) && dirOf(p.key) === dirOf(o.key)).map((p) => p.key)), lastModified: o.lastModified });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const id = await api.submit({ jobUrl: JOB, parallelism: 2, restartStrategy: 'fixed-delay:attempts=20,delayMs=200', params: { path: out, rows: String(ROWS), rate: String(RATE) } });
    await api.waitForCheckpoints(id, 'a few checkpoints before the kill', (c) => (c.latest.completed?.id ?? 0) >= 4, 60_000);
    const committedBeforeKill = firstSeen.size;
    log(`killing taskmanager-0 (pid ${cluster.killTaskManager(0)}), ${committedBeforeKill} partitions committed so far`);
    await api.waitForJob(id, 'running again', (s) => s.state === 'RUNNING' && s.restarts > 0, 120_000);
    const status = await api.waitForJob(id, 'finished', (s) => s.state === 'FINISHED' || s.state === 'FAILED', 180_000);
    const committedWhileRunning = firstSeen.size;
    watching = false;
    await watcher;
    expect(status.state).toBe('FINISHED');
    expect(status.restarts).toBeGreaterThanOrEqual(1);

    const objects = await listObjects(s3, bucket, `${prefix}out/`);
    const partitions = [...new Set(objects.filter((o) => isPart(o.key)).map((o) => dirOf(o.key)))].sort();
    const want = [...new Set(Array.from({ length: ROWS }, (_, i) => partitionOf(i + 1)))].sort();
    expect(partitions).toEqual(want);
    expect(objects.filter((o) => o.key.split('/').some((s) => s.startsWith('.')))).toEqual([]);
    // every partition holds files of both writer subtasks (part-<job>-<subtask>-...), so the all-subtasks rule mattered
    for (const p of partitions) expect(new Set(objects.filter((o) => isPart(o.key) && dirOf(o.key) === p).map((o) => o.key.split('/').at(-1)!.split('-')[2])).size).toBe(2);

    // once per partition: exactly one version of each _SUCCESS, none deleted, and nothing else
    const client = s3Client(s3);
    const versions = new Map<string, number>();
    try {
      let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
      for (;;) {
        const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `${prefix}out/`, ...marker }));
        for (const v of page.Versions ?? []) {
          const key = v.Key!.slice(`${prefix}out/`.length);
          if (isSuccess(key)) versions.set(dirOf(key), (versions.get(dirOf(key)) ?? 0) + 1);
        }
        for (const m of page.DeleteMarkers ?? []) expect(isSuccess(m.Key!)).toBe(false);
        if (!page.IsTruncated) break;
        marker = { KeyMarker: page.NextKeyMarker!, VersionIdMarker: page.NextVersionIdMarker! };
      }
    } finally {
      client.destroy();
    }
    expect([...versions.keys()].sort()).toEqual(want);
    expect([...versions.values()].every((n) => n === 1)).toBe(true);

    // after all part files: _SUCCESS is not older than any part file of its partition, and the
    // first listing showing it already showed every part file the partition ends with
    for (const p of partitions) {
      const parts = objects.filter((o) => isPart(o.key) && dirOf(o.key) === p);
      const success = objects.find((o) => o.key === `${p}/_SUCCESS`)!;
      expect(success.lastModified).toBeGreaterThanOrEqual(Math.max(...parts.map((o) => o.lastModified)));
      const seen = firstSeen.get(p);
      if (seen) expect(parts.map((o) => o.key).filter((k) => !seen.parts.has(k))).toEqual([]);
    }
    log(`${objects.length} objects, ${partitions.length} partitions; _SUCCESS seen by the watcher for ${firstSeen.size} (${committedBeforeKill} before the kill, ${committedWhileRunning} before FINISHED) in ${listings} listings; restarts ${status.restarts}`);
    // partitions are committed while the job runs (by the watermark), not only at its end
    expect(committedBeforeKill).toBeGreaterThan(0);

    // every id once, in its partition, read back through the connector's own source
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const rows: ChangelogRow[] = [];
    const source = createConnectorRegistry().createSource({
      name: 'events', partitionKeys: ['dt', 'hm'], columns: [{ name: 'id', type: T.bigint() }, { name: 'dt', type: T.string() }, { name: 'hm', type: T.string() }],
      options: { connector: 'filesystem', path: out, format: 'json' },
    }).createSource();
    await executeLocally(defineJob({ name: 'read', build: (e) => e.fromSource(source).sinkTo(collectSink(rows)) }), { parallelism: 2 }).done;
    const ids = rows.map((r) => Number(r.values[0])).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(rows.every((r) => `dt=${String(r.values[1])}/hm=${String(r.values[2]).replace(':', '%3A')}` === partitionOf(Number(r.values[0])))).toBe(true);
  });
});
