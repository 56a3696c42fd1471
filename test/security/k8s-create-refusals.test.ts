// A refusal of a Deployment's pod or Service that is not a queue quota (issue 14 point 8): the
// API server's message shows on the Deployment's status (Failed, Ready reason PodRejected or
// ServiceRejected, a Warning Event) instead of a quota retry forever or a line in the operator
// log; nothing half-started stays. Real API server (control-plane tier); the refusals come from
// ValidatingAdmissionPolicies, the same path by which Pod Security or a cluster's own policy
// refuses (403 Forbidden) or finds an object invalid (422 Invalid).
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, createWorkspaceAndNamespace, eventsFor, getWithStatus, startInProcessOperator, TEST_PIPELINE, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { stopOperatorAfterCleanup } from './support/operator-run.ts';

let cluster: Cluster;
let operator: Operator | undefined;
const policies: string[] = [];
const ADMISSION = '/apis/admissionregistration.k8s.io/v1';

beforeAll(async () => {
  cluster = await useOperatorCluster();
  operator = await startInProcessOperator(cluster);
}, 600_000);

afterAll(async () => {
  for (const name of policies) {
    for (const kind of ['validatingadmissionpolicybindings', 'validatingadmissionpolicies']) await cluster.rest.request('DELETE', `${ADMISSION}/${kind}/${name}`).catch(() => undefined);
  }
  await stopOperatorAfterCleanup(cluster, operator);
}, 200_000);

/** A policy refusing every `resource` created in `namespace` with `reason` (Forbidden: 403, Invalid: 422). */
async function refuse(namespace: string, resource: 'pods' | 'services', reason: 'Forbidden' | 'Invalid', message: string): Promise<void> {
  const name = unique(`millrace-test-refuse-${resource}`);
  policies.push(name);
  await cluster.rest.request('POST', `${ADMISSION}/validatingadmissionpolicies`, { body: {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
    spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: [resource] }] }, validations: [{ expression: 'false', message, reason }] },
  } });
  await cluster.rest.request('POST', `${ADMISSION}/validatingadmissionpolicybindings`, { body: {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name },
    spec: { policyName: name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } },
  } });
  // The API server loads policies asynchronously: wait until a dry run is refused.
  const probe = resource === 'pods'
    // Pod Security (restricted) judges before the policy: the probe passes it.
    ? { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe' }, spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] } }
    : { apiVersion: 'v1', kind: 'Service', metadata: { name: 'probe' }, spec: { ports: [{ port: 80 }] } };
  await waitFor(`policy ${name} in force`, async () => {
    const err = await cluster.rest.request('POST', `/api/v1/namespaces/${namespace}/${resource}`, { body: probe, query: { dryRun: 'All' } }).then(() => undefined, (e: unknown) => e);
    return err !== undefined && String((err as Error).message).includes(message);
  }, 30_000, 250);
}

const deployment = (namespace: string, name: string): KubeObject =>
  ({ apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: { source: { pipeline: TEST_PIPELINE }, jobManager: { cu: 0.5 }, taskManager: { cu: 0.5, slots: 1 }, podTemplate: { nodeSelector: { 'millrace.dev/test-placement': 'none' } } } });

const podsOf = async (namespace: string, name: string) => (await cluster.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;

describe('pod and Service refusals that are not quota', () => {
  test.each([
    ['a 403 on pod creation (like Pod Security)', 'pods', 'Forbidden', 403, 'PodRejected'],
    ['a 422 on pod creation', 'pods', 'Invalid', 422, 'PodRejected'],
    ['a 422 on Service creation', 'services', 'Invalid', 422, 'ServiceRejected'],
  ] as const)('%s: Failed with the API server\'s message on the status and in an Event; no pod left', async (_what, resource, reason, status, conditionReason) => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 4, quotaCU: 2 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    const message = `refused by the cluster policy ${unique('p')}`;
    await refuse(namespace, resource, reason, message);
    await applyAs(rest, deployment(namespace, 'refused'));
    const d = await waitFor('Deployment Failed with the refusal', async () => {
      const o = await getWithStatus(rest, 'Deployment', 'refused', namespace);
      return o?.status?.phase === 'Failed' ? o : undefined;
    }, 60_000);
    const ready = d.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: conditionReason });
    expect(ready?.message).toContain(`(HTTP ${status})`);
    expect(ready?.message).toContain(message);
    expect(d.status?.cuInUse).toBe(0);
    expect(await podsOf(namespace, 'refused')).toEqual([]);
    const events = await waitFor('Warning Event', async () => (await eventsFor(rest, namespace, 'refused')).find((e) => e.reason === conditionReason));
    expect(events).toMatchObject({ type: 'Warning', note: expect.stringContaining(message) });
  }, 120_000);
});
