import { decidePeriodicSavepoints, periodicSavepointName, PeriodicRequests } from './periodic-savepoints.ts';
import type { PeriodicInput, SavepointView } from './periodic-savepoints.ts';

const T0 = Date.UTC(2026, 10, 22, 4, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const policy = { periodicIntervalSeconds: 60, historyMaxCount: 3, historyMaxAgeSeconds: 0 };
const done = (name: string, completedSecond: number, origin = 'periodic'): SavepointView =>
  ({ name, origin, phase: 'Completed', path: `s3://b/flink-savepoints/ns/live/savepoint-${name}/`, completedAt: at(completedSecond), deleting: false });
const input = (over: Partial<PeriodicInput>): PeriodicInput => ({
  deployment: 'live', policy, jobRunning: true, since: at(0), savepoints: [], protectedNames: [], protectedPaths: [], now: T0, ...over,
});

describe('periodic savepoints: when', () => {
  test('the first is due one interval after the job started; none before', () => {
    expect(decidePeriodicSavepoints(input({ now: T0 + 59_000 }))).toEqual({ prune: [], nextAt: at(60) });
    expect(decidePeriodicSavepoints(input({ now: T0 + 60_000 })).create).toEqual({ name: 'live-periodic-20261122-040100' });
  });
  test('the name carries the time the savepoint is taken, not the time it fell due', () => {
    // Due at 04:01:00, first looked at 24 s later (the job reached Running late, say).
    expect(decidePeriodicSavepoints(input({ now: T0 + 84_000 })).create).toEqual({ name: 'live-periodic-20261122-040124' });
    expect(periodicSavepointName('live', T0 + 60_999)).toBe('live-periodic-20261122-040100');
  });
  test('the next is counted from the last finished periodic savepoint, as found in the Savepoint objects (an operator restart changes nothing)', () => {
    const savepoints = [done('a', 100)];
    const early = decidePeriodicSavepoints(input({ savepoints, now: T0 + 150_000 }));
    expect(early.nextAt).toBe(at(160));
    expect(early.create).toBeUndefined();
    expect(decidePeriodicSavepoints(input({ savepoints, now: T0 + 161_000 })).create).toEqual({ name: 'live-periodic-20261122-040241' });
    // A failed one counts too: a job that cannot be snapshotted is asked once per interval.
    const failed: SavepointView = { name: 'f', origin: 'periodic', phase: 'Failed', completedAt: at(200), deleting: false };
    expect(decidePeriodicSavepoints(input({ savepoints: [...savepoints, failed], now: T0 + 250_000 })).nextAt).toBe(at(260));
  });
  test('a Savepoint this process created that the cache does not show yet counts as in flight', () => {
    const d = decidePeriodicSavepoints(input({ now: T0 + 75_000, unseenRequest: 'live-periodic-20261122-040101' }));
    expect(d.create).toBeUndefined();
    expect(d.nextAt).toBe(at(60));
  });
  test('only while the job runs, never while a savepoint of the deployment is in flight, never when off', () => {
    const now = T0 + 120_000;
    expect(decidePeriodicSavepoints(input({ now, jobRunning: false })).create).toBeUndefined();
    for (const phase of [undefined, 'Pending', 'InProgress']) {
      const user: SavepointView = { name: 'mine', origin: 'userRequest', phase, deleting: false };
      expect(decidePeriodicSavepoints(input({ now, savepoints: [user] })).create).toBeUndefined();
    }
    // One being deleted is not in flight.
    expect(decidePeriodicSavepoints(input({ now, savepoints: [{ name: 'x', origin: 'periodic', phase: 'InProgress', deleting: true }] })).create).toBeDefined();
    const off = decidePeriodicSavepoints(input({ now, policy: { ...policy, periodicIntervalSeconds: 0 } }));
    expect(off).toEqual({ prune: [] });
  });
});

describe('periodic savepoints: history', () => {
  test('the oldest completed periodic ones beyond historyMaxCount are deleted; others origins are never touched', () => {
    const savepoints = [done('p1', 10), done('p2', 20), done('p3', 30), done('p4', 40), done('u1', 5, 'userRequest'), done('s1', 6, 'suspend'), done('g1', 7, 'upgrade')];
    const d = decidePeriodicSavepoints(input({ savepoints, now: T0 + 45_000 }));
    expect(d.prune).toEqual([{ name: 'p1', why: 'beyond spec.savepoints.historyMaxCount 3' }]);
    expect(d.last).toEqual({ name: 'p4', path: 's3://b/flink-savepoints/ns/live/savepoint-p4/', completedAt: at(40) });
  });
  test('historyMaxAgeSeconds deletes older ones, but always keeps the newest', () => {
    const savepoints = [done('p1', 0), done('p2', 100)];
    const d = decidePeriodicSavepoints(input({ policy: { ...policy, historyMaxAgeSeconds: 60 }, savepoints, now: T0 + 1_000_000 }));
    expect(d.prune).toEqual([{ name: 'p1', why: 'older than spec.savepoints.historyMaxAgeSeconds 60' }]);
  });
  test('a savepoint a restart would restore from is kept, by name or by path', () => {
    const savepoints = [done('p1', 10), done('p2', 20), done('p3', 30), done('p4', 40), done('p5', 50)];
    const d = decidePeriodicSavepoints(input({ savepoints, protectedNames: ['p1'], protectedPaths: ['s3://b/flink-savepoints/ns/live/savepoint-p2/'], now: T0 + 55_000 }));
    expect(d.prune).toEqual([]);
  });
  test('failed periodic ones are kept only while they are the latest news', () => {
    const f = (name: string, s: number): SavepointView => ({ name, origin: 'periodic', phase: 'Failed', completedAt: at(s), deleting: false });
    const d = decidePeriodicSavepoints(input({ savepoints: [f('f1', 10), done('p1', 20), f('f2', 30), f('f3', 40)], now: T0 + 45_000 }));
    expect(d.prune.map((p) => p.name).sort()).toEqual(['f1', 'f2']);
  });
  test('history is kept in order even with periodic savepoints turned off', () => {
    const d = decidePeriodicSavepoints(input({ policy: { periodicIntervalSeconds: 0, historyMaxCount: 1, historyMaxAgeSeconds: 0 }, savepoints: [done('p1', 10), done('p2', 20)] }));
    expect(d.prune).toEqual([{ name: 'p1', why: 'beyond spec.savepoints.historyMaxCount 1' }]);
    expect(d.nextAt).toBeUndefined();
  });
});

describe('periodic savepoints: one create per interval whatever the passes in flight', () => {
  const key = 'ns/live';
  test('only the first of several passes reserves; the others see its request until the cache shows it', () => {
    const r = new PeriodicRequests(60_000);
    // Five passes decided at the same moment from the same (stale) cache, one after the other.
    const granted = [0, 1, 2, 3, 4].map((i) => r.reserve(key, `live-periodic-2026112204010${i}`, [], T0));
    expect(granted).toEqual([true, false, false, false, false]);
    expect(r.unseen(key, [], T0 + 1000)).toBe('live-periodic-20261122040100');
    // Once the cache shows it, the memory lets go (the Savepoint object is the record from then on).
    expect(r.unseen(key, ['live-periodic-20261122040100'], T0 + 2000)).toBeUndefined();
    expect(r.size).toBe(0);
    expect(r.reserve(key, 'next', ['live-periodic-20261122040100'], T0 + 70_000)).toBe(true);
  });
  test('deployments are independent; a failed create is released; an unseen request lapses after the ttl', () => {
    const r = new PeriodicRequests(60_000);
    expect(r.reserve('ns/a', 'a-1', [], T0)).toBe(true);
    expect(r.reserve('ns/b', 'b-1', [], T0)).toBe(true);
    r.release('ns/a', 'a-1');
    expect(r.reserve('ns/a', 'a-2', [], T0)).toBe(true);
    r.release('ns/b', 'other'); // only the reservation of that name
    expect(r.unseen('ns/b', [], T0 + 60_000)).toBe('b-1');
    expect(r.unseen('ns/b', [], T0 + 60_001)).toBeUndefined();
  });
});
