// Failure handling as pure decisions on a manual clock: the restart strategy's budget and backoff,
// and the fall-back from a snapshot a failure found damaged.

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointStorageAccess } from '../../checkpoint/checkpoint-storage-access.ts';
import { assignState } from '../../checkpoint/state-assignment.ts';
import type { JobGraph, JobVertex } from '../../graph/job-graph.ts';
import { LocalObjectStore } from '../../storage/local-object-store.ts';
import type { SnapshotMetadata } from '../../storage/snapshot-metadata.ts';
import { ManualClock } from '../../time/clock.ts';
import { exponentialDelay, fixedDelay } from '../restart-strategy.ts';
import { FailureHandler } from './failure-handler.ts';
import { RestoreChoice, type RestoreSource } from './restore-choice.ts';

const vertex = (id: string, uids: string[]): JobVertex => ({ id, name: id, parallelism: 1, maxParallelism: 128, chain: [], uids, isSource: id === 'v0', inputs: [], outputs: [] });
const graph: JobGraph = { name: 'g', bounded: false, maxParallelism: 128, vertices: [vertex('v0', ['src'])] };
const metadata: SnapshotMetadata = {
  formatVersion: 1, kind: 'savepoint', jobId: 'j', checkpointId: 7, timestamp: 1, totalSize: 1,
  operators: { src: { parallelism: 1, maxParallelism: 128, files: [{ subtaskIndex: 0, file: 'f-0', size: 1, sha256: '0'.repeat(64) }] } },
};
const savepoint: RestoreSource = {
  snapshot: { checkpointId: 7, path: '/store/savepoints/sp-7', metadata, target: { storageUri: '/store', dir: 'savepoints/sp-7/' } },
  isSavepoint: true,
  assignment: assignState(metadata, graph, false),
};

/** Checkpoint storage without any completed checkpoint (a real one, on a temporary directory). */
function emptyStorage(): CheckpointStorageAccess {
  const store = new LocalObjectStore({ directory: mkdtempSync(path.join(os.tmpdir(), 'failure-handler-')) });
  return new CheckpointStorageAccess({ storageUri: store.description, store, namespace: 'ns', deployment: 'dep', jobId: 'j', retained: 1 });
}

describe('failure handler', () => {
  test('restarts while the strategy allows, at the time the clock gives, then fails the job', () => {
    const clock = new ManualClock(1_000);
    const handler = new FailureHandler(fixedDelay(2, 500), new RestoreChoice());
    const first = handler.handle('boom', clock.now());
    clock.advance(600);
    const second = handler.handle('boom again', clock.now());
    clock.advance(600);
    const third = handler.handle('boom a third time', clock.now());
    expect([first, second, third].map((h) => [h.timestamp, h.restartDelayMs])).toEqual([[1_000, 500], [1_600, 500], [2_200, undefined]]);
    expect(third).toEqual({ timestamp: 2_200, cause: 'boom a third time', unusable: undefined, restartDelayMs: undefined });
  });

  test('backoff grows with failures close together and starts over after a quiet period', () => {
    const clock = new ManualClock();
    const handler = new FailureHandler(exponentialDelay({ initialMs: 100, maxMs: 1_000, multiplier: 2, resetThresholdMs: 60_000, jitter: 0 }), new RestoreChoice());
    const delays: Array<number | undefined> = [];
    for (let i = 0; i < 5; i++) {
      delays.push(handler.handle('boom', clock.now()).restartDelayMs);
      clock.advance(2_000);
    }
    clock.advance(60_000);
    delays.push(handler.handle('boom', clock.now()).restartDelayMs);
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 100]);
  });

  test('a failure that finds the savepoint damaged drops it: the next attempt starts without state', async () => {
    const points = new RestoreChoice();
    points.setInitial(savepoint);
    const handler = new FailureHandler(fixedDelay(3, 0), points);
    const storage = emptyStorage();

    // an ordinary failure keeps restoring from the savepoint
    expect(handler.handle('MR_TEST_FAILURE: user code threw', 0).unusable).toBeUndefined();
    expect(await points.choose(storage, graph)).toEqual([]);
    expect(points.restoreFrom).toBe(savepoint);

    const missing = "MR_ERR_CHECKPOINT_MISSING: state file f-0 of operator 'src' is gone\nat line 2";
    expect(handler.handle(missing, 10).unusable).toEqual({
      checkpointId: 7,
      message: "MR_ERR_RESTORE_UNUSABLE: savepoint 7 at /store/savepoints/sp-7 cannot be restored (MR_ERR_CHECKPOINT_MISSING: state file f-0 of operator 'src' is gone); falling back to the previous checkpoint",
    });
    expect(await points.choose(storage, graph)).toEqual([]);
    expect(points.restoreFrom).toBeUndefined();
  });

  test('the coordinator\'s latest completed checkpoint is restored without reading storage, unless a task found it damaged', async () => {
    const checkpoint = { checkpointId: 9, path: '/store/chk-9/', metadata: { ...metadata, kind: 'checkpoint' as const, checkpointId: 9 }, target: { storageUri: '/store', dir: 'chk-9/' } };
    const points = new RestoreChoice();
    const handler = new FailureHandler(fixedDelay(3, 0), points);
    let asked = 0;
    const storage = { latestCompleted: async () => { asked++; return { checkpoint: undefined, skipped: [] }; } };
    expect(await points.choose(storage, graph, checkpoint)).toEqual([]);
    expect(points.restoreFrom?.snapshot).toBe(checkpoint);
    expect(asked).toBe(0);

    expect(handler.handle("MR_ERR_CHECKPOINT_CORRUPT: state file f-0 of operator 'src' has sha256 1", 0).unusable?.checkpointId).toBe(9);
    expect(await points.choose(storage, graph, checkpoint)).toEqual([]);
    expect(asked).toBe(1);
    expect(points.restoreFrom).toBeUndefined();
  });
});
