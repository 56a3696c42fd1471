// Checkpoints on real processes with local-directory storage: a keyed windowed job checkpoints
// every second; a TaskManager killed with SIGKILL makes the job restart from the latest completed
// checkpoint (sources rewind to their positions, window state and timers come back), and the
// committed output equals the uninterrupted result exactly. A restarted JobManager resumes the
// job (same id, next attempt) from HA metadata and its latest checkpoint.

import { jest } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMiniCluster, type MiniCluster } from '../../../runtime/testing/mini-cluster.ts';
import { committedWindowCounts, expectedWindowCounts, hiddenFiles, WINDOW_COUNTS } from './support.ts';

jest.setTimeout(180_000);
const EVENTS = 60_000;

describe('recovery from checkpoints (local directory)', () => {
  let mc: MiniCluster | undefined;
  afterEach(async () => {
    await mc?.stop();
    mc = undefined;
  });

  test('a killed TaskManager: the job restores from the latest completed checkpoint and the committed output is exact', async () => {
    mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 1, heartbeatTimeoutMs: 3000, checkpointIntervalMs: 500 });
    const out = mkdtempSync(path.join(os.tmpdir(), 'cp-recovery-'));
    const id = await mc.submit(WINDOW_COUNTS, { parallelism: 2, params: { events: String(EVENTS), rate: '6000', out }, restartStrategy: 'fixed-delay:attempts=5,delayMs=200' });
    const before = await mc.client.waitFor(id, (s) => (s.lastCheckpoint?.id ?? 0) >= 2, 60_000, 100);
    const cp = before.lastCheckpoint!;
    expect(cp.path).toContain(`flink-jobs/default/window-counts/${id}/chk-${cp.id}/`);
    expect(existsSync(path.join(cp.path, '_metadata'))).toBe(true);
    mc.cluster.kill(1, 'SIGKILL');
    const restarted = await mc.client.waitFor(id, (s) => s.attempt >= 1 && s.state === 'RUNNING' && s.vertices.every((v) => v.recordsIn > 0), 60_000, 100);
    const checkpoints = await mc.client.checkpoints(id);
    expect(checkpoints.latest.restored).toMatchObject({ is_savepoint: false });
    expect(checkpoints.latest.restored!.id).toBeGreaterThanOrEqual(cp.id);
    expect(checkpoints.counts.restored).toBeGreaterThanOrEqual(1);
    const done = await mc.client.waitForTerminal(id, 120_000);
    expect(done.state).toBe('FINISHED');
    // the new attempt's sources started from their checkpointed positions, not from zero
    const source = done.vertices.find((v) => v.isSource)!;
    expect(source.recordsIn).toBeLessThan(EVENTS);
    expect(source.recordsIn).toBeGreaterThan(0);
    expect(restarted.restarts).toBeGreaterThanOrEqual(1);
    expect(committedWindowCounts(out)).toEqual(expectedWindowCounts(EVENTS));
    expect(hiddenFiles(out)).toEqual([]);
    const metrics = await (await fetch(`${mc.cluster.restUrl}/metrics`)).text();
    expect(metrics).toMatch(/millrace_checkpoints_total\{result="completed"\} [1-9]/);
    expect(metrics).toMatch(/millrace_checkpoint_last_size_bytes [1-9]/);
    // times in seconds (Prometheus base units): a local checkpoint takes well under a minute
    const duration = Number(/millrace_checkpoint_last_duration_seconds ([0-9.e-]+)/.exec(metrics)?.[1]);
    expect(duration).toBeGreaterThan(0);
    expect(duration).toBeLessThan(60);
  });

  test('a restarted JobManager resumes the job from HA metadata and its latest checkpoint', async () => {
    mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 1, heartbeatTimeoutMs: 3000, checkpointIntervalMs: 500, jobManagerArgs: ['--namespace', 'ha-test', '--deployment', 'counts'] });
    const out = mkdtempSync(path.join(os.tmpdir(), 'cp-ha-'));
    const id = await mc.submit(WINDOW_COUNTS, { parallelism: 2, params: { events: String(EVENTS), rate: '6000', out }, restartStrategy: 'fixed-delay:attempts=5,delayMs=200' });
    const before = await mc.client.waitFor(id, (s) => (s.lastCheckpoint?.id ?? 0) >= 2, 60_000, 100);
    const ha = JSON.parse(readFileSync(path.join(mc.checkpointStorage, 'flink-jobs/ha-test/counts/ha/job.json'), 'utf8')) as { jobId: string; state: string };
    expect(ha).toMatchObject({ jobId: id, state: 'RUNNING' });
    await mc.cluster.restartJobManager('SIGKILL');
    const resumed = await mc.client.waitFor(id, (s) => s.state === 'RUNNING' && s.attempt > before.attempt, 60_000, 200);
    expect(resumed.id).toBe(id);
    const checkpoints = await mc.client.checkpoints(id);
    expect(checkpoints.latest.restored!.id).toBeGreaterThanOrEqual(before.lastCheckpoint!.id);
    const done = await mc.client.waitForTerminal(id, 120_000);
    expect(done.state).toBe('FINISHED');
    expect(committedWindowCounts(out)).toEqual(expectedWindowCounts(EVENTS));
    const after = JSON.parse(readFileSync(path.join(mc.checkpointStorage, 'flink-jobs/ha-test/counts/ha/job.json'), 'utf8')) as { state: string };
    expect(after.state).toBe('FINISHED');
  });

  test('cancel-with-savepoint ends the job CANCELED; the savepoint restores at parallelism 1 with exact output', async () => {
    mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 1, heartbeatTimeoutMs: 3000 });
    const out = mkdtempSync(path.join(os.tmpdir(), 'cp-cancel-sp-'));
    const params = { events: String(EVENTS), rate: '6000', out };
    const id = await mc.submit(WINDOW_COUNTS, { parallelism: 2, params });
    await mc.client.waitFor(id, (s) => s.state === 'RUNNING' && s.vertices.every((v) => v.recordsIn > 1000), 60_000, 100);
    const location = await mc.client.waitForSavepoint(id, await mc.client.triggerSavepoint(id, { 'cancel-job': true }));
    expect(location).toMatch(/flink-savepoints\/default\/window-counts\/savepoint-[^/]+\/$/);
    expect((await mc.client.waitForTerminal(id, 30_000)).state).toBe('CANCELED');
    // a canceled job takes no more savepoints
    await expect(mc.client.triggerSavepoint(id)).rejects.toThrow(/MR_ERR_SAVEPOINT_NOT_RUNNING/);
    const restored = await mc.submit(WINDOW_COUNTS, { parallelism: 1, params, savepointPath: location });
    expect((await mc.client.waitForTerminal(restored, 120_000)).state).toBe('FINISHED');
    expect(committedWindowCounts(out)).toEqual(expectedWindowCounts(EVENTS));
  });
});
