// What `GET /jobs/:id` shows across a JobManager restart (HA resume): the job keeps its start
// time and its restart count continues — the TaskManager failure before the JobManager died
// still counts, and the resume itself counts as one more restart, explained in `exceptions`.
// Real processes, HA metadata and checkpoints in a local directory.

import { jest } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { JobStatus } from '../../../runtime/local/job-client.ts';
import { startMiniCluster, type MiniCluster } from '../../../runtime/testing/mini-cluster.ts';
import { useTempDirs } from '../../support/temp-dirs.ts';
import { committedWindowCounts, expectedWindowCounts, WINDOW_COUNTS } from './support.ts';

jest.setTimeout(180_000);
const EVENTS = 90_000;

type JobView = JobStatus & { 'start-time': number };
interface HaJobFile { jobId: string; state: string; attempt: number; restarts?: number; startTime?: number }

describe('the job view across a JobManager restart', () => {
  let mc: MiniCluster | undefined;
  afterEach(async () => {
    await mc?.stop();
    if (mc) rmSync(mc.logDir, { recursive: true, force: true }); // its checkpoints and HA metadata too
    mc = undefined;
  });
  const tempDir = useTempDirs();

  test('restarts continue and start-time stays after an HA resume', async () => {
    mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 1, heartbeatTimeoutMs: 3000, checkpointIntervalMs: 500, jobManagerArgs: ['--namespace', 'ha-view', '--deployment', 'counts'] });
    const cluster = mc;
    const out = tempDir('ha-view-');
    const haFile = path.join(cluster.checkpointStorage, 'flink-jobs/ha-view/counts/ha/job.json');
    const haJob = () => JSON.parse(readFileSync(haFile, 'utf8')) as HaJobFile;
    const view = async (id: string, pred: (s: JobView) => boolean) => (await cluster.client.waitFor(id, (s) => pred(s as JobView), 60_000, 100)) as JobView;

    const id = await cluster.submit(WINDOW_COUNTS, { parallelism: 2, params: { events: String(EVENTS), rate: '6000', out }, restartStrategy: 'fixed-delay:attempts=5,delayMs=200' });
    const first = await view(id, (s) => s.state === 'RUNNING' && (s.lastCheckpoint?.id ?? 0) >= 1);
    expect(first.restarts).toBe(0);

    // a TaskManager failure: one restart, counted by this JobManager and recorded in the HA metadata
    cluster.cluster.kill(1, 'SIGKILL');
    const before = await view(id, (s) => s.restarts >= 1 && s.state === 'RUNNING' && s.vertices.every((v) => v.recordsIn > 0));
    expect(before['start-time']).toBe(first['start-time']);
    for (let i = 0; i < 50 && haJob().attempt < before.attempt; i++) await new Promise((r) => setTimeout(r, 100));
    expect(haJob()).toMatchObject({ jobId: id, attempt: before.attempt, restarts: before.restarts, startTime: before['start-time'] });

    // the JobManager dies; its replacement resumes the job from the HA metadata
    await cluster.cluster.restartJobManager('SIGKILL');
    const resumed = await view(id, (s) => s.state === 'RUNNING' && s.attempt > before.attempt);
    const resumedAt = Date.now();
    expect(resumed.restarts).toBe(before.restarts + 1);
    expect(resumed['start-time']).toBe(before['start-time']);
    expect(resumed.exceptions.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^the JobManager restarted; job resumed from HA metadata as attempt \d+ from .*chk-\d+/)]));

    const done = (await cluster.client.waitForTerminal(id, 120_000)) as JobView;
    expect(done.state).toBe('FINISHED');
    expect(done.restarts).toBe(before.restarts + 1);
    expect(done['start-time']).toBe(before['start-time']);
    // the duration spans the whole job, not just the time since the new JobManager started
    expect(done.duration).toBeGreaterThanOrEqual(resumedAt - before['start-time']);
    // the HA record is written after the state change the REST API shows
    for (let i = 0; i < 50 && haJob().state !== 'FINISHED'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(haJob()).toMatchObject({ state: 'FINISHED', restarts: before.restarts + 1, startTime: before['start-time'] });
    expect(committedWindowCounts(out)).toEqual(expectedWindowCounts(EVENTS));
  });
});
