import { MillraceError } from '../errors.ts';
import type { KubeObject, ObjectRef } from './rest-client.ts';
import { covers, UnchangedApplySkipper } from './unchanged-apply.ts';
import type { KubeClient } from './unchanged-apply.ts';

describe('covers: every field a server-side apply sets already holds that value', () => {
  test('objects are compared field by field; fields the server added do not matter', () => {
    expect(covers({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x', d: 2 }, e: 3 })).toBe(true);
    expect(covers({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'y' } })).toBe(false);
    expect(covers({ a: 1 }, {})).toBe(false);
    expect(covers({ a: null }, {})).toBe(true);
  });
  test('lists must have the same length and cover item by item', () => {
    expect(covers([{ port: 80 }], [{ port: 80, protocol: 'TCP' }])).toBe(true);
    expect(covers([{ port: 80 }], [{ port: 80 }, { port: 81 }])).toBe(false);
    expect(covers([1, 2], [2, 1])).toBe(false);
    expect(covers({ l: [] }, { l: {} })).toBe(false);
  });
});

// The API server stands in as a recorder here: what is under test is which applies reach it.
function recordingClient(): KubeClient & { applies: string[]; fail?: boolean } {
  const applies: string[] = [];
  const self = {
    applies,
    fail: false,
    async apply<T extends KubeObject>(obj: KubeObject, fieldManager: string, subresource?: string): Promise<T> {
      if (self.fail) throw new MillraceError('MR_ERR_KUBE_API', 'refused', { transient: true });
      applies.push(`${obj.kind}/${obj.metadata.name}${subresource ? `/${subresource}` : ''} by ${fieldManager}`);
      return obj as T;
    },
    async delete(): Promise<void> { /* nothing to record */ },
  };
  return self as unknown as KubeClient & { applies: string[]; fail?: boolean };
}

const API = 'millrace.dev/v1alpha1';
const statusOf = (phase: string, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: API, kind: 'Queue', metadata: { name: 'q', namespace: 'ns' }, status: { phase, ...extra } });

describe('server-side applies that would change nothing are left out', () => {
  let cache: Map<string, KubeObject>;
  let inner: ReturnType<typeof recordingClient>;
  let skipped: string[];
  let client: UnchangedApplySkipper;
  const cached = (phase: string, extra: Record<string, unknown> = {}) => cache.set('ns/q', { apiVersion: API, kind: 'Queue', metadata: { name: 'q', namespace: 'ns', resourceVersion: '7' }, spec: { cu: 1 }, status: { phase, ...extra } });
  beforeEach(() => {
    cache = new Map();
    inner = recordingClient();
    skipped = [];
    client = new UnchangedApplySkipper(inner, {
      hasKind: (apiVersion, kind) => apiVersion === API && kind === 'Queue',
      get: (ref: ObjectRef) => cache.get(`${ref.namespace}/${ref.name}`),
    }, (kind) => skipped.push(kind));
  });

  test('the same status applied again while the cache shows it is skipped', async () => {
    cached('Pending');
    await client.apply(statusOf('Active'), 'op', 'status');
    cached('Active', { usedCU: 0 });
    const result = await client.apply(statusOf('Active'), 'op', 'status');
    expect(inner.applies).toEqual(['Queue/q/status by op']);
    expect(skipped).toEqual(['Queue']);
    expect(result.metadata.resourceVersion).toBe('7');
  });

  test('an apply is sent when the cache does not show it yet (a stale informer) or someone changed it', async () => {
    cached('Pending');
    await client.apply(statusOf('Active'), 'op', 'status');
    await client.apply(statusOf('Active'), 'op', 'status');
    cached('Active');
    await client.apply(statusOf('Active'), 'op', 'status');
    cached('Failed');
    await client.apply(statusOf('Active'), 'op', 'status');
    expect(inner.applies).toHaveLength(3);
    expect(skipped).toEqual(['Queue']);
  });

  test('the first apply of this process, and a body that drops a field, always reach the server', async () => {
    cached('Active', { reason: 'x' });
    await client.apply(statusOf('Active', { reason: 'x' }), 'op', 'status');
    await client.apply(statusOf('Active'), 'op', 'status');
    expect(inner.applies).toHaveLength(2);
    expect(skipped).toEqual([]);
  });

  test('applies of another field manager or subresource are remembered apart', async () => {
    cached('Active');
    await client.apply(statusOf('Active'), 'op', 'status');
    await client.apply(statusOf('Active'), 'other', 'status');
    await client.apply(statusOf('Active'), 'op');
    expect(inner.applies).toHaveLength(3);
  });

  test('after a failed apply, a delete or an object gone from the cache, the next apply is sent', async () => {
    cached('Active');
    await client.apply(statusOf('Active'), 'op', 'status');
    inner.fail = true;
    await expect(client.apply(statusOf('Active', { usedCU: 1 }), 'op', 'status')).rejects.toThrow('refused');
    inner.fail = false;
    await client.apply(statusOf('Active'), 'op', 'status');
    await client.delete({ apiVersion: API, kind: 'Queue', namespace: 'ns', name: 'q' });
    await client.apply(statusOf('Active'), 'op', 'status');
    cache.clear();
    await client.apply(statusOf('Active'), 'op', 'status');
    expect(inner.applies).toHaveLength(4);
  });

  test('kinds without a cache are always applied and not remembered', async () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { a: 'b' } };
    await client.apply(cm, 'op');
    await client.apply(cm, 'op');
    expect(inner.applies).toEqual(['ConfigMap/c by op', 'ConfigMap/c by op']);
    expect(client.size).toBe(0);
  });
});
