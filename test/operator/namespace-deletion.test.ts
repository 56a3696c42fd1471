// Deleting namespaces while no operator runs, on a real API server: once an operator runs
// again, every deletion completes and nothing stays Terminating. Queues made by earlier operator
// versions carried a finalizer that held Kubernetes namespaces in Terminating for good when the
// operator had stopped; the tests put that finalizer back by hand to prove the upgrade path.
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, createWorkspaceAndNamespace, eventsFor, getWithStatus, startInProcessOperator, TEST_WATCH_SELECTOR, unique, useOperatorCluster, waitFor, waitForPhase } from './support/harness.ts';
import type { Cluster } from './support/harness.ts';

const LEGACY_FINALIZER = 'millrace.dev/cleanup';
let cluster: Cluster;
let operator: Operator | undefined;

beforeAll(async () => {
  cluster = await useOperatorCluster();
  operator = await startInProcessOperator(cluster);
}, 600_000);

afterAll(async () => {
  const { rest } = cluster;
  const cleaner = operator ?? await startInProcessOperator(cluster);
  const kind = { apiVersion: API, kind: 'Workspace' };
  for (const w of (await rest.list<KubeObject>(kind, { labelSelector: TEST_WATCH_SELECTOR })).items) await rest.delete({ ...kind, name: w.metadata.name });
  await waitFor('workspaces of this run deleted', async () => (await rest.list<KubeObject>(kind, { labelSelector: TEST_WATCH_SELECTOR })).items.length === 0, 150_000, 1000)
    .catch((err: unknown) => process.stderr.write(`[namespace-deletion tests] cleanup incomplete: ${String(err)}\n`));
  await cleaner.stop();
}, 200_000);

const kubeNamespace = (name: string) => cluster.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Namespace', name });
const queue = (namespace: string, name: string) => cluster.rest.getOrUndefined<KubeObject>({ apiVersion: API, kind: 'Queue', namespace, name });
const priorityClass = (name: string) => cluster.rest.getOrUndefined<KubeObject>({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name });

/** An Active Namespace with the default-queue and a user queue, both Active. */
async function activeNamespace(quotaCU = 4): Promise<{ workspace: string; namespace: string }> {
  const { rest } = cluster;
  const created = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU });
  await waitForPhase(rest, 'Namespace', created.namespace, undefined, 'Active');
  await applyAs(rest, { apiVersion: API, kind: 'Queue', metadata: { name: 'etl', namespace: created.namespace }, spec: { cu: 1 } });
  await waitForPhase(rest, 'Queue', 'etl', created.namespace, 'Active');
  await waitForPhase(rest, 'Queue', 'default-queue', created.namespace, 'Active');
  return created;
}

/** What an operator of an earlier version left on its queues. */
async function addLegacyQueueFinalizers(namespace: string): Promise<void> {
  for (const name of ['default-queue', 'etl']) {
    await cluster.rest.mergePatch({ apiVersion: API, kind: 'Queue', namespace, name }, { metadata: { finalizers: [LEGACY_FINALIZER] } });
  }
}

