// Issue 4, point 5: a corrupt and a missing checkpoint file. The whole cluster is lost (every
// process SIGKILLed); meanwhile a state file of the newest checkpoint is overwritten with other
// bytes of the same size and a state file of the one before is deleted. A new JobManager on the
// same storage finds the job in its HA metadata, reports a clear error naming each bad file
// (MR_ERR_CHECKPOINT_CORRUPT, MR_ERR_CHECKPOINT_MISSING) and falls back to the newest usable
// checkpoint, the third newest, from which the job runs to its end.

import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../cluster/s3/bucket.ts';
import type { S3Connection } from '../cluster/s3/plan.ts';
import { isRunning, JobApi, waitFor } from './support/job-api.ts';
import { checkpointArgs } from './support/jobmanager-args.ts';
import { RecoveryCluster } from './support/recovery-cluster.ts';
import { listKeys, s3ProcessEnv, storageUri, uniqueName } from './support/s3-storage.ts';
import { PrivateMinio } from './support/private-minio.ts';
import { testLog } from './support/test-log.ts';

jest.setTimeout(300_000);
const BID_STATS = fileURLToPath(new URL('../../examples/recovery/bid-stats.ts', import.meta.url));
const INPUT = { events: 150_000, rate: 5000, windowMs: 1000 };

/** Completed checkpoints under a job's folder, newest first: id → keys of its files. */
function completedCheckpoints(keys: readonly string[]): Array<{ id: number; files: string[] }> {
  const byId = new Map<number, string[]>();
  for (const key of keys) {
    const m = /\/chk-(\d+)\/(.+)$/.exec(key);
    if (!m) continue;
    const id = Number(m[1]);
    byId.set(id, [...(byId.get(id) ?? []), key]);
  }
  return [...byId].filter(([, files]) => files.some((f) => f.endsWith('/_metadata')))
    .map(([id, files]) => ({ id, files: files.filter((f) => !f.endsWith('/_metadata')) }))
    .filter((c) => c.files.length > 0)
    .sort((a, b) => b.id - a.id);
}

/** A state file to damage: keyed window state when there is one (it is certainly read on restore). */
function pickStateFile(files: readonly string[]): string {
  return files.find((f) => f.includes('bid-stats-window')) ?? files[0]!;
}

describe('a corrupt and a missing checkpoint file', () => {
  const log = testLog('corrupt-checkpoint');
  let dir: string;
  let s3: S3Connection;
  let minio: PrivateMinio | undefined;
  const prefix = uniqueName('recovery-corrupt');
  const clusters: RecoveryCluster[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recovery-corrupt-'));
    // A private server: this file runs beside the cluster tests (test/support/lane-runner.cjs).
    minio = await PrivateMinio.start(path.join(dir, 'minio'));
    s3 = minio.connection;
  });
  afterAll(async () => {
    for (const c of clusters) await c.stop();
    await minio?.pause();
    rmSync(dir, { recursive: true, force: true });
  });

  test('are reported by name, and the job falls back to the newest usable checkpoint', async () => {
    const settings = { storage: storageUri(s3, prefix), namespace: 'recovery', deployment: 'corrupt', intervalMs: 1000, retained: 5 };
    const start = async (name: string) => {
      const c = await new RecoveryCluster({ taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, name), env: s3ProcessEnv(s3), restartDelayMs: 500, log, jobManagerArgs: checkpointArgs(settings) }).start();
      clusters.push(c);
      return c;
    };
    const first = await start('first');
    let api = new JobApi(first.restUrl);
    const out = path.join(dir, 'out');
    const id = await api.submit({
      jobUrl: BID_STATS, parallelism: 2, restartStrategy: 'fixed-delay:attempts=10,delayMs=200',
      params: { events: String(INPUT.events), rate: String(INPUT.rate), windowMs: String(INPUT.windowMs), out },
    });
    await api.waitForCheckpoints(id, 'four completed checkpoints', (c) => c.counts.completed >= 4, 90_000);
    await first.crash();

    const jobDir = `${prefix}/flink-jobs/recovery/corrupt/${id}/`;
    const checkpoints = completedCheckpoints(await listKeys(s3, jobDir));
    log(`completed checkpoints in S3 after the crash: ${checkpoints.map((c) => c.id).join(', ')}`);
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    const [newest, second, third] = checkpoints as [typeof checkpoints[0], typeof checkpoints[0], typeof checkpoints[0]];
    const corrupted = pickStateFile(newest.files);
    const missing = pickStateFile(second.files);
    const client = s3Client(s3);
    try {
      const bytes = await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: corrupted }))).Body!.transformToByteArray();
      const damaged = Buffer.from(bytes.map((b) => b ^ 0xff)); // same size, other bytes
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: corrupted, Body: damaged }));
      await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: missing }));
    } finally {
      client.destroy();
    }
    log(`corrupted ${corrupted} (chk-${newest.id}); deleted ${missing} (chk-${second.id}); expecting a restore of chk-${third.id}`);

    // A new JobManager on the same storage, namespace and deployment finds the job (HA) by itself.
    const replacement = await start('replacement');
    api = new JobApi(replacement.restUrl);
    const resumed = await api.waitForJob(id, 'resumed and running', isRunning, 120_000).catch((error: Error) => {
      throw new Error(`${error.message}\nJobManager log:\n${replacement.logTail('jobmanager', 40)}`);
    });
    expect(resumed.id).toBe(id);
    const stats = await api.checkpoints(id);
    expect(stats.latest.restored).toMatchObject({ id: third.id, is_savepoint: false });

    // the errors say which file is at fault, in the JobManager's log or the job's exceptions
    const reported = await waitFor('both errors reported', async () => {
      const text = readFileSync(replacement.logFile('jobmanager'), 'utf8') + JSON.stringify((await api.job(id)).exceptions);
      return /MR_ERR_CHECKPOINT_CORRUPT/.test(text) && /MR_ERR_CHECKPOINT_MISSING/.test(text) ? text : undefined;
    }, 30_000);
    expect(reported).toContain(corrupted);
    expect(reported).toContain(missing);

    const done = await api.waitForJob(id, 'FINISHED', (s) => s.state === 'FINISHED', 180_000);
    expect(done.state).toBe('FINISHED');
  });
});
