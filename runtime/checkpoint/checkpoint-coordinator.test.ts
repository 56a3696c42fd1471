import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalObjectStore } from '../storage/local-object-store.ts';
import { SnapshotWriter } from '../storage/snapshot-writer.ts';
import { CheckpointCoordinator, nextTriggerDelay, type CheckpointSettings } from './checkpoint-coordinator.ts';
import { CheckpointStorageAccess } from './checkpoint-storage-access.ts';
import type { NotifyCheckpointAborted, NotifyCheckpointComplete, TriggerCheckpoint } from './messages.ts';
import { ManualClock } from '../time/clock.ts';

/** the coordinator completes asynchronously (storage I/O): wait until nothing is in flight */
async function settled(c: CheckpointCoordinator, id: number): Promise<void> {
  for (let i = 0; i < 500 && c.inFlight === id; i++) await new Promise((r) => setTimeout(r, 10));
}
const TASKS = ['v1/0', 'v1/1', 'v2/0'];

function setup(settings: Partial<CheckpointSettings> = {}, makeStore = (directory: string) => new LocalObjectStore({ directory })) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-'));
  const store = makeStore(dir);
  const time = new ManualClock(1_000_000);
  const storage = new CheckpointStorageAccess({ storageUri: dir, store, namespace: 'ns', deployment: 'dep', jobId: 'job1', retained: 2, clock: time });
  const triggers: TriggerCheckpoint[] = [];
  const completes: NotifyCheckpointComplete[] = [];
  const aborted: NotifyCheckpointAborted[] = [];
  const failures: string[] = [];
  const c = new CheckpointCoordinator({ intervalMs: 1000, timeoutMs: 5000, minPauseMs: 0, tolerableFailures: 0, ...settings }, {
    jobId: 'job1', clock: time, log: { info() {}, warn() {} }, storage,
    sendTrigger: async (t) => void triggers.push(t), sendComplete: (n) => void completes.push(n), sendAborted: (n) => void aborted.push(n), failJob: (cause) => void failures.push(cause),
  });
  /** the given tasks write one state file each and acknowledge */
  const ack = async (t: TriggerCheckpoint, keys: readonly string[], attempt = t.attempt) => {
    for (const key of keys) {
      const [vertexId, sub] = key.split('/');
      const handle = await new SnapshotWriter(store, t.target.dir).writeStateFile({ operatorUid: `op-${vertexId}`, subtaskIndex: Number(sub), parallelism: vertexId === 'v1' ? 2 : 1, maxParallelism: 128 }, Buffer.from(`${key}@${t.checkpointId}`));
      c.acknowledge({ jobId: 'job1', attempt, checkpointId: t.checkpointId, vertexId: vertexId!, subtaskIndex: Number(sub), handles: [handle], alignmentMs: 3, syncMs: 1, asyncMs: 1 });
    }
  };
  /** every task writes one state file and acknowledges */
  const ackAll = async (t: TriggerCheckpoint, attempt = t.attempt) => {
    await ack(t, TASKS, attempt);
    if (attempt === t.attempt) await settled(c, t.checkpointId);
  };
  return { dir, store, time, storage, triggers, completes, aborted, failures, c, ack, ackAll };
}

