// What every storage backend must do for checkpoints and savepoints, written once and run
// against each real backend (local directory, S3 server): write, complete with _metadata last,
// list, find the latest, read and verify, fall back past corrupt or missing files, retain N,
// relocate and dispose savepoints.
import { Readable } from 'node:stream';
import { CheckpointStore } from '../../../runtime/storage/checkpoint-store.ts';
import { CheckpointRetentionPolicy } from '../../../runtime/storage/retention-policy.ts';
import type { ObjectStore } from '../../../runtime/storage/object-store.ts';
import type { OpenObjectStoreOptions } from '../../../runtime/storage/open-object-store.ts';
import { openSnapshot } from '../../../runtime/storage/open-snapshot.ts';
import { SavepointStore } from '../../../runtime/storage/savepoint-store.ts';
import type { StateFileHandle } from '../../../runtime/storage/snapshot-metadata.ts';
import { openStateFile, readStateFile } from '../../../runtime/storage/snapshot-reader.ts';
import type { StorageError } from '../../../runtime/storage/errors.ts';

export interface BackendUnderTest {
  /** a fresh, empty store (its own prefix or directory) */
  store: ObjectStore;
  /** the URI of `key` for openSnapshot, and how to open it */
  uriOf(key: string): string;
  openOptions: OpenObjectStoreOptions;
}

const job = { namespace: 'team-a', deployment: 'orders', jobId: 'job-0001' };
const clock = { now: () => 1_767_225_600_000 };

function keyedState(subtask: number, keys: number): Buffer {
  const state: Record<string, number> = {};
  for (let k = 0; k < keys; k++) state[`key-${subtask}-${k}`] = k * 3;
  return Buffer.from(JSON.stringify({ keyed: { maxParallelism: 128, keyGroups: { counts: state } } }));
}

/** Writes a complete checkpoint n: two keyed subtasks (one streamed) and a source subtask. */
async function writeCheckpoint(store: CheckpointStore, n: number, opts: { complete?: boolean } = {}): Promise<StateFileHandle[]> {
  const w = store.writer(n);
  const handles = [
    await w.writeStateFile({ operatorUid: 'count-per-key', subtaskIndex: 0, parallelism: 2, maxParallelism: 128, keyGroupRange: { start: 0, end: 63 } }, keyedState(0, 50 * n)),
    await w.writeStateFile(
      { operatorUid: 'count-per-key', subtaskIndex: 1, parallelism: 2, maxParallelism: 128, keyGroupRange: { start: 64, end: 127 } },
      Readable.from([keyedState(1, 30 * n), Buffer.from(' ')]),
    ),
    await w.writeStateFile({ operatorUid: 'nexmark-source', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, sourcePosition: { emitted: 1000 * n } }, Buffer.from(JSON.stringify({ emitted: 1000 * n }))),
  ];
  if (opts.complete ?? true) await store.complete(n, handles);
  return handles;
}

async function keysOf(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await store.list(prefix)).map((o) => o.key.slice(prefix.length));
}

