// Issue 15, point 3: one lost TaskManager is one failover. A keyed, windowed job (window state and
// event-time timers, exactly-once file sink) with checkpoints on and the DEFAULT restart strategy
// (none given at submission): three TaskManagers are SIGKILLed one after another, each after a
// checkpoint newer than the last restore. The job must finish with exactly 3 restarts (not 6: a
// task's channel failure and the heartbeat loss of the same TaskManager are one failure) and its
// committed output must equal the reference computed without the engine.
//
// Issue 15, point 4: the cluster has one standby TaskManager (`--standby-taskmanagers 1`, Flink's
// slotmanager.redundant-taskmanager-num). Each kill's work resumes on TaskManagers that were
// registered before the kill (the standby), not on the killed process's replacement; the
// replacement becomes the next standby.

import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BidStatsRow } from '../../examples/recovery/bid-stats.ts';
import { canonicalBidStats, expectedBidStats } from '../../examples/recovery/reference.ts';
import { resolveJobUrl } from '../../runtime/artifacts/job-loader.ts';
import type { JobStatus } from '../../runtime/local/job-client.ts';
import { startMiniCluster, type MiniCluster } from '../../runtime/testing/mini-cluster.ts';
import { describeDifference, diffMultisets, readCommittedJsonLines } from '../recovery/support/committed-output.ts';

jest.setTimeout(240_000);
const BID_STATS = fileURLToPath(new URL('../../examples/recovery/bid-stats.ts', import.meta.url));
// 160,000 events at 4,000/s: 40 s of input, enough for three kills and their recoveries.
const INPUT = { events: 160_000, rate: 4000, windowMs: 1000 };
const KILLS = 3;

const allRunning = (s: JobStatus) => s.vertices.every((v) => v.subtasks.every((t) => t.state === 'RUNNING'));
/** Every subtask of the attempt was deployed and started (and may have finished since). */
const allStarted = (s: JobStatus) => s.vertices.every((v) => v.subtasks.every((t) => t.state === 'RUNNING' || t.state === 'FINISHED'));
/** The TaskManagers the current attempt's subtasks run on. */
const hostsOf = (s: JobStatus) => new Set(s.vertices.flatMap((v) => v.subtasks.map((t) => t.taskManagerId!)));
/** The process of a TaskManager id (`tm-<process index>-<start time>`, runtime/local/process-cluster.ts). */
function processIndexOf(taskManagerId: string): number {
  const m = /^tm-(\d+)-/.exec(taskManagerId);
  if (!m) throw new Error(`unexpected TaskManager id ${taskManagerId}`);
  return Number(m[1]);
}

/** Waits until the JobManager has a registered TaskManager with every slot free. */
async function standbyBack(mc: MiniCluster): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await mc.client.overview())['taskmanagers-standby'] < 1) {
    if (Date.now() > deadline) throw new Error('no standby TaskManager registered within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits for a completed checkpoint newer than `than`; returns its id. */
async function newerCheckpoint(mc: MiniCluster, id: string, than: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const completed = (await mc.client.checkpoints(id)).latest.completed?.id ?? 0;
    if (completed > than) return completed;
    if (Date.now() > deadline) throw new Error(`no checkpoint newer than ${than} within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a lost TaskManager is one failover', () => {
  let mc: MiniCluster;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'failover-count-'));
    // two TaskManagers for the job's two slots and one standby (a third process the job does not use)
    mc = await startMiniCluster({ taskManagers: 3, slotsPerTaskManager: 1, heartbeatTimeoutMs: 5000, checkpointIntervalMs: 1000, jobManagerArgs: ['--standby-taskmanagers', '1'] });
  });
  afterAll(async () => {
    await mc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('3 TaskManager SIGKILLs with checkpoints and the default restart strategy: 3 restarts onto the standby, FINISHED, exact output', async () => {
    const out = path.join(dir, 'out');
    // no restartStrategy: the JobManager's default (with checkpoints on: exponential delay, no attempt limit)
    const id = await mc.client.submit({
      jobUrl: resolveJobUrl(BID_STATS), parallelism: 2,
      params: { events: String(INPUT.events), rate: String(INPUT.rate), windowMs: String(INPUT.windowMs), out },
    });
    let restoredFrom = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      // running again after the previous kill, with a checkpoint newer than the one it restored from
      const before = await mc.client.waitFor(id, (s) => s.state === 'RUNNING' && s.restarts >= kill && allRunning(s), 60_000);
      restoredFrom = await newerCheckpoint(mc, id, restoredFrom);
      // a standby again: the previous kill's replacement process registered and the job does not use it
      await standbyBack(mc);
      const registeredBefore = new Set((await mc.client.taskManagers()).map((t) => t.id));
      const used = hostsOf(before);
      expect(used.size).toBe(2);
      const victim = [...used][kill % 2]!;
      mc.cluster.kill(processIndexOf(victim), 'SIGKILL');
      // the failure is noticed (a channel failure or the heartbeat) and the job restarts once, on
      // TaskManagers registered before the kill: the survivor and the standby, not a new process
      const after = await mc.client.waitFor(id, (s) => s.restarts >= kill + 1 && s.attempt > before.attempt && (s.state === 'RUNNING' || s.state === 'FINISHED') && allStarted(s), 60_000, 100);
      const now = hostsOf(after);
      expect(now.has(victim)).toBe(false);
      expect([...now].filter((tm) => !registeredBefore.has(tm))).toEqual([]);
    }
    const done = await mc.client.waitForTerminal(id, 180_000);
    expect({ state: done.state, cause: done['failure-cause'] }).toEqual({ state: 'FINISHED', cause: null });
    expect({ restarts: done.restarts, exceptions: done.exceptions.map((e) => e.message.split('\n')[0]) }).toEqual({ restarts: KILLS, exceptions: expect.any(Array) });
    const stats = await mc.client.checkpoints(id);
    expect(stats.counts.restored).toBeGreaterThanOrEqual(KILLS);

    const expected = expectedBidStats({ events: INPUT.events, windowMs: INPUT.windowMs }).map(canonicalBidStats);
    const actual = readCommittedJsonLines<BidStatsRow>(out).map(canonicalBidStats);
    expect(expected.length).toBeGreaterThan(1000);
    expect(describeDifference(diffMultisets(expected, actual))).toBe('equal');
  });
});
