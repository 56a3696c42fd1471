// Task-local recovery (issue 15 item 3; Flink's state.backend.local-recovery) against MinIO: a job
// with local recovery on runs on two TaskManagers with one standby; one of them is SIGKILLed. The
// restart puts the survivor's subtask back on the survivor, which restores it from its own disk
// (no state file read from S3: the TaskManager's 'task running' log line counts the files read
// from each place), while the subtask that lost its TaskManager restores on the standby from S3.
// The committed output equals the reference exactly.

import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BidStatsRow } from '../../examples/recovery/bid-stats.ts';
import { canonicalBidStats, expectedBidStats } from '../../examples/recovery/reference.ts';
import type { S3Connection } from '../cluster/s3/plan.ts';
import { describeDifference, diffMultisets, readCommittedJsonLines } from './support/committed-output.ts';
import { isRunning, JobApi, waitFor } from './support/job-api.ts';
import { checkpointArgs } from './support/jobmanager-args.ts';
import { PrivateMinio } from './support/private-minio.ts';
import { RecoveryCluster } from './support/recovery-cluster.ts';
import { s3ProcessEnv, storageUri, uniqueName } from './support/s3-storage.ts';
import { testLog } from './support/test-log.ts';

jest.setTimeout(300_000);
const BID_STATS = fileURLToPath(new URL('../../examples/recovery/bid-stats.ts', import.meta.url));
const INPUT = { events: 120_000, rate: 4000, windowMs: 1000 };

interface TaskRunning {
  readonly msg: string;
  readonly attempt: number;
  readonly vertexId: string;
  readonly subtask: number;
  readonly restored?: boolean;
  readonly stateReads?: { localFiles: number; localBytes: number; remoteFiles: number; remoteBytes: number; localRejected: number };
}

/** The 'task running' lines of a TaskManager's log for one attempt. */
function tasksRunning(cluster: RecoveryCluster, index: number, attempt: number): TaskRunning[] {
  return readFileSync(cluster.logFile(`taskmanager-${index}`), 'utf8').split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    const entry = JSON.parse(line) as TaskRunning;
    return entry.msg === 'task running' && entry.attempt === attempt ? [entry] : [];
  });
}

describe('task-local recovery', () => {
  const log = testLog('local-recovery');
  let dir: string;
  let s3: S3Connection;
  let minio: PrivateMinio | undefined;
  let cluster: RecoveryCluster | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recovery-local-'));
    // a private server: this file runs beside the cluster tests (test/support/lane-runner.cjs)
    minio = await PrivateMinio.start(path.join(dir, 'minio'));
    s3 = minio.connection;
  });
  afterAll(async () => {
    await cluster?.stop();
    await minio?.pause();
    rmSync(dir, { recursive: true, force: true });
  });

  test('after a TaskManager SIGKILL the survivor\'s subtask restores from its local copy (no S3 read), the lost one\'s from S3 on the standby; output exact', async () => {
    const settings = { storage: storageUri(s3, uniqueName('recovery-local')), namespace: 'recovery', deployment: 'local', intervalMs: 1000, retained: 2 };
    cluster = await new RecoveryCluster({
      taskManagers: 3, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), env: s3ProcessEnv(s3), restartDelayMs: 500, log,
      jobManagerArgs: [...checkpointArgs(settings), '--standby-taskmanagers', '1'],
    }).start();
    const api = new JobApi(cluster.restUrl);
    const out = path.join(dir, 'out');
    const id = await api.submit({
      jobUrl: BID_STATS, parallelism: 2, restartStrategy: 'fixed-delay:attempts=10,delayMs=0',
      params: { events: String(INPUT.events), rate: String(INPUT.rate), windowMs: String(INPUT.windowMs), out, 'state.backend.local-recovery': 'true' },
    });
    await api.waitForCheckpoints(id, 'three completed checkpoints', (c) => c.counts.completed >= 3, 90_000);
    const before = await api.job(id);
    const hostOf = (tm: string | undefined) => Number(/^tm-(\d+)-/.exec(tm ?? '')?.[1] ?? NaN);
    const hosting = [...new Set(before.vertices.flatMap((v) => v.subtasks.map((t) => hostOf(t.taskManagerId))))].sort();
    expect(hosting).toHaveLength(2);
    const [survivor, killed] = hosting as [number, number];
    const standby = [0, 1, 2].find((i) => !hosting.includes(i))!;
    log(`attempt ${before.attempt} on TaskManagers ${hosting.join(', ')}; killing ${killed}, standby ${standby}`);
    cluster.killTaskManager(killed);

    const attempt = before.attempt + 1;
    await api.waitForJob(id, `attempt ${attempt} running`, (s) => isRunning(s) && s.attempt >= attempt, 60_000);
    const survivorTasks = await waitFor('the restored tasks logged', async () => {
      const s = tasksRunning(cluster!, survivor, attempt);
      const t = tasksRunning(cluster!, standby, attempt);
      return s.length > 0 && t.length > 0 ? { s, t } : undefined;
    }, 30_000);
    log(`survivor: ${JSON.stringify(survivorTasks.s.map((t) => t.stateReads))}; standby: ${JSON.stringify(survivorTasks.t.map((t) => t.stateReads))}`);
    // the survivor ran the same subtasks again and read all their state from its disk
    const stateful = survivorTasks.s.filter((t) => (t.stateReads?.localFiles ?? 0) + (t.stateReads?.remoteFiles ?? 0) > 0);
    expect(stateful.length).toBeGreaterThan(0);
    for (const t of survivorTasks.s) {
      expect(t.restored).toBe(true);
      expect(t.stateReads).toMatchObject({ remoteFiles: 0, remoteBytes: 0, localRejected: 0 });
    }
    // the standby had no copy: its state came from S3
    expect(survivorTasks.t.reduce((n, t) => n + (t.stateReads?.remoteFiles ?? 0), 0)).toBeGreaterThan(0);
    expect(survivorTasks.t.reduce((n, t) => n + (t.stateReads?.localFiles ?? 0), 0)).toBe(0);

    const done = await api.waitForJob(id, 'FINISHED', (s) => s.state === 'FINISHED', 180_000);
    expect(done.state).toBe('FINISHED');
    const expected = expectedBidStats({ events: INPUT.events, windowMs: INPUT.windowMs }).map(canonicalBidStats);
    const actual = readCommittedJsonLines<BidStatsRow>(out).map(canonicalBidStats);
    expect(expected.length).toBeGreaterThan(1000);
    expect(describeDifference(diffMultisets(expected, actual))).toBe('equal');
  });
});