export function describeCheckpointStorage(name: string, setup: () => Promise<BackendUnderTest>, teardown: (b: BackendUnderTest) => Promise<void>): void {
  describe(`checkpoint storage on ${name}`, () => {
    let backend: BackendUnderTest;
    let checkpoints: CheckpointStore;
    beforeEach(async () => {
      backend = await setup();
      checkpoints = new CheckpointStore({ store: backend.store, job, clock });
    });
    afterEach(() => teardown(backend));

    test('a checkpoint is complete only once its _metadata is written, and reads back verified', async () => {
      const handles = await writeCheckpoint(checkpoints, 1, { complete: false });
      expect(await checkpoints.listCheckpointDirs()).toEqual([{ checkpointId: 1, complete: false }]);
      expect(await checkpoints.latestCompletedId()).toBeUndefined();

      await checkpoints.complete(1, handles);
      expect(await checkpoints.listCompleted()).toEqual([1]);
      expect(await keysOf(backend.store, 'flink-jobs/team-a/orders/job-0001/chk-1/')).toEqual(['_metadata', ...handles.map((h) => h.file)].sort());

      const read = await checkpoints.read(1);
      expect(read.metadata).toMatchObject({ formatVersion: 1, kind: 'checkpoint', jobId: 'job-0001', checkpointId: 1, timestamp: clock.now() });
      expect(read.metadata.operators['count-per-key']!.files.map((f) => f.keyGroupRange)).toEqual([{ start: 0, end: 63 }, { start: 64, end: 127 }]);
      expect(read.metadata.operators['nexmark-source']!.files[0]!.sourcePosition).toEqual({ emitted: 1000 });
      expect(read.metadata.totalSize).toBe(handles.reduce((s, h) => s + h.size, 0));
      const streamed = read.metadata.operators['count-per-key']!.files[1]!;
      expect((await readStateFile(read, streamed)).toString()).toBe(`${keyedState(1, 30).toString()} `);
    });

    test('the latest completed checkpoint is the highest id whose _metadata exists', async () => {
      for (const n of [1, 2, 3]) await writeCheckpoint(checkpoints, n);
      await writeCheckpoint(checkpoints, 4, { complete: false });
      expect(await checkpoints.listCompleted()).toEqual([1, 2, 3]);
      expect(await checkpoints.latestCompletedId()).toBe(3);
      const { checkpoint, skipped } = await checkpoints.latestUsable();
      expect(checkpoint?.checkpointId).toBe(3);
      expect(skipped).toEqual([]);
    });

    test('a corrupt state file is MR_ERR_CHECKPOINT_CORRUPT naming the file, and recovery falls back to the previous checkpoint', async () => {
      await writeCheckpoint(checkpoints, 1);
      const handles = await writeCheckpoint(checkpoints, 2);
      const victim = `${checkpoints.dirOf(2)}${handles[0]!.file}`;
      const bytes = await backend.store.get(victim);
      bytes[10] = bytes[10]! ^ 0xff; // same size, different content
      await backend.store.put(victim, bytes);

      await expect(checkpoints.read(2)).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_CORRUPT', file: `${backend.store.description}${victim}`, message: expect.stringContaining('sha256') });
      const { checkpoint, skipped } = await checkpoints.latestUsable();
      expect(checkpoint?.checkpointId).toBe(1);
      expect(skipped.map((s) => [s.checkpointId, s.error.code, s.error.file])).toEqual([[2, 'MR_ERR_CHECKPOINT_CORRUPT', `${backend.store.description}${victim}`]]);

      // restoring by stream: the bytes flow, and the stream fails at its end instead of ending cleanly
      const unverified = await checkpoints.read(2, { verify: false });
      const received: Buffer[] = [];
      const streamed = await openStateFile(unverified, unverified.metadata.operators['count-per-key']!.files[0]!);
      await expect((async () => { for await (const chunk of streamed) received.push(chunk as Buffer); })()).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_CORRUPT' });
      expect(Buffer.concat(received).length).toBe(bytes.length);

      // truncated: the size check catches it first
      await backend.store.put(victim, bytes.subarray(0, 5));
      await expect(checkpoints.read(2)).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_CORRUPT', message: expect.stringContaining('has 5 bytes') });
    });

    test('a missing state file is MR_ERR_CHECKPOINT_MISSING naming the file; a corrupt _metadata is MR_ERR_CHECKPOINT_CORRUPT', async () => {
      await writeCheckpoint(checkpoints, 1);
      const handles = await writeCheckpoint(checkpoints, 2);
      await writeCheckpoint(checkpoints, 3);
      const gone = `${checkpoints.dirOf(3)}${handles[2]!.file}`;
      await backend.store.delete(gone);
      await backend.store.put(`${checkpoints.dirOf(2)}_metadata`, Buffer.from('{"formatVersion":1,'));

      await expect(checkpoints.read(3)).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_MISSING', file: `${backend.store.description}${gone}` });
      await expect(checkpoints.read(2)).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_CORRUPT', file: `${backend.store.description}${checkpoints.dirOf(2)}_metadata` });
      const { checkpoint, skipped } = await checkpoints.latestUsable();
      expect(checkpoint?.checkpointId).toBe(1);
      expect(skipped.map((s: { checkpointId: number; error: StorageError }) => [s.checkpointId, s.error.code])).toEqual([[3, 'MR_ERR_CHECKPOINT_MISSING'], [2, 'MR_ERR_CHECKPOINT_CORRUPT']]);
      // without verification the missing file is not noticed (a cheap listing for status pages)
      expect((await checkpoints.read(3, { verify: false })).checkpointId).toBe(3);
    });

    test('_metadata copied from another checkpoint is refused', async () => {
      await writeCheckpoint(checkpoints, 1);
      await writeCheckpoint(checkpoints, 2, { complete: false });
      await backend.store.put(`${checkpoints.dirOf(2)}_metadata`, await backend.store.get(`${checkpoints.dirOf(1)}_metadata`));
      await expect(checkpoints.read(2)).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_CORRUPT', message: expect.stringContaining('describes checkpoint 1') });
    });

    test('completing with a file that was never stored fails and leaves the checkpoint incomplete', async () => {
      const handles = await writeCheckpoint(checkpoints, 1, { complete: false });
      const ghost = { ...handles[0]!, subtaskIndex: 5, keyGroupRange: { start: 100, end: 101 }, file: 'never-written.state' };
      const wrongSize = { ...handles[0]!, size: handles[0]!.size + 1 };
      await expect(checkpoints.complete(1, [wrongSize, ...handles.slice(1)])).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_INCOMPLETE' });
      await expect(checkpoints.complete(1, [handles[2]!, ghost])).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_INCOMPLETE', message: expect.stringContaining('never-written.state') });
      expect(await checkpoints.listCompleted()).toEqual([]);
    });

    test('retention keeps the newest N completed checkpoints and removes older and leftover directories', async () => {
      for (const n of [1, 2]) await writeCheckpoint(checkpoints, n);
      await writeCheckpoint(checkpoints, 3, { complete: false }); // failed attempt
      for (const n of [4, 5]) await writeCheckpoint(checkpoints, n);
      await writeCheckpoint(checkpoints, 6, { complete: false }); // in progress

      const plan = await checkpoints.applyRetention(new CheckpointRetentionPolicy(2));
      expect(plan).toEqual({ retained: [4, 5], discard: [1, 2, 3] });
      expect(await checkpoints.listCheckpointDirs()).toEqual([{ checkpointId: 4, complete: true }, { checkpointId: 5, complete: true }, { checkpointId: 6, complete: false }]);
      expect((await backend.store.list('flink-jobs/team-a/orders/job-0001/chk-1/')).length).toBe(0);
      expect((await checkpoints.read(4)).checkpointId).toBe(4);

      // once the coordinator says nothing is in progress, chk-6 is a leftover too
      expect(await checkpoints.applyRetention(new CheckpointRetentionPolicy(2), { inProgress: new Set() })).toEqual({ retained: [4, 5], discard: [6] });
      expect(await backend.store.listDirs('flink-jobs/team-a/orders/job-0001/')).toEqual(['chk-4', 'chk-5']);
    });

    test('a savepoint is self-contained: moved elsewhere it restores from its new path, and dispose removes it', async () => {
      const deployment = { namespace: 'team-a', deployment: 'orders' };
      const savepoints = new SavepointStore({ store: backend.store, deployment, clock });
      const w = savepoints.writer('sp-1');
      const handles = [
        await w.writeStateFile({ operatorUid: 'count-per-key', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } }, keyedState(0, 100)),
        await w.writeStateFile({ operatorUid: 'nexmark-source', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, sourcePosition: { emitted: 9000 } }, Buffer.from('{"emitted":9000}')),
      ];
      await savepoints.complete('sp-1', { jobId: 'job-0001', checkpointId: 12 }, handles);
      expect(await savepoints.listCompleted()).toEqual(['sp-1']);
      expect(savepoints.pathOf('sp-1')).toBe(`${backend.store.description}flink-savepoints/team-a/orders/savepoint-sp-1/`);
      const stored = await savepoints.read('sp-1');
      expect(stored.metadata).toMatchObject({ kind: 'savepoint', savepointId: 'sp-1', checkpointId: 12, timestamp: clock.now() });

      // relocate: copy every object to an unrelated prefix, then drop the original
      const from = savepoints.dirOf('sp-1');
      for (const { key } of await backend.store.list(from)) await backend.store.put(`moved/elsewhere/${key.slice(from.length)}`, await backend.store.get(key));
      expect(await savepoints.dispose('sp-1')).toBe(3);
      expect(await backend.store.list(from)).toEqual([]);
      expect(await savepoints.listCompleted()).toEqual([]);
      await expect(savepoints.read('sp-1')).rejects.toMatchObject({ code: 'MR_ERR_CHECKPOINT_MISSING' });

      const moved = await openSnapshot(backend.uriOf('moved/elsewhere/'), backend.openOptions);
      try {
        expect(moved.metadata).toEqual(stored.metadata);
        const keyed = moved.metadata.operators['count-per-key']!.files[0]!;
        expect(JSON.parse((await readStateFile(moved, keyed)).toString())).toEqual(JSON.parse(keyedState(0, 100).toString()));
      } finally {
        moved.store.close();
      }
    });

    test('a failed write leaves the previous object intact and no partial object visible', async () => {
      const key = 'flink-jobs/team-a/orders/job-0001/chk-1/op.state';
      await backend.store.put(key, Buffer.from('previous'));
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield Buffer.alloc(64 * 1024, 1);
        throw new Error('the subtask died mid-upload');
      }
      await expect(backend.store.put(key, failing())).rejects.toMatchObject({ code: 'MR_ERR_STORAGE_IO', message: expect.stringContaining('the subtask died mid-upload') });
      expect((await backend.store.get(key)).toString()).toBe('previous');
      expect(await keysOf(backend.store, 'flink-jobs/team-a/orders/job-0001/chk-1/')).toEqual(['op.state']);
    });

    test('create writes only when the key is free: of concurrent writers exactly one wins, whole', async () => {
      const key = 'drafts/namespaces/team-a/top-bids/000001.json';
      const writers = Array.from({ length: 6 }, (_, i) => Buffer.from(`writer-${i}`.repeat(1000)));
      const won = await Promise.all(writers.map((bytes) => backend.store.create(key, bytes)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await backend.store.get(key)).toString()).toBe(writers[won.indexOf(true)]!.toString());
      expect(await backend.store.create(key, Buffer.from('later'))).toBe(false);
      expect(await keysOf(backend.store, 'drafts/namespaces/team-a/top-bids/')).toEqual(['000001.json']);
    });
  });
}
