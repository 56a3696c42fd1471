// The job master's failover counting with a manual clock: a TaskManager that dies is one failure,
// whether the job hears of it from a task's broken channel, from the missing heartbeat, or from a
// refused deployment of the restarted attempt onto its slots (still registered until the heartbeat
// times out).

import pino from 'pino';
import bidCounts from '../../test/runtime/fixtures/bid-counts.job.ts';
import { buildStreamGraph } from '../api/environment.ts';
import { buildJobGraph } from '../graph/job-graph.ts';
import type { TaskDeploymentDescriptor } from '../taskmanager/deployment.ts';
import { JobMaster, type JobCheckpointing, type TaskManagerGateway } from './job-master.ts';
import type { JobSpec } from './job-spec.ts';
import { ResourceManager, type TaskManagerInfo } from './resource-manager.ts';
import { defaultRestartStrategySpec, fixedDelay, parseRestartStrategy } from './restart-strategy.ts';
import { ManualClock } from '../time/clock.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointCoordinator } from '../checkpoint/checkpoint-coordinator.ts';
import { CheckpointStorageAccess } from '../checkpoint/checkpoint-storage-access.ts';
import { StorageError } from '../storage/errors.ts';
import { LocalObjectStore } from '../storage/local-object-store.ts';
import type { SnapshotMetadata } from '../storage/snapshot-metadata.ts';
import { assignState } from '../checkpoint/state-assignment.ts';

const HEARTBEAT_TIMEOUT_MS = 5000;

/** TaskManagers as the JobManager reaches them: a dead one refuses connections. */
function gateway() {
  const dead = new Set<string>();
  const deployed: Array<{ tm: string; attempt: number; vertexId: string; subtaskIndex: number }> = [];
  const prepared: string[] = [];
  const gw: TaskManagerGateway = {
    async prepare(tm: TaskManagerInfo) {
      prepared.push(tm.id);
    },
    async deploy(tm: TaskManagerInfo, tdd: TaskDeploymentDescriptor) {
      if (dead.has(tm.id)) throw new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
      deployed.push({ tm: tm.id, attempt: tdd.attempt, vertexId: tdd.vertexId, subtaskIndex: tdd.subtaskIndex });
    },
    async cancel(tm: TaskManagerInfo) {
      if (dead.has(tm.id)) throw new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    },
  };
  return { gw, dead, deployed, prepared };
}

const flush = () => new Promise((r) => setImmediate(r));

function setUp(restartSpec: string, withCheckpointing?: (time: ManualClock) => JobCheckpointing, standbyTaskManagers = 0) {
  const time = new ManualClock();
  const g = gateway();
  const lost: { to?: JobMaster } = {};
  const rm = new ResourceManager(time, HEARTBEAT_TIMEOUT_MS, (tm) => lost.to?.onTaskManagerLost(tm), { standbyTaskManagers });
  const register = (id: string) => rm.register(id, `http://${id}`, [{ index: 0, address: `${id}:1` }], 1);
  register('tm-a');
  register('tm-b');
  for (let i = 0; i < standbyTaskManagers; i++) register(`tm-standby-${i}`);
  const spec: JobSpec = { jobUrl: 'file:///bid-counts.job.ts', params: {}, parallelism: 2, batchMode: false, latencyTrackingIntervalMs: 0 };
  const graph = buildJobGraph(buildStreamGraph(bidCounts, 2, { events: '0' }));
  const job = new JobMaster('job-1', spec, graph, parseRestartStrategy(restartSpec), {
    rm, gateway: g.gw, clock: time, log: pino({ level: 'silent' }), slotTimeoutMs: 60_000, checkpointing: withCheckpointing?.(time),
  });
  lost.to = job;
  const runAll = (attempt: number) => {
    for (const e of job.graph.all()) job.onTaskState({ attempt, vertexId: e.vertexId, subtaskIndex: e.subtaskIndex, state: 'RUNNING' });
  };
  return { time, g, rm, job, register, runAll };
}