describe('Queues and namespace deletion', () => {
  test('a Queue has no finalizer; its ResourceQuota is owned by it and a deleted Queue\'s PriorityClass is removed', async () => {
    const { rest } = cluster;
    const { namespace } = await activeNamespace();
    const etl = await queue(namespace, 'etl');
    expect(etl?.metadata.finalizers ?? []).toEqual([]);
    expect((await queue(namespace, 'default-queue'))?.metadata.finalizers ?? []).toEqual([]);
    const quota = await rest.get<KubeObject>({ apiVersion: 'v1', kind: 'ResourceQuota', namespace, name: 'millrace-queue-etl' });
    expect(quota.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Queue', name: 'etl', uid: etl?.metadata.uid, controller: true })]);
    expect(await priorityClass(`millrace-${namespace}.etl`)).toBeDefined();

    // The Queue goes at once (nothing to wait for); its objects follow.
    await rest.delete({ apiVersion: API, kind: 'Queue', namespace, name: 'etl' });
    await waitFor('Queue gone', async () => !(await queue(namespace, 'etl')), 10_000);
    await waitFor('its PriorityClass and ResourceQuota gone', async () =>
      !(await priorityClass(`millrace-${namespace}.etl`)) && !(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'ResourceQuota', namespace, name: 'millrace-queue-etl' })), 60_000);
    // The default-queue gets the CU back.
    await waitFor('default-queue resized to 4 CU', async () => ((await getWithStatus(rest, 'Queue', 'default-queue', namespace))?.spec as { cu: number } | undefined)?.cu === 4);
    expect(await priorityClass(`millrace-${namespace}.default-queue`)).toBeDefined();
  }, 120_000);

  test('namespaces deleted while no operator runs (a Millrace Namespace; a Kubernetes namespace directly) are finished when it runs again: nothing stays Terminating', async () => {
    const { rest } = cluster;
    const viaMillrace = await activeNamespace();
    const direct = await activeNamespace();
    const directUid = (await kubeNamespace(direct.namespace))?.metadata.uid;
    const oldDefaultQueueUid = (await queue(direct.namespace, 'default-queue'))?.metadata.uid;
    await addLegacyQueueFinalizers(viaMillrace.namespace);
    await addLegacyQueueFinalizers(direct.namespace);

    await operator?.stop();
    operator = undefined;
    await rest.delete({ apiVersion: API, kind: 'Namespace', name: viaMillrace.namespace });
    await rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: direct.namespace });
    // Without an operator the finalizers hold: the Kubernetes namespace deleted directly is stuck
    // Terminating on its queues (the bug an operator of an earlier version left behind).
    const stuck = await waitFor('the directly deleted namespace reports the queue finalizers', async () => {
      const ns = await kubeNamespace(direct.namespace);
      const conditions = (ns?.status as { conditions?: Array<{ type: string; status: string; message?: string }> } | undefined)?.conditions ?? [];
      return conditions.find((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True');
    }, 60_000, 500);
    expect(stuck.message).toContain(LEGACY_FINALIZER);
    expect((await kubeNamespace(direct.namespace))?.metadata.deletionTimestamp).toBeDefined();
    expect((await getWithStatus(rest, 'Namespace', viaMillrace.namespace))?.metadata.deletionTimestamp).toBeDefined();

    operator = await startInProcessOperator(cluster);

    // Deleted through Millrace: the Millrace Namespace goes only after the Kubernetes namespace,
    // its queues and its PriorityClasses are gone.
    await waitFor('Millrace Namespace gone', async () => !(await getWithStatus(rest, 'Namespace', viaMillrace.namespace)), 90_000, 500);
    expect(await kubeNamespace(viaMillrace.namespace)).toBeUndefined();
    expect(await priorityClass(`millrace-${viaMillrace.namespace}.default-queue`)).toBeUndefined();
    expect(await priorityClass(`millrace-${viaMillrace.namespace}.etl`)).toBeUndefined();
    expect((await eventsFor(rest, 'default', viaMillrace.namespace)).map((e) => e.reason)).toContain('Terminating');

    // Deleted directly: the deletion completes, then the Namespace (still wanted) makes it again.
    const again = await waitFor('Kubernetes namespace made again', async () => {
      const ns = await kubeNamespace(direct.namespace);
      return ns && ns.metadata.uid !== directUid && !ns.metadata.deletionTimestamp ? ns : undefined;
    }, 90_000, 500);
    expect(again.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Namespace', name: direct.namespace })]);
    const fresh = await waitForPhase(rest, 'Queue', 'default-queue', direct.namespace, 'Active', 60_000);
    expect(fresh.metadata.uid).not.toBe(oldDefaultQueueUid);
    expect(fresh.metadata.finalizers ?? []).toEqual([]);
    const mns = await waitForPhase(rest, 'Namespace', direct.namespace, undefined, 'Active', 30_000);
    expect(mns.status?.conditions?.find((c) => c.type === 'KubernetesNamespace')).toMatchObject({ status: 'True' });

    // And deleting that Namespace now, with the operator running, leaves nothing behind either.
    await rest.delete({ apiVersion: API, kind: 'Namespace', name: direct.namespace });
    await waitFor('Millrace Namespace gone', async () => !(await getWithStatus(rest, 'Namespace', direct.namespace)), 90_000, 500);
    expect(await kubeNamespace(direct.namespace)).toBeUndefined();
  }, 300_000);

  test('an existing Kubernetes namespace Millrace did not make is never taken over, nor deleted with the Namespace', async () => {
    const { rest } = cluster;
    const name = unique('plain');
    await rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, 'millrace-tests');
    try {
      const workspace = unique('ws');
      await applyAs(rest, { apiVersion: API, kind: 'Workspace', metadata: { name: workspace }, spec: { capacityCU: 4, storage: { bucket: 'millrace-tests', endpoint: 'http://127.0.0.1:9', secretRef: { name: 's3', namespace: 'millrace-system' } } } });
      await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name }, spec: { workspace, quotaCU: 2 } });
      const refused = await waitFor('KubernetesNamespaceNotOwned', async () => {
        const n = await getWithStatus(rest, 'Namespace', name);
        return n?.status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'KubernetesNamespaceNotOwned') ? n : undefined;
      });
      expect(refused.status?.phase).toBe('Pending');
      expect(refused.status?.conditions?.find((c) => c.type === 'Ready')?.message).toMatch(new RegExp(`Kubernetes namespace ${name} already exists and was not made by this Namespace`));
      const kns = await kubeNamespace(name);
      expect(kns?.metadata.ownerReferences).toBeUndefined();
      expect(await queue(name, 'default-queue')).toBeUndefined();
      await rest.delete({ apiVersion: API, kind: 'Namespace', name });
      await waitFor('Millrace Namespace gone', async () => !(await getWithStatus(rest, 'Namespace', name)), 30_000);
      expect((await kubeNamespace(name))?.metadata.deletionTimestamp).toBeUndefined();
    } finally {
      await rest.delete({ apiVersion: 'v1', kind: 'Namespace', name });
    }
  }, 120_000);

  test('a Kubernetes namespace deleted under a running operator: the Namespace says so, then makes it again', async () => {
    const { rest } = cluster;
    const { namespace } = await activeNamespace();
    // A foreign finalizer keeps the namespace Terminating long enough to look at.
    const hold = 'millrace.dev/test-hold';
    await rest.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace, finalizers: [hold] }, data: {} }, 'millrace-tests');
    await rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    const pending = await waitFor('Namespace reports the Kubernetes namespace terminating', async () => {
      const n = await getWithStatus(rest, 'Namespace', namespace);
      return n?.status?.conditions?.find((c) => c.type === 'KubernetesNamespace' && c.status === 'False') ? n : undefined;
    }, 60_000, 500);
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.status?.conditions?.find((c) => c.type === 'KubernetesNamespace')).toMatchObject({ reason: 'KubernetesNamespaceTerminating', message: expect.stringContaining(`Kubernetes namespace ${namespace} is being deleted`) });
    await rest.mergePatch({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'held' }, { metadata: { finalizers: null } });
    await waitForPhase(rest, 'Namespace', namespace, undefined, 'Active', 90_000);
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);
    expect((await kubeNamespace(namespace))?.metadata.deletionTimestamp).toBeUndefined();
  }, 200_000);
});
