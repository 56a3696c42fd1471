// Attack: with a stolen operator token, change or delete another team's PriorityClass, or make a
// class that preempts other pods or becomes every new pod's default. RBAC cannot tell them apart:
// the operator's ClusterRole creates, patches and deletes PriorityClasses cluster-wide (its queues'
// classes are cluster-scoped). Expected: the chart's admission policy refuses each write by its rule
// name (priorityclass-own) and nothing changes, while a class exactly as the operator renders one
// for a queue is created and deleted (its own work passes; the k8s-pod-template file's operator
// also creates and deletes its queues' classes under the same policy).
// Control-plane tier: the real kube-apiserver's RBAC and ValidatingAdmissionPolicy; no operator runs.
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import { KubeApiError } from '../../operator/kube/rest-client.ts';
import { desiredQueueObjects } from '../../operator/controllers/queue/desired.ts';
import type { Queue } from '../../operator/api/v1alpha1/queue.ts';
import { operatorRbacObjects } from '../../operator/rbac/operator-role.ts';
import { OPERATOR_NAMESPACE, TEST_MANAGER, unique, useOperatorCluster } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { allowed, SECURITY_OPERATOR, serviceAccountIdentity } from './support/kube-identities.ts';
import type { Identity } from './support/kube-identities.ts';
import { applyChartAdmissionPolicy } from './support/operator-admission.ts';

const PC = 'scheduling.k8s.io/v1';
let cluster: Cluster;
let operator: Identity;
const teams = unique('team-critical');

beforeAll(async () => {
  cluster = await useOperatorCluster();
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SECURITY_OPERATOR, namespace: OPERATOR_NAMESPACE } }, TEST_MANAGER);
  for (const obj of operatorRbacObjects(SECURITY_OPERATOR, OPERATOR_NAMESPACE)) await cluster.rest.apply(obj, TEST_MANAGER);
  operator = await serviceAccountIdentity(cluster, OPERATOR_NAMESPACE, SECURITY_OPERATOR);
  await applyChartAdmissionPolicy(cluster, operator, { name: SECURITY_OPERATOR, namespace: OPERATOR_NAMESPACE });
  // Another team's class, made by the admin.
  await cluster.rest.apply({ apiVersion: PC, kind: 'PriorityClass', metadata: { name: teams }, value: 1000, description: 'another team' }, TEST_MANAGER);
}, 300_000);

afterAll(async () => {
  await cluster?.rest.delete({ apiVersion: PC, kind: 'PriorityClass', name: teams });
});

const refusal = (e: unknown) => (e instanceof KubeApiError ? { status: e.status, message: e.message } : e);
const RULE = 'priorityclass-own: the Millrace operator writes and deletes only its own queue PriorityClasses (label app.kubernetes.io/managed-by=millrace-operator, name millrace-*, value 0, preemptionPolicy Never, not globalDefault)';

/** The class the operator renders for a queue (operator/controllers/queue/desired.ts), without its owner. */
function queueClass(namespace: string): KubeObject & Record<string, unknown> {
  const queue = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Queue', metadata: { name: 'default-queue', namespace }, spec: { cu: 1 } } as unknown as Queue;
  const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Queue', name: 'x', uid: 'x', controller: true, blockOwnerDeletion: true };
  const pc = desiredQueueObjects(queue, owner, owner).find((o) => o.kind === 'PriorityClass')!;
  return { ...pc, metadata: { ...pc.metadata, ownerReferences: undefined } } as KubeObject & Record<string, unknown>;
}

test("a stolen operator token can neither change nor delete another team's PriorityClass, though RBAC would let it", async () => {
  for (const verb of ['create', 'patch', 'delete']) expect(await allowed(cluster, operator.username, { verb, resource: 'priorityclasses', group: 'scheduling.k8s.io', name: teams })).toBe(true);
  const before = await cluster.rest.get<KubeObject>({ apiVersion: PC, kind: 'PriorityClass', name: teams });
  expect(await operator.rest.mergePatch({ apiVersion: PC, kind: 'PriorityClass', name: teams }, { metadata: { labels: { 'app.kubernetes.io/managed-by': 'millrace-operator' } } }).catch(refusal))
    .toMatchObject({ status: 403, message: expect.stringContaining(`${RULE}; ${teams} is not one`) });
  expect(await operator.rest.request('DELETE', `/apis/${PC}/priorityclasses/${teams}`).catch(refusal))
    .toMatchObject({ status: 403, message: expect.stringContaining(`${RULE}; ${teams} is not one`) });
  const after = await cluster.rest.get<KubeObject>({ apiVersion: PC, kind: 'PriorityClass', name: teams });
  expect(after.metadata.uid).toBe(before.metadata.uid);
  expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
}, 60_000);

test('it cannot make a class that preempts, becomes the default, or lacks its label; a queue class as the operator renders it passes', async () => {
  const own = queueClass(unique('ns'));
  const name = own.metadata.name;
  const variants: Array<[string, Record<string, unknown>]> = [
    ['every pod\'s default', { globalDefault: true }],
    ['a high value', { value: 1_000_000_000 }],
    ['preempting', { preemptionPolicy: 'PreemptLowerPriority' }],
    ['without its label', { metadata: { name } }],
  ];
  for (const [what, change] of variants) {
    const body = { ...own, ...change };
    expect([what, await operator.rest.create(body).catch(refusal)]).toEqual([what, expect.objectContaining({ status: 403, message: expect.stringContaining(`${RULE}; ${name} is not one`) })]);
    expect(await cluster.rest.getOrUndefined({ apiVersion: PC, kind: 'PriorityClass', name })).toBeUndefined();
  }
  // The operator's own class: created and deleted under the same policy.
  await operator.rest.create(own);
  expect((await cluster.rest.get<KubeObject & { value: number }>({ apiVersion: PC, kind: 'PriorityClass', name })).value).toBe(0);
  await operator.rest.request('DELETE', `/apis/${PC}/priorityclasses/${name}`);
  expect(await cluster.rest.getOrUndefined({ apiVersion: PC, kind: 'PriorityClass', name })).toBeUndefined();
}, 60_000);