describe('job master failover counting', () => {
  test('a killed TaskManager is one restart: channel failure, refused redeployment onto its slots, then its heartbeat loss', async () => {
    const { time, g, rm, job, register, runAll } = setUp('fixed-delay:attempts=1,delayMs=1000');
    job.start();
    await flush();
    runAll(0);
    expect(job.state).toBe('RUNNING');

    // tm-b is SIGKILLed: a task on tm-a sees its channel break at once
    g.dead.add('tm-b');
    const onA = job.graph.all().find((e) => e.taskManagerId === 'tm-a')!;
    job.onTaskState({ attempt: 0, vertexId: onA.vertexId, subtaskIndex: onA.subtaskIndex, state: 'FAILED', error: 'MR_ERR_CHANNEL_FAILED: connection to tm-b lost' });
    expect(job.state).toBe('RESTARTING');
    expect(job.restarts).toBe(1);

    // its replacement registers; the restart (1 s later) still sees tm-b's slot and deploys onto it
    register('tm-c');
    time.advance(1000);
    await flush();
    await flush();
    // the refused deployment declared tm-b lost and deployed again on the living TaskManagers
    expect(rm.taskManagers.has('tm-b')).toBe(false);
    expect(job.restarts).toBe(1);
    expect(job.state).toBe('RUNNING');
    const attempt = job.graph.attempt;
    expect(new Set(job.graph.all().map((e) => e.taskManagerId))).toEqual(new Set(['tm-a', 'tm-c']));
    runAll(attempt);

    // the heartbeat timeout would have found tm-b too: nothing of the running attempt is there
    time.advance(HEARTBEAT_TIMEOUT_MS);
    for (const tm of ['tm-a', 'tm-c']) rm.heartbeat(tm, { user: 0, system: 0 });
    rm.checkHeartbeats();
    expect(job.state).toBe('RUNNING');
    expect(job.restarts).toBe(1);
    expect(g.deployed.filter((d) => d.attempt === attempt).map((d) => d.tm).sort()).toEqual(job.graph.all().map((e) => e.taskManagerId).sort());
  });

  test('a killed TaskManager is one restart also when a task of the restart reaches its data port before its deployment fails', async () => {
    const { time, g, rm, job, register, runAll } = setUp('fixed-delay:attempts=1,delayMs=1000');
    job.start();
    await flush();
    runAll(0);

    const onA = job.graph.all().find((e) => e.taskManagerId === 'tm-a')!;
    // the input side of a broken connection names no address, so tm-b is not suspected
    job.onTaskState({ attempt: 0, vertexId: onA.vertexId, subtaskIndex: onA.subtaskIndex, state: 'FAILED', error: 'MR_ERR_CHANNEL_FAILED: upstream connection closed before end of partition (job-1/0/e1/1/0)' });
    expect(job.restarts).toBe(1);

    // the restart deploys onto tm-b's slot again; before that deployment is refused (here: it is
    // still in flight, so the gateway takes it), the task on tm-a connects to tm-b's data port and
    // reports the refusal
    register('tm-c');
    time.advance(1000);
    await flush();
    const attempt = job.graph.attempt;
    expect({ attempt, onB: job.graph.all().some((e) => e.taskManagerId === 'tm-b') }).toEqual({ attempt: 1, onB: true });
    g.dead.add('tm-b');
    const stillOnA = job.graph.all().find((e) => e.taskManagerId === 'tm-a')!;
    job.onTaskState({ attempt, vertexId: stillOnA.vertexId, subtaskIndex: stillOnA.subtaskIndex, state: 'FAILED', error: 'Error: MR_ERR_CHANNEL_FAILED: connection to tm-b:1 lost: connect ECONNREFUSED tm-b:1\n    at Socket.fail' });
    await flush();
    await flush();
    expect(rm.taskManagers.has('tm-b')).toBe(false);
    expect(job.restarts).toBe(1);
    expect(job.state).toBe('RUNNING');
    expect(new Set(job.graph.all().map((e) => e.taskManagerId))).toEqual(new Set(['tm-a', 'tm-c']));

    // a refused connection to an address that is no slot of the attempt is an ordinary failure,
    // counted: with the one attempt spent, the job fails
    runAll(job.graph.attempt);
    job.onTaskState({ attempt: job.graph.attempt, vertexId: stillOnA.vertexId, subtaskIndex: stillOnA.subtaskIndex, state: 'FAILED', error: 'MR_ERR_CHANNEL_FAILED: connection to elsewhere:9 lost: connect ECONNREFUSED elsewhere:9' });
    expect(job.state).toBe('FAILED');
  });

  test('a second TaskManager loss is a second restart, and with one attempt left the job fails then', async () => {
    const { time, g, job, register, runAll } = setUp('fixed-delay:attempts=1,delayMs=1000');
    job.start();
    await flush();
    runAll(0);
    g.dead.add('tm-b');
    job.onTaskManagerLost({ id: 'tm-b' } as TaskManagerInfo);
    register('tm-c');
    time.advance(1000);
    await flush();
    runAll(job.graph.attempt);
    expect({ state: job.state, restarts: job.restarts }).toEqual({ state: 'RUNNING', restarts: 1 });
    job.onTaskManagerLost({ id: 'tm-c' } as TaskManagerInfo);
    expect({ state: job.state, restarts: job.restarts }).toEqual({ state: 'FAILED', restarts: 1 });
  });

  test('with a standby TaskManager, the restart after a kill deploys onto it at once: no new TaskManager, nothing sent to the dead one', async () => {
    const { time, g, rm, job, runAll } = setUp('fixed-delay:attempts=1,delayMs=0', undefined, 1);
    job.start();
    await flush();
    expect(new Set(job.graph.all().map((e) => e.taskManagerId))).toEqual(new Set(['tm-a', 'tm-b']));
    expect(rm.standbyTaskManagers()).toBe(1);
    // the standby imports the job ahead (warm-up), nothing else does
    expect(g.prepared).toEqual(['tm-standby-0']);
    runAll(0);

    // tm-b is SIGKILLed: a task on tm-a loses its connection to tm-b's slot
    g.dead.add('tm-b');
    const onA = job.graph.all().find((e) => e.taskManagerId === 'tm-a')!;
    job.onTaskState({ attempt: 0, vertexId: onA.vertexId, subtaskIndex: onA.subtaskIndex, state: 'FAILED', error: 'MR_ERR_CHANNEL_FAILED: connection to tm-b:1 lost: read ECONNRESET' });
    time.advance(0);
    await flush();
    expect({ state: job.state, restarts: job.restarts, attempt: job.graph.attempt }).toEqual({ state: 'RUNNING', restarts: 1, attempt: 1 });
    expect(new Set(job.graph.all().map((e) => e.taskManagerId))).toEqual(new Set(['tm-a', 'tm-standby-0']));
    expect(g.deployed.filter((d) => d.attempt === 1 && d.tm === 'tm-b')).toEqual([]);
    runAll(1);

    // tm-b's heartbeat times out later: nothing of the running attempt is there, no second restart
    time.advance(HEARTBEAT_TIMEOUT_MS + 1);
    for (const tm of ['tm-a', 'tm-standby-0']) rm.heartbeat(tm, { user: 0, system: 0 });
    expect(rm.checkHeartbeats().map((t) => t.id)).toEqual(['tm-b']);
    expect({ state: job.state, restarts: job.restarts }).toEqual({ state: 'RUNNING', restarts: 1 });
  });

  test('with a standby, a task whose upstream connection closed (no address in the message) also sends the restart past the dead TaskManager, its subtasks back where they ran', async () => {
    const { time, g, job, runAll } = setUp('fixed-delay:attempts=1,delayMs=0', undefined, 1);
    job.start();
    await flush();
    runAll(0);
    const placed = new Map(job.graph.all().map((e) => [`${e.vertexId}/${e.subtaskIndex}`, e.taskManagerId]));
    // tm-b is SIGKILLed: a task on tm-a reads from an upstream subtask on tm-b, whose connection closes
    g.dead.add('tm-b');
    const edge = job.graph.jobGraph.vertices.flatMap((v) => v.inputs).find((e) => !e.partitioner.startsWith('forward'))!;
    const upstreamOnB = job.graph.all().find((e) => e.vertexId === edge.source && e.taskManagerId === 'tm-b')!;
    const onA = job.graph.all().find((e) => e.vertexId === edge.target && e.taskManagerId === 'tm-a')!;
    job.onTaskState({ attempt: 0, vertexId: onA.vertexId, subtaskIndex: onA.subtaskIndex, state: 'FAILED', error: `Error: MR_ERR_CHANNEL_FAILED: upstream connection closed before end of partition (job-1/0/${edge.id}/${upstreamOnB.subtaskIndex}/${onA.subtaskIndex})` });
    time.advance(0);
    await flush();
    expect({ state: job.state, restarts: job.restarts, attempt: job.graph.attempt }).toEqual({ state: 'RUNNING', restarts: 1, attempt: 1 });
    expect(g.deployed.filter((d) => d.attempt === 1 && d.tm === 'tm-b')).toEqual([]);
    // tm-a keeps its subtasks (their local state copies are there); tm-b's go to the standby
    for (const e of job.graph.all()) expect(e.taskManagerId).toBe(placed.get(`${e.vertexId}/${e.subtaskIndex}`) === 'tm-a' ? 'tm-a' : 'tm-standby-0');
  });

  test('a failing task is still a failure: one restart, a new attempt', async () => {
    const { time, job, runAll } = setUp('fixed-delay:attempts=3,delayMs=1000');
    job.start();
    await flush();
    runAll(0);
    job.onTaskState({ attempt: 0, vertexId: job.graph.all()[0]!.vertexId, subtaskIndex: 0, state: 'FAILED', error: 'MR_TEST_FAILURE: user code threw' });
    expect(job.restarts).toBe(1);
    time.advance(1000);
    await flush();
    expect({ state: job.state, attempt: job.graph.attempt, restarts: job.restarts }).toEqual({ state: 'RUNNING', attempt: 1, restarts: 1 });
  });
});

