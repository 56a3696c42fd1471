// Issue 4, point 5: savepoint → stop → restore at another parallelism gives the same final output
// as an uninterrupted run. An uninterrupted run of this job equals the reference (harness.test.ts
// proves it on the same processes), so the stopped run's committed output plus the restored
// run's must equal the reference exactly: keyed window state redistributed by key groups, source
// positions merged, sink output neither lost nor repeated across the stop.

import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BidStatsRow } from '../../examples/recovery/bid-stats.ts';
import { canonicalBidStats, expectedBidStats } from '../../examples/recovery/reference.ts';
import type { S3Connection } from '../cluster/s3/plan.ts';
import { describeDifference, diffMultisets, readCommittedJsonLines } from './support/committed-output.ts';
import { isRunning, JobApi } from './support/job-api.ts';
import { checkpointArgs } from './support/jobmanager-args.ts';
import { RecoveryCluster } from './support/recovery-cluster.ts';
import { listKeys, s3ProcessEnv, storageUri, uniqueName } from './support/s3-storage.ts';
import { PrivateMinio } from './support/private-minio.ts';
import { testLog } from './support/test-log.ts';

jest.setTimeout(300_000);
const BID_STATS = fileURLToPath(new URL('../../examples/recovery/bid-stats.ts', import.meta.url));
const INPUT = { events: 120_000, rate: 6000, windowMs: 1000 };

describe('savepoint, stop and restore at another parallelism', () => {
  const log = testLog('savepoint-rescale');
  let dir: string;
  let s3: S3Connection;
  let minio: PrivateMinio | undefined;
  const prefix = uniqueName('recovery-savepoint');
  const clusters: RecoveryCluster[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recovery-savepoint-'));
    // A private server: this file runs beside the cluster tests (test/support/lane-runner.cjs).
    minio = await PrivateMinio.start(path.join(dir, 'minio'));
    s3 = minio.connection;
  });
  afterAll(async () => {
    for (const c of clusters) await c.stop();
    await minio?.pause();
    rmSync(dir, { recursive: true, force: true });
  });

  test.each([[2, 3], [3, 2]])('stopped with a savepoint at parallelism %i and restored at %i: the output equals an uninterrupted run', async (from, to) => {
    const deployment = `rescale-${from}-${to}`;
    const cluster = await new RecoveryCluster({
      taskManagers: 2, slotsPerTaskManager: 2, logDir: path.join(dir, `logs-${deployment}`), env: s3ProcessEnv(s3), restartDelayMs: 500, log,
      jobManagerArgs: checkpointArgs({ storage: storageUri(s3, prefix), namespace: 'recovery', deployment, intervalMs: 2000, retained: 2 }),
    }).start();
    clusters.push(cluster);
    const api = new JobApi(cluster.restUrl);
    const out = path.join(dir, `out-${deployment}`);
    const params = { events: String(INPUT.events), rate: String(INPUT.rate), windowMs: String(INPUT.windowMs), out };
    const first = await api.submit({ jobUrl: BID_STATS, parallelism: from, params, restartStrategy: 'none' });
    await api.waitForJob(first, 'running for a while', (s) => isRunning(s) && s.vertices.every((v) => v.recordsIn > 20_000 || v.isSource), 60_000);

    const location = await api.savepointLocation(first, await api.stopWithSavepoint(first, {}));
    log(`stopped ${first} with savepoint ${location}`);
    expect(location).toContain(`flink-savepoints/recovery/${deployment}/savepoint-`);
    expect((await listKeys(s3, new URL(location).pathname.slice(1).replace(/\/?$/, '/'))).some((k) => k.endsWith('/_metadata'))).toBe(true);
    const stopped = await api.waitForJob(first, 'FINISHED after stop', (s) => s.state === 'FINISHED', 60_000);
    expect(stopped.state).toBe('FINISHED');
    const partial = readCommittedJsonLines<BidStatsRow>(out).length;
    expect(partial).toBeGreaterThan(0);

    const second = await api.submit({ jobUrl: BID_STATS, parallelism: to, params, restartStrategy: 'none', savepointPath: location });
    const done = await api.waitForJob(second, 'FINISHED', (s) => s.state === 'FINISHED', 180_000);
    expect(done.vertices.map((v) => v.parallelism)).toEqual(done.vertices.map(() => to));
    const restored = (await api.checkpoints(second)).latest.restored;
    expect(restored).toMatchObject({ is_savepoint: true });
    expect(restored!.external_path.replace(/\/$/, '')).toBe(location.replace(/\/$/, ''));

    const expected = expectedBidStats({ events: INPUT.events, windowMs: INPUT.windowMs }).map(canonicalBidStats);
    const actual = readCommittedJsonLines<BidStatsRow>(out).map(canonicalBidStats);
    log(`${partial} rows before the stop, ${actual.length - partial} after the restore, ${expected.length} expected`);
    expect(describeDifference(diffMultisets(expected, actual))).toBe('equal');
    await cluster.stop();
  });
});
