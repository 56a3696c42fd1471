// The operator's informer and apply-skipping client on a real API server: list + watch into a
// slimmed, indexed cache; a watch that fails or reports 410 Gone is reopened without losing
// events; server-side applies that change nothing are left out, and come back when someone
// else changes the object.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { useControlPlane } from '../cluster/environment.ts';
import { systemClock } from '../../operator/kube/clock.ts';
import type { InformerEvent } from '../../operator/kube/informer.ts';
import { SupervisedInformer } from '../../operator/kube/informer.ts';
import { loadKubeConnection } from '../../operator/kube/kube-connection.ts';
import { KubeApiError, KubeRest } from '../../operator/kube/rest-client.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import { UnchangedApplySkipper } from '../../operator/kube/unchanged-apply.ts';
import { waitFor } from '../operator/support/wait.ts';

const MANAGER = 'millrace-informer-tests';
const suffix = randomBytes(3).toString('hex');
const namespace = `informer-${suffix}`;
const selector = `millrace.dev/informer-test=${suffix}`;
let rest: KubeRest;

const configMap = (name: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name, namespace, labels: { 'millrace.dev/informer-test': suffix, ...labels }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"blob"}' } },
  data,
});

beforeAll(async () => {
  const { kubeconfigPath } = await useControlPlane();
  rest = new KubeRest(await loadKubeConnection({ KUBECONFIG: kubeconfigPath }));
  await rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, MANAGER);
}, 120_000);

afterAll(async () => { await rest?.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace }); });

function startInformer(client: Pick<KubeRest, 'list' | 'watch'>) {
  const seen: Array<[InformerEvent, string, string | undefined]> = [];
  const informer = new SupervisedInformer<KubeObject>({
    rest: client, apiVersion: 'v1', kind: 'ConfigMap', labelSelector: selector,
    clock: systemClock, random: Math.random, logger: pino({ level: 'silent' }),
  });
  informer.addIndex('group', (o) => (o.metadata.labels?.group ? [o.metadata.labels.group] : []));
  informer.on((e, o) => seen.push([e, o.metadata.name, (o.data as Record<string, string> | undefined)?.v]));
  return { informer, seen };
}

describe('informer on a real API server', () => {
  test('lists, then follows adds, updates and deletes; objects are slimmed and indexed', async () => {
    await rest.apply(configMap('before', { v: '1' }, { group: 'g1' }), MANAGER);
    const { informer, seen } = startInformer(rest);
    await informer.start();
    try {
      expect(informer.synced).toBe(true);
      const listed = informer.get('before', namespace);
      expect(listed?.metadata.managedFields).toBeUndefined();
      expect(listed?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
      expect(listed?.kind).toBe('ConfigMap');

      await rest.apply(configMap('after', { v: '1' }, { group: 'g1' }), MANAGER);
      await rest.apply(configMap('before', { v: '2' }, { group: 'g2' }), MANAGER);
      await waitFor('add and update seen', () => seen.some(([e, n]) => e === 'add' && n === 'after') && seen.some(([e, n, v]) => e === 'update' && n === 'before' && v === '2'));
      expect(informer.byIndex('group', 'g1').map((o) => o.metadata.name)).toEqual(['after']);
      expect(informer.byIndex('group', 'g2').map((o) => o.metadata.name)).toEqual(['before']);
      expect(informer.list(namespace).map((o) => o.metadata.name).sort()).toEqual(['after', 'before']);

      await rest.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'after' });
      await waitFor('delete seen', () => seen.some(([e, n]) => e === 'delete' && n === 'after'));
      expect(informer.get('after', namespace)).toBeUndefined();
      expect(informer.byIndex('group', 'g1')).toEqual([]);
    } finally {
      await informer.stop();
    }
  }, 60_000);

  test('a watch refused with 410 Gone lists again; a broken watch is reopened; no change is lost', async () => {
    let watches = 0;
    let lists = 0;
    const flaky: Pick<KubeRest, 'list' | 'watch'> = {
      list: (type, query) => { lists += 1; return rest.list(type, query); },
      watch: (path, query, onEvent, opts) => {
        watches += 1;
        if (watches === 1) return Promise.reject(new KubeApiError(410, 'Expired', 'too old resource version'));
        if (watches === 2) return Promise.reject(new KubeApiError(0, 'NetworkError', 'connection reset'));
        return rest.watch(path, query, onEvent, opts);
      },
    };
    const { informer, seen } = startInformer(flaky);
    await informer.start();
    try {
      await waitFor('a watch that works', () => watches >= 3, 30_000);
      await rest.apply(configMap('late', { v: '1' }), MANAGER);
      await waitFor('add after the failures', () => seen.some(([e, n]) => e === 'add' && n === 'late'), 30_000);
      expect(lists).toBe(2);
      expect(watches).toBeGreaterThanOrEqual(3);
    } finally {
      await informer.stop();
    }
  }, 60_000);

  test('server-side applies that change nothing are skipped; a change by someone else is put back', async () => {
    const { informer } = startInformer(rest);
    await informer.start();
    let skipped = 0;
    const client = new UnchangedApplySkipper(rest, {
      hasKind: (apiVersion, kind) => apiVersion === 'v1' && kind === 'ConfigMap',
      get: (ref) => informer.get(ref.name, ref.namespace),
    }, () => { skipped += 1; });
    try {
      // (Without kubectl's annotation: the cache drops it, so an apply setting it never looks done.)
      const { annotations: _none, ...metadata } = configMap('skipped', { v: 'ours' }).metadata;
      const desired = { ...configMap('skipped', { v: 'ours' }), metadata };
      await client.apply(desired, MANAGER);
      await waitFor('cached', () => (informer.get('skipped', namespace)?.data as { v?: string } | undefined)?.v === 'ours');
      await client.apply(desired, MANAGER);
      expect(skipped).toBe(1);

      await rest.mergePatch({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'skipped' }, { data: { v: 'theirs' } });
      await waitFor('their change cached', () => (informer.get('skipped', namespace)?.data as { v?: string } | undefined)?.v === 'theirs');
      await client.apply(desired, MANAGER);
      expect(skipped).toBe(1);
      expect(((await rest.get<KubeObject>({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'skipped' })).data as { v: string }).v).toBe('ours');
    } finally {
      await informer.stop();
    }
  }, 60_000);
});