/** A local store that can be made unreachable (listing fails as S3 does in an outage). */
class FlakyStore extends LocalObjectStore {
  down = false;
  /** the latest listing, so a test can wait until it settled */
  lastList: Promise<string[]> | undefined;
  override listDirs(prefix: string): Promise<string[]> {
    this.lastList = this.down ? Promise.reject(new StorageError('MR_ERR_STORAGE_IO', `cannot list ${prefix}: the store is unreachable`)) : super.listDirs(prefix);
    return this.lastList;
  }
}

function checkpointingOn(store: FlakyStore) {
  return (time: ManualClock): JobCheckpointing => {
    const storage = new CheckpointStorageAccess({ storageUri: store.description, store, namespace: 'ns', deployment: 'dep', jobId: 'job-1', retained: 1, clock: time });
    const coordinator = new CheckpointCoordinator({ intervalMs: 3_600_000, timeoutMs: 60_000, minPauseMs: 0, tolerableFailures: 0 }, {
      jobId: 'job-1', clock: time, log: { info() {}, warn() {} }, storage,
      sendTrigger: async () => undefined, sendComplete: () => undefined, failJob: () => undefined,
    });
    return { coordinator, storage };
  };
}

/** Waits (real time, bounded) until `done`: the restart reads the local store with real file I/O. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
}

/** A running job with checkpoint storage whose task fails while the storage is unreachable. */
async function failedWithStorageDown() {
  const store = new FlakyStore({ directory: mkdtempSync(path.join(os.tmpdir(), 'job-master-')) });
  const { time, job, runAll } = setUp('fixed-delay:attempts=3,delayMs=1000', checkpointingOn(store));
  job.start();
  await flush();
  runAll(0);
  store.down = true;
  job.onTaskState({ attempt: 0, vertexId: job.graph.all()[0]!.vertexId, subtaskIndex: 0, state: 'FAILED', error: 'boom' });
  return { store, time, job, runAll };
}

