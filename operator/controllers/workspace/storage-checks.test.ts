import { StorageChecks } from './storage-checks.ts';

const ready = { type: 'StorageReady', status: 'True' as const, reason: 'BucketReady', message: 'ok' };
const failing = { type: 'StorageReady', status: 'False' as const, reason: 'BucketUnavailable', message: 'no' };
const T0 = 1_000_000;

describe('when a workspace bucket is checked again', () => {
  const checks = () => new StorageChecks({ readyMs: 300_000, failingMs: 30_000 });
  test('a reachable bucket is not checked again for readyMs, however often the Workspace is reconciled', () => {
    const c = checks();
    expect(c.fresh('ws', 1, T0)).toBeUndefined();
    c.record('ws', 1, T0, ready);
    expect(c.fresh('ws', 1, T0 + 1)).toEqual({ condition: ready, dueInMs: 299_999 });
    expect(c.fresh('ws', 1, T0 + 299_999)?.dueInMs).toBe(1);
    expect(c.fresh('ws', 1, T0 + 300_000)).toBeUndefined();
  });
  test('a failing one is retried after failingMs; a spec change (new generation) checks at once', () => {
    const c = checks();
    c.record('ws', 1, T0, failing);
    expect(c.fresh('ws', 1, T0 + 29_000)?.condition).toBe(failing);
    expect(c.fresh('ws', 1, T0 + 30_000)).toBeUndefined();
    c.record('ws', 1, T0, ready);
    expect(c.fresh('ws', 2, T0 + 1)).toBeUndefined();
  });
  test('workspaces are independent and a deleted one is forgotten', () => {
    const c = checks();
    c.record('a', 1, T0, ready);
    expect(c.fresh('b', 1, T0)).toBeUndefined();
    c.forget('a');
    expect(c.fresh('a', 1, T0)).toBeUndefined();
  });
});
