import { directoryKeyOf, namespaceSavepointsKey, unownedSavepointDirectories } from './savepoint-sweep.ts';
import type { SweepInput } from './savepoint-sweep.ts';

const T0 = Date.UTC(2026, 11, 7, 3, 0, 0);
const parentKey = namespaceSavepointsKey('tenant/', 'team-a');
const dir = (deployment: string, id: string, ageMs: number, kept = false) => ({ key: `${parentKey}${deployment}/savepoint-${id}/`, newestAt: T0 - ageMs, kept });
const input = (over: Partial<SweepInput>): SweepInput => ({ parentKey, directories: [], ownedKeys: [], busyDeployments: [], graceMs: 600_000, now: T0, sweepSince: T0 - 86_400_000, ...over });

describe('savepoint directories no one owns', () => {
  test('an old directory no Savepoint or Deployment names is found; named ones stay', () => {
    const owned = dir('orders', 'a1', 3_600_000);
    const leaked = dir('orders', 'b2', 3_600_000);
    const r = unownedSavepointDirectories(input({ directories: [owned, leaked], ownedKeys: [owned.key] }));
    expect(r).toEqual([{ key: 'tenant/flink-savepoints/team-a/orders/savepoint-b2/', deployment: 'orders' }]);
  });
  test('never one written within the grace period, never one of a deployment taking a savepoint, never a kept one', () => {
    const fresh = dir('orders', 'new', 599_999);
    const busy = dir('billing', 'x', 3_600_000);
    const kept = dir('orders', 'k', 3_600_000, true);
    expect(unownedSavepointDirectories(input({ directories: [fresh, busy, kept], busyDeployments: ['billing'] }))).toEqual([]);
    // At namespace deletion (grace 0, nothing in flight) only the kept one stays.
    expect(unownedSavepointDirectories(input({ directories: [fresh, busy, kept], graceMs: 0 })).map((d) => d.key)).toEqual([busy.key, fresh.key]);
  });
  test('never one written before sweeping began for the namespace (files a Savepoint of an older operator kept without a marker)', () => {
    const before = dir('orders', 'old', 2 * 86_400_000);
    const after = dir('orders', 'new', 3_600_000);
    expect(unownedSavepointDirectories(input({ directories: [before, after], graceMs: 0 })).map((d) => d.key)).toEqual([after.key]);
  });
  test('keys outside the namespace\'s savepoint layout are never touched', () => {
    const strays = [
      { key: 'tenant/flink-savepoints/team-b/orders/savepoint-1/', newestAt: 0, kept: false },
      { key: `${parentKey}orders/`, newestAt: 0, kept: false },
      { key: `${parentKey}orders/chk-1/`, newestAt: 0, kept: false },
      { key: `${parentKey}Orders/savepoint-1/`, newestAt: 0, kept: false },
      { key: `${parentKey}orders/nested/savepoint-1/`, newestAt: 0, kept: false },
    ];
    expect(unownedSavepointDirectories(input({ directories: strays, graceMs: 0 }))).toEqual([]);
  });
  test('paths of Savepoints become directory keys of the workspace bucket only', () => {
    expect(directoryKeyOf('s3://b/tenant/flink-savepoints/team-a/orders/savepoint-1', 'b')).toBe('tenant/flink-savepoints/team-a/orders/savepoint-1/');
    expect(directoryKeyOf('s3://b/x/savepoint-1/', 'b')).toBe('x/savepoint-1/');
    expect(directoryKeyOf('s3://other/x/savepoint-1/', 'b')).toBeUndefined();
    expect(directoryKeyOf('file:///tmp/savepoint-1/', 'b')).toBeUndefined();
  });
});
