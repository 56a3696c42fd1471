import { OwnWriteRecorder, OwnWrites } from './own-writes.ts';
import type { Clock } from './clock.ts';
import type { KubeObject } from './rest-client.ts';
import type { KubeClient } from './unchanged-apply.ts';

function manualClock() {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => { const t = { at: now + ms, fn }; timers.add(t); return t; },
    clearTimeout: (h) => { timers.delete(h as { at: number; fn: () => void }); },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of [...timers].sort((a, b) => a.at - b.at)) if (t.at <= now) { timers.delete(t); t.fn(); }
  };
  return { clock, advance, timers };
}

function setup() {
  const { clock, advance, timers } = manualClock();
  const woken: string[] = [];
  const writes = new OwnWrites({ clock, ttlMs: 5000, wake: (kind, key) => woken.push(`${kind}:${key}`) });
  return { writes, woken, advance, timers };
}

describe('own writes (read-your-writes over an informer cache)', () => {
  test('a pass after our own write waits until the cache holds that version, then the key is woken once', () => {
    const { writes, woken } = setup();
    writes.wrote('Deployment', 'ns/a', '120', '100');
    expect(writes.defer('Deployment', 'ns/a')).toBe(true);
    // An older event (the cache catching up to a version before ours) does not release it.
    writes.observed('Deployment', 'ns/a', '110');
    expect(woken).toEqual([]);
    expect(writes.defer('Deployment', 'ns/a')).toBe(true);
    writes.observed('Deployment', 'ns/a', '120');
    expect(woken).toEqual(['Deployment:ns/a']);
    expect(writes.defer('Deployment', 'ns/a')).toBe(false);
    writes.observed('Deployment', 'ns/a', '121');
    expect(woken).toEqual(['Deployment:ns/a']);
  });

  test('a later version or the deletion also counts as caught up; other keys and kinds are not held', () => {
    const { writes, woken } = setup();
    writes.wrote('Deployment', 'ns/a', '120', '100');
    writes.wrote('Deployment', 'ns/b', '130', '100');
    expect(writes.defer('Deployment', 'ns/c')).toBe(false);
    expect(writes.defer('Savepoint', 'ns/a')).toBe(false);
    expect(writes.defer('Deployment', 'ns/a')).toBe(true);
    expect(writes.defer('Deployment', 'ns/b')).toBe(true);
    writes.observed('Deployment', 'ns/a', '125');
    writes.observed('Deployment', 'ns/b', undefined);
    expect(woken).toEqual(['Deployment:ns/a', 'Deployment:ns/b']);
    expect(writes.pending).toBe(0);
  });

  test('a write the cache already holds (an apply skipped as unchanged) sets no expectation', () => {
    const { writes } = setup();
    writes.wrote('Deployment', 'ns/a', '100', '100');
    expect(writes.defer('Deployment', 'ns/a')).toBe(false);
    expect(writes.pending).toBe(0);
  });

  test('non-numeric versions release only on an exact match', () => {
    const { writes } = setup();
    writes.wrote('Deployment', 'ns/a', 'abc', 'abb');
    writes.observed('Deployment', 'ns/a', 'zzz');
    expect(writes.defer('Deployment', 'ns/a')).toBe(true);
    writes.observed('Deployment', 'ns/a', 'abc');
    expect(writes.defer('Deployment', 'ns/a')).toBe(false);
  });

  test('a write the watch never confirms lapses after ttlMs and wakes its deferred key', () => {
    const { writes, woken, advance, timers } = setup();
    writes.wrote('Deployment', 'ns/a', '120', '100');
    expect(writes.defer('Deployment', 'ns/a')).toBe(true);
    advance(4999);
    expect(woken).toEqual([]);
    advance(1);
    expect(woken).toEqual(['Deployment:ns/a']);
    expect(writes.defer('Deployment', 'ns/a')).toBe(false);
    expect(timers.size).toBe(0);
  });

  test('the recorder notes the version each write to a cached kind returned, against the cached one', async () => {
    const { writes } = setup();
    let rv = 200;
    const cache = new Map<string, KubeObject>([['ns/a', { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'a', namespace: 'ns', resourceVersion: '150' } }]]);
    const answer = (obj: { apiVersion: string; kind: string; metadata?: { name: string; namespace?: string }; name?: string; namespace?: string }) => {
      const m = obj.metadata ?? { name: obj.name ?? '', namespace: obj.namespace };
      return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { ...m, resourceVersion: String(++rv) } } as KubeObject;
    };
    const inner = {
      apply: async (obj: KubeObject) => answer(obj),
      create: async (obj: KubeObject) => answer(obj),
      mergePatch: async (ref: { apiVersion: string; kind: string; name: string; namespace?: string }) => answer(ref),
    } as unknown as KubeClient;
    const client = new OwnWriteRecorder(inner, {
      hasKind: (_v, kind) => kind === 'Deployment',
      get: (ref) => cache.get(`${ref.namespace}/${ref.name}`),
    }, writes);
    await client.apply({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'a', namespace: 'ns' } }, 'm', 'status');
    expect(writes.defer('Deployment', 'ns/a')).toBe(true);
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' } });
    expect(writes.defer('ConfigMap', 'ns/a')).toBe(false);
    await client.mergePatch({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'b', namespace: 'ns' }, {});
    expect(writes.defer('Deployment', 'ns/b')).toBe(true);
    writes.observed('Deployment', 'ns/a', '201');
    expect(writes.defer('Deployment', 'ns/a')).toBe(false);
  });
});
