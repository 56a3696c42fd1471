// "Latest" follows the store's own write times, not the timestamp a writer put in _metadata: a
// snapshot written earlier that claims a later time is not chosen over the one written last.
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore } from '../storage/checkpoint-store.ts';
import { LocalObjectStore } from '../storage/local-object-store.ts';
import { SavepointStore } from '../storage/savepoint-store.ts';
import { latestOfDeployment, latestSavepointOf } from './restore-points.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'restore-points-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const scope = { namespace: 'team', deployment: 'orders' };
const FUTURE = Date.UTC(2099, 0, 1);

async function checkpoint(store: LocalObjectStore, jobId: string, id: number, claimedAt: number, writtenAt: Date): Promise<void> {
  const cs = new CheckpointStore({ store, job: { ...scope, jobId }, clock: { now: () => claimedAt } });
  const w = cs.writer(id);
  const h = await w.writeStateFile({ operatorUid: 'src', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, sourcePosition: { n: id } }, Buffer.from('{}'));
  await cs.complete(id, [h]);
  await utimes(join(dir, cs.dirOf(id), '_metadata'), writtenAt, writtenAt);
}

test('the checkpoint the store wrote last wins over one whose _metadata claims a later time', async () => {
  const store = new LocalObjectStore({ directory: dir });
  await checkpoint(store, 'planted', 7, FUTURE, new Date('2026-01-01T00:00:00Z'));
  await checkpoint(store, 'real', 3, Date.UTC(2026, 5, 1), new Date('2026-06-01T00:00:00Z'));
  const { found } = await latestOfDeployment(store, dir, scope);
  expect(found).toMatchObject({ jobId: 'real', isSavepoint: false, snapshot: { checkpointId: 3 } });
});

test('the newest savepoint is the one written last, whatever its _metadata says', async () => {
  const store = new LocalObjectStore({ directory: dir });
  const write = async (id: string, claimedAt: number, writtenAt: Date) => {
    const sp = new SavepointStore({ store, deployment: scope, clock: { now: () => claimedAt } });
    const h = await sp.writer(id).writeStateFile({ operatorUid: 'src', subtaskIndex: 0, parallelism: 1, maxParallelism: 128 }, Buffer.from('{}'));
    await sp.complete(id, { jobId: 'j', checkpointId: 1 }, [h]);
    await utimes(join(dir, sp.dirOf(id), '_metadata'), writtenAt, writtenAt);
    return sp.pathOf(id);
  };
  await write('aaaaaa', FUTURE, new Date('2026-01-01T00:00:00Z'));
  const newest = await write('bbbbbb', Date.UTC(2026, 5, 1), new Date('2026-06-01T00:00:00Z'));
  expect(await latestSavepointOf(store, scope)).toBe(newest);
  expect((await latestOfDeployment(store, dir, scope)).found?.snapshot.path).toBe(newest);
});