describe('checkpoint coordinator', () => {
  test('the trigger delay honours interval and min pause', () => {
    expect(nextTriggerDelay({ now: 100, intervalMs: 1000, minPauseMs: 0, lastTriggerAt: 0, lastEndAt: 50 })).toBe(900);
    expect(nextTriggerDelay({ now: 100, intervalMs: 1000, minPauseMs: 2000, lastTriggerAt: 0, lastEndAt: 50 })).toBe(1950);
    expect(nextTriggerDelay({ now: 5000, intervalMs: 1000, minPauseMs: 0, lastTriggerAt: 0, lastEndAt: 0 })).toBe(0);
  });

  test('periodic checkpoints: one at a time, completed with _metadata when all subtasks acknowledged, tasks notified, retention applied', async () => {
    const { c, time, triggers, completes, ackAll, dir, storage } = setup();
    time.advance(5000);
    expect(triggers).toHaveLength(0); // not running yet
    c.attemptRunning(0, TASKS);
    time.advance(999);
    expect(triggers).toHaveLength(0);
    time.advance(1);
    expect(triggers.map((t) => t.checkpointId)).toEqual([1]);
    time.advance(3000);
    expect(triggers).toHaveLength(1); // at most one in flight
    expect(c.stats.inProgressCount).toBe(1);
    await ackAll(triggers[0]!);
    expect(completes).toEqual([{ jobId: 'job1', attempt: 0, checkpointId: 1 }]);
    expect(c.latest?.checkpointId).toBe(1);
    expect(existsSync(path.join(dir, 'flink-jobs/ns/dep/job1/chk-1/_metadata'))).toBe(true);
    expect(c.latest?.metadata.operators['op-v1']?.files).toHaveLength(2);
    for (let i = 0; i < 3; i++) {
      time.advance(1000);
      await ackAll(triggers.at(-1)!);
    }
    expect(triggers.map((t) => t.checkpointId)).toEqual([1, 2, 3, 4]);
    // retention runs after completion, in the background
    for (let i = 0; i < 200 && (await storage.checkpoints.listCompleted()).length > 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await storage.checkpoints.listCompleted()).toEqual([3, 4]); // 2 retained
    const rest = c.stats.toRest() as { counts: { completed: number }; latest: { completed: { id: number; state_size: number; alignment_duration: number } } };
    expect(rest.counts.completed).toBe(4);
    expect(rest.latest.completed).toMatchObject({ id: 4, alignment_duration: 3 });
    expect(rest.latest.completed.state_size).toBeGreaterThan(0);
  });

  test('retention after a completion deletes an aborted checkpoint, not the one triggered while it lists', async () => {
    // retention runs in the background; its listing is held here until the next checkpoint's
    // first subtasks have written their files, as happens with short intervals on a busy machine
    let holding = false;
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let listing!: () => void;
    const listed = new Promise<void>((r) => (listing = r));
    class SlowListing extends LocalObjectStore {
      override async listDirs(prefix: string): Promise<string[]> {
        if (holding) {
          listing();
          await hold;
        }
        return super.listDirs(prefix);
      }
    }
    const { c, time, triggers, failures, ack, ackAll, dir, storage } = setup({ tolerableFailures: 1 }, (directory) => new SlowListing({ directory }));
    const chk = (id: number) => path.join(dir, `flink-jobs/ns/dep/job1/chk-${id}`);
    c.attemptRunning(0, TASKS);
    time.advance(1000);
    await ack(triggers[0]!, ['v1/0']);
    c.decline({ jobId: 'job1', attempt: 0, checkpointId: 1, vertexId: 'v2', subtaskIndex: 0, reason: 'test' });
    expect(existsSync(chk(1))).toBe(true); // aborted, left to retention
    time.advance(1000);
    holding = true;
    await ackAll(triggers[1]!); // checkpoint 2 completes; retention waits in its listing
    await listed;
    time.advance(1000);
    expect(triggers.map((t) => t.checkpointId)).toEqual([1, 2, 3]);
    await ack(triggers[2]!, ['v1/0', 'v1/1']); // two of three subtasks stored their files
    release();
    for (let i = 0; i < 200 && existsSync(chk(1)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(chk(1))).toBe(false);
    await ack(triggers[2]!, ['v2/0']);
    await settled(c, 3);
    expect(failures).toEqual([]);
    expect(c.latest?.checkpointId).toBe(3);
    expect(await storage.checkpoints.listCompleted()).toEqual([2, 3]);
  });

  test('acknowledgements of another attempt or checkpoint are ignored', async () => {
    const { c, time, triggers, completes, ackAll } = setup();
    c.attemptRunning(2, TASKS);
    time.advance(1000);
    await ackAll(triggers[0]!, 1);
    expect(completes).toEqual([]);
    await ackAll(triggers[0]!, 2);
    expect(completes).toHaveLength(1);
  });

  test('an expired checkpoint is a failure; beyond the tolerable number the job fails', async () => {
    const { c, time, triggers, failures, aborted } = setup({ tolerableFailures: 1, timeoutMs: 500 });
    c.attemptRunning(0, TASKS);
    time.advance(1000);
    time.advance(500);
    expect(c.stats.failedCount).toBe(1);
    // the tasks are told, so they drop the snapshot they may still be serializing
    expect(aborted).toEqual([{ jobId: 'job1', attempt: 0, checkpointId: 1 }]);
    expect(failures).toEqual([]);
    time.advance(1000);
    expect(triggers).toHaveLength(2);
    time.advance(500);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/MR_ERR_CHECKPOINT_TOLERANCE: 2 consecutive checkpoint failures exceed the tolerable 1/);
    expect((c.stats.toRest() as { latest: { failed: { failure_message: string } } }).latest.failed.failure_message).toMatch(/MR_ERR_CHECKPOINT_EXPIRED/);
  });

  test('a savepoint asked for while the tasks are still deploying is taken once they all run; one asked for after the job ended is refused', async () => {
    const { c, triggers, ackAll } = setup();
    const early = c.triggerSavepoint({});
    expect(triggers).toHaveLength(0);
    c.attemptRunning(0, TASKS);
    expect(triggers.map((t) => t.isSavepoint)).toEqual([true]);
    await ackAll(triggers[0]!);
    await expect(early).resolves.toMatchObject({ checkpointId: 1, metadata: { kind: 'savepoint' } });
    const cutShort = c.triggerSavepoint({});
    c.shutdown('the job is FINISHED');
    await expect(cutShort).rejects.toThrow(/MR_ERR_SAVEPOINT_FAILED: the job is FINISHED/);
    await expect(c.triggerSavepoint({})).rejects.toThrow(/MR_ERR_SAVEPOINT_NOT_RUNNING: .* has ended/);
  });

  test('a failover aborts the checkpoint in flight without counting it as a failure', async () => {
    const { c, time, triggers, failures } = setup();
    c.attemptRunning(0, TASKS);
    time.advance(1000);
    c.attemptStopped('task failed');
    expect(failures).toEqual([]);
    expect(c.inProgress).toBe(false);
    time.advance(10_000);
    expect(triggers).toHaveLength(1);
  });

  test('a savepoint waits for the checkpoint in flight, is written as a savepoint, and stop-with-savepoint ends checkpointing', async () => {
    const { c, time, triggers, completes, ackAll, storage } = setup();
    c.attemptRunning(0, TASKS);
    time.advance(1000);
    const sp = c.triggerSavepoint({ stopAfter: true });
    expect(triggers).toHaveLength(1);
    await ackAll(triggers[0]!);
    expect(triggers.map((t) => [t.checkpointId, t.isSavepoint])).toEqual([[1, false], [2, true]]);
    expect(triggers[1]!.target.dir).toMatch(/^flink-savepoints\/ns\/dep\/savepoint-job1-[0-9a-f]{12}\/$/);
    await ackAll(triggers[1]!);
    const done = await sp;
    expect(done.metadata.kind).toBe('savepoint');
    expect(completes.at(-1)).toEqual({ jobId: 'job1', attempt: 0, checkpointId: 2, stopAfter: true });
    expect(await storage.savepoints.listCompleted()).toHaveLength(1);
    time.advance(10_000);
    expect(triggers).toHaveLength(2);
  });

  test('checkpoints go on after tasks finish: a finished task is not waited for, unless it snapshotted the checkpoint in flight', async () => {
    const { c, time, triggers, completes, store } = setup();
    c.attemptRunning(0, TASKS);
    time.advance(1000);
    const t = triggers[0]!;
    const ack = async (key: string) => {
      const [vertexId, sub] = key.split('/');
      const handle = await new SnapshotWriter(store, t.target.dir).writeStateFile({ operatorUid: `op-${vertexId}`, subtaskIndex: Number(sub), parallelism: vertexId === 'v1' ? 2 : 1, maxParallelism: 128 }, Buffer.from(key));
      c.acknowledge({ jobId: 'job1', attempt: 0, checkpointId: t.checkpointId, vertexId: vertexId!, subtaskIndex: Number(sub), handles: [handle], alignmentMs: 0, syncMs: 0, asyncMs: 0 });
    };
    await ack('v1/0');
    c.taskFinished(0, 'v2/0', 1); // snapshotted checkpoint 1 before it finished: its ack is awaited
    c.taskFinished(0, 'v1/1', 0); // finished before the barrier: not awaited
    expect(c.inFlight).toBe(1);
    await ack('v2/0');
    await settled(c, 1);
    expect(completes.map((n) => n.checkpointId)).toEqual([1]);
    time.advance(1000);
    expect(triggers.map((x) => x.checkpointId)).toEqual([1, 2]); // the remaining task goes on checkpointing
    c.taskFinished(0, 'v1/0', 0);
    c.taskFinished(0, 'v2/0', 1);
    expect(c.inProgress).toBe(false); // every task finished: nothing left to checkpoint
    time.advance(10_000);
    expect(triggers).toHaveLength(2);
  });
});
