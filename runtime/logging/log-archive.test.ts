import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalObjectStore } from '../storage/local-object-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { LogArchive, NO_JOB } from './log-archive.ts';

describe('log archive', () => {
  let dir: string;
  let store: LocalObjectStore;
  let now: number;
  const clock = { now: () => now };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mr-log-archive-'));
    store = new LocalObjectStore({ directory: dir });
    now = Date.UTC(2026, 11, 7, 6, 0, 0);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const archive = (s: ObjectStore = store, over: Partial<ConstructorParameters<typeof LogArchive>[0]> = {}) => new LogArchive({ store: s, namespace: 'team-a', deployment: 'orders', role: 'jobmanager', pod: 'orders-jm-abc', clock, intervalMs: 0, ...over });
  const text = async (key: string) => (await store.get(key)).toString('utf8');

  test('chunks go under the job id the log names, in time order; lines before it join the first job; the exception history is written when it changes', async () => {
    const a = archive();
    a.write('{"msg":"starting"}\n');
    a.write('{"jobId":"j1","msg":"job state","to":"RUNNING"}\n');
    const exceptions = [{ timestamp: now, message: 'boom' }];
    a.setExceptionsSource(() => ({ jobId: 'j1', name: 'orders', state: 'RUNNING', exceptions }));
    await a.flush();
    now += 10_000;
    a.write('tick 1\n');
    await a.flush();
    const keys = (await store.list('logs/')).map((o) => o.key);
    expect(keys).toEqual([
      'logs/namespaces/team-a/orders/j1/1796623200000-jobmanager-orders-jm-abc-000000.log',
      'logs/namespaces/team-a/orders/j1/1796623210000-jobmanager-orders-jm-abc-000001.log',
      'logs/namespaces/team-a/orders/j1/exceptions.json',
    ]);
    expect(await text(keys[0]!)).toBe('{"msg":"starting"}\n{"jobId":"j1","msg":"job state","to":"RUNNING"}\n');
    expect(JSON.parse(await text(keys[2]!))).toMatchObject({ jobId: 'j1', state: 'RUNNING', exceptions: [{ message: 'boom', time: '2026-12-07T06:00:00.000Z' }] });
    // a new job id starts a new directory; the history of the new job is written separately
    a.write('{"jobId":"j2","msg":"job state","to":"FAILED"}\n');
    a.setExceptionsSource(() => ({ jobId: 'j2', state: 'FAILED', failureCause: 'x', exceptions: [] }));
    await a.close();
    expect((await store.list('logs/namespaces/team-a/orders/j2/')).map((o) => path.posix.basename(o.key))).toEqual(['1796623210000-jobmanager-orders-jm-abc-000002.log', 'exceptions.json']);
  });

  test('a process that ends before any job archives under _no-job; a store that fails keeps the lines for the next flush', async () => {
    let failing = true;
    const flaky: ObjectStore = Object.create(store, { put: { value: (k: string, b: Uint8Array) => (failing ? Promise.reject(new Error('unreachable')) : store.put(k, b)) } });
    const errors: unknown[] = [];
    const a = archive(flaky, { onError: (e) => errors.push(e) });
    a.write('MR_ERR_JOB_LOAD: job artifact s3://b/k does not exist\n');
    now += 61_000; // older than a minute without a job id: uploaded without one
    await a.flush();
    expect(errors).toHaveLength(1);
    failing = false;
    await a.close();
    const keys = (await store.list('logs/')).map((o) => o.key);
    expect(keys).toEqual([`logs/namespaces/team-a/orders/${NO_JOB}/1796623200000-jobmanager-orders-jm-abc-000000.log`]);
    expect(await text(keys[0]!)).toContain('does not exist');
  });

  test('a full buffer is uploaded without waiting for the interval', async () => {
    const a = archive(store, { chunkBytes: 64 });
    a.write('{"jobId":"j1","msg":"x"}');
    a.write('y'.repeat(80));
    await a.flush();
    expect((await store.list('logs/namespaces/team-a/orders/j1/')).length).toBe(1);
    await a.close();
  });
});
