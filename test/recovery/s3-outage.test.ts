// Issue 4, point 5: the S3 server goes away for 30 s while a job checkpoints to it. Checkpoints
// fail and are tolerated (the REST API counts and shows the failures), the job keeps running
// without a restart, and once the server is back checkpoints complete again. The server is a
// private MinIO of this test (test/recovery/support/private-minio.ts); the shared one is never
// stopped. The job's committed output is still exactly the reference afterwards.

import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BidStatsRow } from '../../examples/recovery/bid-stats.ts';
import { canonicalBidStats, expectedBidStats } from '../../examples/recovery/reference.ts';
import { describeDifference, diffMultisets, readCommittedJsonLines } from './support/committed-output.ts';
import { isRunning, JobApi } from './support/job-api.ts';
import { checkpointArgs } from './support/jobmanager-args.ts';
import { PrivateMinio } from './support/private-minio.ts';
import { RecoveryCluster } from './support/recovery-cluster.ts';
import { s3ProcessEnv, storageUri } from './support/s3-storage.ts';
import { testLog } from './support/test-log.ts';

jest.setTimeout(360_000);
const BID_STATS = fileURLToPath(new URL('../../examples/recovery/bid-stats.ts', import.meta.url));
const OUTAGE_MS = 30_000;
// 70 s of input at 4,000 events/s: the job is still running well after the outage.
const INPUT = { events: 280_000, rate: 4000, windowMs: 1000 };

describe('an S3 outage of 30 s', () => {
  const log = testLog('s3-outage');
  let dir: string;
  let minio: PrivateMinio | undefined;
  let cluster: RecoveryCluster | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recovery-s3-outage-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    await minio?.pause();
    rmSync(dir, { recursive: true, force: true });
  });

  test('fails checkpoints, which are tolerated; the job keeps running and checkpoints complete again after', async () => {
    minio = await PrivateMinio.start(path.join(dir, 'minio'));
    log(`private MinIO on ${minio.connection.endpoint}`);
    cluster = await new RecoveryCluster({
      taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), restartDelayMs: 500, log,
      // few SDK retries and a short request timeout, so a checkpoint fails within seconds of the outage
      env: { ...s3ProcessEnv(minio.connection), MILLRACE_S3_MAX_ATTEMPTS: '2', MILLRACE_S3_REQUEST_TIMEOUT_MS: '3000' },
      jobManagerArgs: checkpointArgs({ storage: storageUri(minio.connection, 'outage'), namespace: 'recovery', deployment: 's3-outage', intervalMs: 1000, retained: 2, tolerableFailed: 1000 }),
    }).start();
    const api = new JobApi(cluster.restUrl);
    const out = path.join(dir, 'out');
    const id = await api.submit({
      jobUrl: BID_STATS, parallelism: 2, restartStrategy: 'fixed-delay:attempts=10,delayMs=200',
      params: { events: String(INPUT.events), rate: String(INPUT.rate), windowMs: String(INPUT.windowMs), out },
    });
    const before = await api.waitForCheckpoints(id, 'two completed checkpoints', (c) => c.counts.completed >= 2, 60_000);
    const { restarts } = await api.waitForJob(id, 'running', isRunning, 30_000);
    log(`before the outage: ${before.counts.completed} completed, ${before.counts.failed} failed; stopping S3`);

    await minio.pause();
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      const s = await api.job(id);
      expect(s.state).toBe('RUNNING');
      expect(s.restarts).toBe(restarts);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const during = await api.checkpoints(id);
    log(`after ${OUTAGE_MS / 1000} s without S3: ${during.counts.completed} completed, ${during.counts.failed} failed; latest failure: ${during.latest.failed?.failure_message}`);
    expect(during.counts.failed).toBeGreaterThan(before.counts.failed);
    expect(during.latest.failed).not.toBeNull();
    expect(during.latest.failed!.failure_message.length).toBeGreaterThan(0);
    const metrics = await api.metrics();
    expect(metrics).toMatch(/millrace_checkpoints_total\{result="failed"\} [1-9]/);

    await minio.resume();
    const lastBefore = during.latest.completed?.id ?? 0;
    const after = await api.waitForCheckpoints(id, 'a checkpoint completed after S3 is back', (c) => (c.latest.completed?.id ?? 0) > lastBefore, 60_000);
    log(`S3 back: checkpoint ${after.latest.completed!.id} completed`);
    const s = await api.job(id);
    expect(s.state).toBe('RUNNING');
    expect(s.restarts).toBe(restarts);

    await api.waitForJob(id, 'FINISHED', (j) => j.state === 'FINISHED', 180_000);
    const expected = expectedBidStats({ events: INPUT.events, windowMs: INPUT.windowMs }).map(canonicalBidStats);
    expect(describeDifference(diffMultisets(expected, readCommittedJsonLines<BidStatsRow>(out).map(canonicalBidStats)))).toBe('equal');
  });
});