describe('a restart that cannot read its restore point', () => {
  test('counts as another failure; once storage answers the job runs again', async () => {
    const { store, time, job, runAll } = await failedWithStorageDown();
    expect({ state: job.state, restarts: job.restarts }).toEqual({ state: 'RESTARTING', restarts: 1 });
    time.advance(1000);
    await until(() => job.restarts === 2);
    expect({ state: job.state, restarts: job.restarts }).toEqual({ state: 'RESTARTING', restarts: 2 });
    expect(job.exceptions.at(-1)?.message).toMatch(/^MR_ERR_RESTORE: .*unreachable/);
    store.down = false;
    time.advance(1000);
    await until(() => job.graph.attempt === 1);
    await flush();
    runAll(job.graph.attempt);
    expect({ state: job.state, restarts: job.restarts, attempt: job.graph.attempt }).toEqual({ state: 'RUNNING', restarts: 2, attempt: 1 });
  });

  test('a job canceled while its restart reads storage stays canceled', async () => {
    const { store, time, job } = await failedWithStorageDown();
    time.advance(1000); // the restart starts reading storage ...
    job.cancel(); // ... and the job is canceled before the read fails
    await until(() => job.state === 'CANCELED');
    await store.lastList?.catch(() => undefined); // the failed read settled ...
    await flush(); // ... and its handler ran
    time.advance(10_000);

    expect({ state: job.state, restarts: job.restarts }).toEqual({ state: 'CANCELED', restarts: 1 });
  });
});

