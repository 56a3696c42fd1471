// Issue 4, point 5: a keyed windowed aggregation over a bounded, deterministic input, with the
// exactly-once file sink and checkpoints on the real S3 server, while TaskManagers are SIGKILLed
// at random moments (5 times) and the JobManager once. The committed output must equal the
// reference computed without the engine: nothing lost, nothing duplicated. The seed of the fault
// plan is logged; MILLRACE_FAULT_SEED=<seed> replays the same plan.

import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BidStatsRow } from '../../examples/recovery/bid-stats.ts';
import { canonicalBidStats, expectedBidStats } from '../../examples/recovery/reference.ts';
import type { S3Connection } from '../cluster/s3/plan.ts';
import { describeDifference, diffMultisets, readCommittedJsonLines } from './support/committed-output.ts';
import { injectFaults } from './support/fault-injector.ts';
import { describeFault, planFaults } from './support/fault-plan.ts';
import { JobApi } from './support/job-api.ts';
import { checkpointArgs } from './support/jobmanager-args.ts';
import { RecoveryCluster } from './support/recovery-cluster.ts';
import { s3ProcessEnv, storageUri, uniqueName } from './support/s3-storage.ts';
import { PrivateMinio } from './support/private-minio.ts';
import { faultSeed, seededRandom } from './support/seeded-random.ts';
import { testLog } from './support/test-log.ts';

jest.setTimeout(420_000);
const BID_STATS = fileURLToPath(new URL('../../examples/recovery/bid-stats.ts', import.meta.url));
// 300,000 events at 5,000/s: a minute of input, far more than the faults need while running.
const INPUT = { events: 300_000, rate: 5000, windowMs: 1000 };

describe('exactly-once output under TaskManager and JobManager kills', () => {
  const log = testLog('exactly-once');
  const seed = faultSeed();
  let dir: string;
  let s3: S3Connection;
  let minio: PrivateMinio | undefined;
  const prefix = uniqueName('recovery-exactly-once');
  let cluster: RecoveryCluster | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recovery-exactly-once-'));
    // A private server: this file runs beside the cluster tests (test/support/lane-runner.cjs).
    minio = await PrivateMinio.start(path.join(dir, 'minio'));
    s3 = minio.connection;
  });
  afterAll(async () => {
    await cluster?.stop();
    await minio?.pause();
    rmSync(dir, { recursive: true, force: true });
  });

  test('5 TaskManager SIGKILLs and 1 JobManager SIGKILL at random moments: committed output equals the reference exactly', async () => {
    log(`fault seed ${seed} (replay: MILLRACE_FAULT_SEED=${seed})`);
    const plan = planFaults(seededRandom(seed), { taskManagerKills: 5, jobManagerKills: 1, taskManagers: 2, minDelayMs: 300, maxDelayMs: 3000 });
    for (const fault of plan) log(`planned: ${describeFault(fault)}`);

    cluster = await new RecoveryCluster({
      taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), env: s3ProcessEnv(s3), restartDelayMs: 500, log,
      jobManagerArgs: checkpointArgs({ storage: storageUri(s3, prefix), namespace: 'recovery', deployment: 'exactly-once', intervalMs: 1000, retained: 3, tolerableFailed: 20 }),
    }).start();
    const api = new JobApi(cluster.restUrl);
    const out = path.join(dir, 'out');
    const id = await api.submit({
      jobUrl: BID_STATS, parallelism: 2, restartStrategy: 'fixed-delay:attempts=100,delayMs=200',
      params: { events: String(INPUT.events), rate: String(INPUT.rate), windowMs: String(INPUT.windowMs), out },
    });

    // Each kill waits for a checkpoint completed after the previous one, so the job makes
    // progress between kills and every recovery restores from a checkpoint.
    let lastCheckpointId = 0;
    const injected = await injectFaults({
      cluster, api, jobId: id, plan, log, recoveryTimeoutMs: 120_000,
      ready: async () => {
        const completed = (await api.checkpoints(id)).latest.completed;
        if (!completed || completed.id <= lastCheckpointId) return false;
        lastCheckpointId = completed.id;
        return true;
      },
    });
    expect(injected).toHaveLength(6);
    expect(injected.every((f) => f.pid !== undefined)).toBe(true);
    expect(cluster.count('jobmanager', 'kill')).toBe(1);
    expect(cluster.count('taskmanager-0', 'kill') + cluster.count('taskmanager-1', 'kill')).toBe(5);

    const done = await api.waitForJob(id, 'FINISHED', (s) => s.state === 'FINISHED', 300_000).catch((error: Error) => {
      throw new Error(`${error.message}\nJobManager log:\n${cluster!.logTail('jobmanager', 40)}`);
    });
    log(`job ${id} FINISHED after ${done.restarts} restarts (attempt ${done.attempt})`);
    // the job id survived the JobManager kill (HA), and it restored from checkpoints
    expect(done.id).toBe(id);
    const stats = await api.checkpoints(id);
    expect(stats.counts.restored).toBeGreaterThanOrEqual(1);
    expect(stats.latest.restored).not.toBeNull();

    const expected = expectedBidStats({ events: INPUT.events, windowMs: INPUT.windowMs }).map(canonicalBidStats);
    const actual = readCommittedJsonLines<BidStatsRow>(out).map(canonicalBidStats);
    expect(expected.length).toBeGreaterThan(1000);
    expect(describeDifference(diffMultisets(expected, actual))).toBe('equal');
  });
});
