// The checkpoint storage contract against a real local directory (the embedded default), plus
// what only a file system shows: files and directories on disk, permissions, no temp files left.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckpointStore } from '../../../runtime/storage/checkpoint-store.ts';
import { openObjectStore } from '../../../runtime/storage/open-object-store.ts';
import { describeCheckpointStorage } from './checkpoint-storage-contract.ts';

const roots: string[] = [];

describeCheckpointStorage('a local directory', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'millrace-storage-'));
  roots.push(root);
  return { store: openObjectStore(root), uriOf: (key) => pathToFileURL(path.join(root, key)).href, openOptions: {} };
}, async (b) => {
  b.store.close();
});

afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

describe('local checkpoint directory on disk', () => {
  test('files sit at the documented layout, readable only by the owner, without temp files', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'millrace-storage-'));
    roots.push(root);
    const store = openObjectStore(pathToFileURL(root).href);
    const checkpoints = new CheckpointStore({ store, job: { namespace: 'ns', deployment: 'dep', jobId: 'j1' } });
    const handle = await checkpoints.writer(1).writeStateFile({ operatorUid: 'agg', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } }, Buffer.from('{}'));
    await checkpoints.complete(1, [handle]);

    const dir = path.join(root, 'flink-jobs/ns/dep/j1/chk-1');
    expect((await readdir(dir)).sort()).toEqual(['_metadata', handle.file].sort());
    expect((await stat(path.join(dir, '_metadata'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, handle.file))).mode & 0o777).toBe(0o600);

    // a write that fails half-way leaves neither the object nor its temporary file behind
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(1024);
      throw new Error('disk went away');
    }
    await expect(store.put('flink-jobs/ns/dep/j1/chk-2/op.state', failing())).rejects.toMatchObject({ code: 'MR_ERR_STORAGE_IO' });
    expect(await readdir(path.join(root, 'flink-jobs/ns/dep/j1/chk-2'))).toEqual([]);
  });
});