describe('a restore point a task found damaged', () => {
  test('is recorded, never restored from again, and the restart falls back (here: to no state)', async () => {
    const store = new FlakyStore({ directory: mkdtempSync(path.join(os.tmpdir(), 'job-master-')) });
    const { time, job, runAll } = setUp('fixed-delay:attempts=3,delayMs=1000', checkpointingOn(store));
    const metadata: SnapshotMetadata = { formatVersion: 1, kind: 'savepoint', jobId: 'job-0', checkpointId: 7, timestamp: 1, totalSize: 0, operators: {} };
    const savepoint = {
      snapshot: { checkpointId: 7, path: `${store.description}/savepoints/sp-7`, metadata, target: { storageUri: store.description, dir: 'savepoints/sp-7/' } },
      isSavepoint: true,
      assignment: assignState(metadata, job.graph.jobGraph, true),
    };
    job.setInitialRestore(savepoint);
    job.start();
    await flush();
    runAll(0);
    expect(job.restoredFrom).toBe(savepoint);

    job.onTaskState({ attempt: 0, vertexId: job.graph.all()[0]!.vertexId, subtaskIndex: 0, state: 'FAILED', error: 'MR_ERR_CHECKPOINT_MISSING: a state file of savepoint 7 is gone' });
    expect(job.exceptions.map((e) => e.message.split(' (')[0])).toEqual(['MR_ERR_CHECKPOINT_MISSING: a state file of savepoint 7 is gone', `MR_ERR_RESTORE_UNUSABLE: savepoint 7 at ${savepoint.snapshot.path} cannot be restored`]);
    time.advance(1000);
    await until(() => job.graph.attempt === 1);
    await flush();
    runAll(1);
    expect({ state: job.state, attempt: job.graph.attempt, restarts: job.restarts, restoredFrom: job.restoredFrom }).toEqual({ state: 'RUNNING', attempt: 1, restarts: 1, restoredFrom: undefined });
  });
});

describe('default restart strategy', () => {
  test("with checkpoints on: Flink's exponential delay without an attempt limit", () => {
    const s = parseRestartStrategy(defaultRestartStrategySpec(true));
    expect(s.description).toBe('exponential-delay(initialMs=1000, maxMs=60000, multiplier=1.5, resetThresholdMs=3600000, jitter=0.1)');
    let t = 0;
    const delays: number[] = [];
    for (let i = 0; i < 200; i++) {
      const d = s.onFailure(t);
      expect(d).toBeDefined();
      delays.push(d!);
      t += d! + 10;
    }
    // 1 s first (± 10 % jitter), at most 1 min (+ 10 %)
    expect(delays[0]).toBeGreaterThanOrEqual(900);
    expect(delays[0]).toBeLessThanOrEqual(1100);
    expect(Math.max(...delays)).toBeLessThanOrEqual(66_000);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(54_000);
  });
  test('without checkpoints: three attempts a second apart', () => {
    expect(defaultRestartStrategySpec(false)).toBe('fixed-delay:attempts=3,delayMs=1000');
    const s = fixedDelay(3, 1000);
    expect([s.onFailure(0), s.onFailure(1), s.onFailure(2), s.onFailure(3)]).toEqual([1000, 1000, 1000, undefined]);
  });
});
