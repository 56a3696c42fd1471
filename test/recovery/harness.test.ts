// The fault-injection harness itself, on real processes: the job of examples/recovery runs on a
// JobManager and TaskManagers started through the CLI, a SIGKILLed TaskManager is started again
// by the harness (as Kubernetes restarts a pod) and registers anew, and the committed output of
// the job equals the reference computed without the engine.

import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalBidStats, expectedBidStats } from '../../examples/recovery/reference.ts';
import type { BidStatsRow } from '../../examples/recovery/bid-stats.ts';
import { describeDifference, diffMultisets, readCommittedJsonLines } from './support/committed-output.ts';
import { isRunning, JobApi } from './support/job-api.ts';
import { RecoveryCluster } from './support/recovery-cluster.ts';
import { testLog } from './support/test-log.ts';

jest.setTimeout(180_000);
const BID_STATS = fileURLToPath(new URL('../../examples/recovery/bid-stats.ts', import.meta.url));

describe('the recovery harness', () => {
  const log = testLog('harness');
  let dir: string;
  let cluster: RecoveryCluster | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recovery-harness-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('runs the job on CLI processes, restarts a killed TaskManager, and the job output equals the reference', async () => {
    cluster = await new RecoveryCluster({ taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), restartDelayMs: 500, log }).start();
    const api = new JobApi(cluster.restUrl);
    const out = path.join(dir, 'out');
    const params = { events: '40000', rate: '10000', windowMs: '1000', out };
    const id = await api.submit({ jobUrl: BID_STATS, parallelism: 2, params, restartStrategy: 'fixed-delay:attempts=5,delayMs=200' });
    await api.waitForJob(id, 'running', isRunning, 60_000);

    const pid = cluster.killTaskManager(1);
    expect(pid).toBeGreaterThan(0);
    log(`killed TaskManager 1 (pid ${pid})`);
    const done = await api.waitForJob(id, 'finished', (s) => s.state === 'FINISHED', 120_000);
    expect(done.restarts).toBeGreaterThanOrEqual(1);
    // the supervisor started a second TaskManager 1, which registered
    expect(cluster.count('taskmanager-1', 'kill')).toBe(1);
    expect(cluster.count('taskmanager-1', 'start')).toBe(2);
    await cluster.waitForTaskManagers(2, 10_000);

    const expected = expectedBidStats({ events: 40_000, windowMs: 1000 }).map(canonicalBidStats);
    const actual = readCommittedJsonLines<BidStatsRow>(out).map(canonicalBidStats);
    expect(expected.length).toBeGreaterThan(100);
    expect(describeDifference(diffMultisets(expected, actual))).toBe('equal');
  });

  test('brings a killed JobManager back on the same port, where the TaskManagers register again', async () => {
    const restUrl = cluster!.restUrl;
    const pid = cluster!.killJobManager();
    expect(pid).toBeGreaterThan(0);
    await cluster!.waitForTaskManagers(2, 30_000);
    expect(cluster!.restUrl).toBe(restUrl);
    expect(cluster!.count('jobmanager', 'kill')).toBe(1);
    expect(cluster!.count('jobmanager', 'start')).toBe(2);
    const overview = (await (await fetch(`${restUrl}/overview`)).json()) as { taskmanagers: number; 'slots-total': number };
    expect(overview).toMatchObject({ taskmanagers: 2, 'slots-total': 2 });
  });
});
