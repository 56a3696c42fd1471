// Attack: a namespace editor shapes the pods of a Deployment to run code or take an identity the
// namespace does not own (NODE_OPTIONS, AWS_* credentials, a cloud-role annotation, Millrace's own
// labels, a root security context, host paths, another image or service account). Expected: the
// API server refuses each field by name (CRD CEL rules; unknown fields under kubectl's strict field
// validation); what only the Workspace decides (image, service account) is refused by the operator
// in status; the operator's namespaces enforce Pod Security `restricted` and its pods pass it.
// The operator runs as the chart's ServiceAccount with the chart's RBAC: it holds pods and Secrets
// only in the namespaces it made (its own RoleBinding there), and the editor holds what the
// member role gives, nothing more through a Millrace resource (issue 14 point 7). A key Secret
// left by another owner under a Deployment's name is replaced, not used (the re-create race).
// The chart's ValidatingAdmissionPolicy confines the operator's token to the namespaces it made:
// no tenant binding in kube-system, no other role or subject, no deleting or taking over a
// namespace someone else made, no Millrace object created, re-specced or deleted outside what the
// operator does; its own work passes (every test here runs under it). A Deployment's key Secret
// deleted under its pods stays until they are gone; lasting RBAC refusals show as OperatorForbidden.
// Control-plane tier: a real kube-apiserver with its CEL, PodSecurity admission and RBAC.
import { randomBytes } from 'node:crypto';
import { tryRun } from '../cluster/kube/commands.ts';
import { kubeBinary } from '../cluster/kube/layout.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import { KubeApiError } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, createWorkspaceAndNamespace, eventsFor, getWithStatus, OPERATOR_NAMESPACE, TEST_MANAGER, TEST_PIPELINE, TEST_WATCH_SELECTOR, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { TENANT_BINDING_NAME, tenantRoleName } from '../../operator/rbac/operator-role.ts';
import { allowed, SECURITY_OPERATOR, serviceAccountIdentity, startOperatorAsServiceAccount } from './support/kube-identities.ts';
import { tenantBindingIn } from './support/operator-admission.ts';
import { evaluateHealth } from '../packaging/support/argocd-health.ts';
import type { Identity } from './support/kube-identities.ts';

let cluster: Cluster;
let operator: Operator;
let namespace: string;
let workspace: string;
let editorKubeconfig: string;
let editor: Identity;
let operatorIdentity: Identity;
/** A namespace the operator did not make, where the admin gave the editor millrace-editor too. */
const plainNamespace = unique('plain');

const kubectl = (kubeconfig: string, args: string[], input?: string) =>
  tryRun(process.env.KUBECONFIG ? 'kubectl' : kubeBinary('kubectl'), ['--kubeconfig', kubeconfig, ...args], { input });

beforeAll(async () => {
  cluster = await useOperatorCluster();
  ({ operator, identity: operatorIdentity } = await startOperatorAsServiceAccount(cluster, { defaultImage: 'localhost/millrace:operator-default' }));
  ({ workspace, namespace } = await createWorkspaceAndNamespace(cluster.rest, {
    capacityCU: 8, quotaCU: 8, members: [{ kind: 'ServiceAccount', name: 'editor', role: 'editor' }],
  }));
  await waitForPhase(cluster.rest, 'Namespace', namespace, undefined, 'Active');
  // The editor: a ServiceAccount of the tenant namespace bound to millrace-editor through spec.members.
  const { rest } = cluster;
  await rest.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'editor', namespace } }, 'security-test');
  editor = await serviceAccountIdentity(cluster, namespace, 'editor');
  editorKubeconfig = editor.kubeconfigPath;
}, 1_800_000);

afterAll(async () => {
  const mine = { apiVersion: API, kind: 'Workspace' };
  for (const w of (await cluster.rest.list<KubeObject>(mine, { labelSelector: TEST_WATCH_SELECTOR })).items) await cluster.rest.delete({ ...mine, name: w.metadata.name });
  await cluster.rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: plainNamespace });
  await waitFor('test namespaces gone', async () => (await cluster.rest.getOrUndefined({ apiVersion: 'v1', kind: 'Namespace', name: namespace })) === undefined, 120_000).catch(() => undefined);
  await operator?.stop();
}, 180_000);

const deploymentYaml = (name: string, podTemplate: unknown) => JSON.stringify({
  apiVersion: API, kind: 'Deployment', metadata: { name, namespace },
  spec: { source: { pipeline: TEST_PIPELINE }, podTemplate },
});

describe('an editor cannot shape pods beyond the podTemplate allowlist', () => {
  test.each([
    ['env NODE_OPTIONS', { env: [{ name: 'NODE_OPTIONS', value: '--import=data:text/javascript,process.exit(1)' }] }, /podTemplate\.env: NODE_OPTIONS is reserved/],
    ['env AWS_ACCESS_KEY_ID', { env: [{ name: 'AWS_ACCESS_KEY_ID', value: 'x' }] }, /podTemplate\.env: AWS_ACCESS_KEY_ID is reserved/],
    ['env MILLRACE_S3_ENDPOINT', { env: [{ name: 'MILLRACE_S3_ENDPOINT', value: 'http://attacker' }] }, /podTemplate\.env: MILLRACE_S3_ENDPOINT is reserved/],
    ['env LD_PRELOAD', { env: [{ name: 'LD_PRELOAD', value: '/tmp/x.so' }] }, /podTemplate\.env: LD_PRELOAD is reserved/],
    ['a cloud-role annotation', { annotations: { 'iam.amazonaws.com/role': 'admin' } }, /podTemplate\.annotations: iam\.amazonaws\.com\/role has a reserved prefix/],
    ['an AppArmor annotation', { annotations: { 'container.apparmor.security.beta.kubernetes.io/jobmanager': 'unconfined' } }, /podTemplate\.annotations: container\.apparmor\.security\.beta\.kubernetes\.io\/jobmanager has a reserved prefix/],
    ["Millrace's own label", { labels: { 'millrace.dev/deployment': 'someone-else' } }, /podTemplate\.labels: millrace\.dev\/deployment has a reserved prefix/],
    ['securityContext', { securityContext: { runAsUser: 0 } }, /unknown field "spec\.podTemplate\.securityContext"/],
    ['hostNetwork', { hostNetwork: true }, /unknown field "spec\.podTemplate\.hostNetwork"/],
    ['volumes', { volumes: [{ name: 'root', hostPath: { path: '/' } }] }, /unknown field "spec\.podTemplate\.volumes"/],
    ['containers', { containers: [{ name: 'sidecar', image: 'evil' }] }, /unknown field "spec\.podTemplate\.containers"/],
    ['resources', { resources: { limits: { cpu: '64' } } }, /unknown field "spec\.podTemplate\.resources"/],
    ['env valueFrom (a Secret by reference)', { env: [{ name: 'STOLEN', valueFrom: { secretKeyRef: { name: 'millrace-s3-credentials', key: 'AWS_SECRET_ACCESS_KEY' } } }] }, /unknown field "spec\.podTemplate\.env\[0\]\.valueFrom"/],
  ])('%s is refused by the API server, naming the field', async (_what, podTemplate, message) => {
    const r = await kubectl(editorKubeconfig, ['apply', '-f', '-'], deploymentYaml('forbidden', podTemplate));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    const left = await cluster.rest.getOrUndefined({ apiVersion: API, kind: 'Deployment', namespace, name: 'forbidden' });
    expect(left).toBeUndefined();
  }, 60_000);

  test('the allowed fields are accepted from the same editor', async () => {
    const allowed = { labels: { team: 'a' }, annotations: { 'example.com/owner': 'team-a' }, env: [{ name: 'TZ', value: 'UTC' }], tolerations: [{ key: 'dedicated', operator: 'Exists' }], nodeSelector: { 'millrace.dev/test-placement': 'none' } };
    const r = await kubectl(editorKubeconfig, ['apply', '-f', '-'], deploymentYaml('allowed', allowed));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await cluster.rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name: 'allowed' });
  }, 60_000);
});

describe('image and service account come from the Workspace', () => {
  const NO_NODE = { nodeSelector: { 'millrace.dev/test-placement': 'none' } };

  test('an image or service account the Workspace does not list fails the Deployment, naming the field; no pod is made', async () => {
    const { rest } = cluster;
    await applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name: 'own-image', namespace }, spec: { source: { pipeline: TEST_PIPELINE }, image: 'attacker.example/miner:1', podTemplate: NO_NODE } });
    const img = await waitForPhase(rest, 'Deployment', 'own-image', namespace, 'Failed');
    expect(img.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'ImageNotAllowed', message: expect.stringMatching(new RegExp(`^spec\\.image: attacker\\.example/miner:1 is not allowed by Workspace ${workspace}`)) });
    await applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name: 'own-sa', namespace }, spec: { source: { pipeline: TEST_PIPELINE }, podTemplate: { ...NO_NODE, serviceAccountName: 'default' } } });
    const sa = await waitForPhase(rest, 'Deployment', 'own-sa', namespace, 'Failed');
    expect(sa.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'ServiceAccountNotAllowed', message: expect.stringMatching(/^spec\.podTemplate\.serviceAccountName: default is not allowed/) });
    expect((await rest.list({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: 'millrace.dev/deployment in (own-image,own-sa)' })).items).toEqual([]);
  }, 120_000);

  test('once the cluster admin allows them on the Workspace, the pods use them and pass Pod Security restricted', async () => {
    const { rest } = cluster;
    const ws = await getWithStatus(rest, 'Workspace', workspace);
    await applyAs(rest, { apiVersion: API, kind: 'Workspace', metadata: { name: workspace }, spec: { ...(ws?.spec as object), pods: { allowedImages: ['attacker.example/miner:1'], serviceAccountName: 'default' } } });
    await applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name: 'chosen', namespace }, spec: { source: { pipeline: TEST_PIPELINE }, image: 'attacker.example/miner:1', podTemplate: NO_NODE } });
    type Pod = KubeObject & { spec: { serviceAccountName?: string; containers: Array<{ image: string }> } };
    const pods = await waitFor('pods of chosen', async () => {
      const items = (await rest.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: 'millrace.dev/deployment=chosen' })).items;
      return items.length >= 2 ? items : undefined;
    }, 60_000);
    for (const p of pods) {
      expect(p.spec.containers[0]?.image).toBe('attacker.example/miner:1');
      expect(p.spec.serviceAccountName).toBe('default');
    }
  }, 120_000);

  test("the operator's namespace enforces restricted: a root pod is refused by the API server", async () => {
    const ns = await cluster.rest.get<KubeObject>({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const root = cluster.rest.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root', namespace }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { runAsUser: 0, privileged: true } }] } });
    const err = await root.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).message).toMatch(/violates PodSecurity "restricted:latest".*privileged/);
  }, 60_000);
});

describe('the operator holds pods and Secrets only in the namespaces it made (issue 14 point 7)', () => {
  test('it binds its tenant role to its own ServiceAccount there; RBAC gives it pods and Secrets there and nowhere else', async () => {
    const binding = await cluster.rest.get<KubeObject & { roleRef: { kind: string; name: string }; subjects: unknown[] }>({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespace, name: TENANT_BINDING_NAME });
    expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: tenantRoleName(SECURITY_OPERATOR) });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: SECURITY_OPERATOR, namespace: OPERATOR_NAMESPACE }]);
    const op = operatorIdentity.username;
    for (const verb of ['create', 'delete']) expect(await allowed(cluster, op, { verb, resource: 'pods', namespace })).toBe(true);
    for (const verb of ['get', 'create']) expect(await allowed(cluster, op, { verb, resource: 'secrets', namespace })).toBe(true);
    for (const other of ['kube-system', 'default', plainNamespace]) {
      for (const [verb, resource] of [['create', 'pods'], ['delete', 'pods'], ['get', 'secrets'], ['create', 'secrets'], ['patch', 'secrets'], ['create', 'services'], ['create', 'configmaps']] as const) {
        expect([other, verb, resource, await allowed(cluster, op, { verb, resource, namespace: other })]).toEqual([other, verb, resource, false]);
      }
    }
    // Its own namespace: the workspace keys, read only.
    expect(await allowed(cluster, op, { verb: 'get', resource: 'secrets', namespace: OPERATOR_NAMESPACE })).toBe(true);
    expect(await allowed(cluster, op, { verb: 'create', resource: 'pods', namespace: OPERATOR_NAMESPACE })).toBe(false);
    expect(await allowed(cluster, op, { verb: 'list', resource: 'secrets' })).toBe(false);
    // It may bind only the member roles and its tenant role, and never escalate.
    expect(await allowed(cluster, op, { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'cluster-admin' })).toBe(false);
    expect(await allowed(cluster, op, { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'cluster-admin' })).toBe(false);
    // The API server itself refuses it, not only the review.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'operator-probe', namespace: 'kube-system' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    expect(await operatorIdentity.rest.create(pod).catch((e: unknown) => e)).toMatchObject({ status: 403, message: expect.stringMatching(/cannot create resource "pods" in API group "" in the namespace "kube-system"/) });
    expect(await operatorIdentity.rest.getOrUndefined({ apiVersion: 'v1', kind: 'Secret', namespace: 'kube-system', name: 'any' }).catch((e: unknown) => e)).toMatchObject({ status: 403 });
  }, 60_000);
});

describe('an editor gets no more through a Millrace resource than RBAC gives them', () => {
  test('RBAC: Deployments in their namespace; no pods, Secrets, RoleBindings, exec, or anything in another namespace', async () => {
    const who = editor.username;
    const can = (verb: string, resource: string, ns: string, extra: { group?: string; name?: string; subresource?: string } = {}) => allowed(cluster, who, { verb, resource, namespace: ns, ...extra });
    expect(await can('create', 'deployments', namespace, { group: 'millrace.dev' })).toBe(true);
    expect(await can('create', 'savepoints', namespace, { group: 'millrace.dev' })).toBe(true);
    expect(await can('create', 'queues', namespace, { group: 'millrace.dev' })).toBe(false);
    expect(await can('create', 'pods', namespace)).toBe(false);
    expect(await can('create', 'pods', namespace, { subresource: 'exec', name: 'any' })).toBe(false);
    expect(await can('get', 'secrets', namespace)).toBe(false);
    expect(await can('create', 'rolebindings', namespace, { group: 'rbac.authorization.k8s.io' })).toBe(false);
    expect(await can('patch', 'rolebindings', namespace, { group: 'rbac.authorization.k8s.io', name: TENANT_BINDING_NAME })).toBe(false);
    for (const other of ['kube-system', OPERATOR_NAMESPACE]) expect(await can('create', 'deployments', other, { group: 'millrace.dev' })).toBe(false);
  }, 60_000);

  test("the editor's Deployment runs on the operator's rights, and its key stays out of the editor's reach", async () => {
    const name = 'editors';
    const yaml = JSON.stringify({ apiVersion: API, kind: 'Deployment', metadata: { name, namespace, labels: testLabels() }, spec: { source: { pipeline: TEST_PIPELINE }, podTemplate: { nodeSelector: { 'millrace.dev/test-placement': 'none' } } } });
    const r = await kubectl(editorKubeconfig, ['apply', '-f', '-'], yaml);
    expect(r.stderr).toBe('');
    const pods = await waitFor('pods of the editor\'s Deployment', async () => {
      const items = (await cluster.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;
      return items.length >= 2 ? items : undefined;
    }, 60_000);
    const created = await cluster.rest.get<KubeObject>({ apiVersion: API, kind: 'Deployment', namespace, name });
    for (const p of pods) expect(p.metadata.ownerReferences?.map((o) => o.uid)).toEqual([created.metadata.uid]);
    expect(await editor.rest.getOrUndefined({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${name}-auth` }).catch((e: unknown) => e)).toMatchObject({ status: 403 });
    const ownPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'editor-pod', namespace }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    expect(await editor.rest.create(ownPod).catch((e: unknown) => e)).toMatchObject({ status: 403 });
    await cluster.rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name });
  }, 120_000);

  test('in a namespace the operator did not make, an editor\'s Deployment makes no pod or Secret: the operator holds no rights there', async () => {
    const { rest } = cluster;
    await rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plainNamespace } }, TEST_MANAGER);
    await rest.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'editor', namespace: plainNamespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'millrace-editor' }, subjects: [{ kind: 'ServiceAccount', name: 'editor', namespace }],
    }, TEST_MANAGER);
    await waitFor('the editor may create Deployments there', () => allowed(cluster, editor.username, { verb: 'create', resource: 'deployments', group: 'millrace.dev', namespace: plainNamespace }));
    const yaml = JSON.stringify({ apiVersion: API, kind: 'Deployment', metadata: { name: 'elsewhere', namespace: plainNamespace, labels: testLabels() }, spec: { source: { pipeline: TEST_PIPELINE } } });
    const r = await kubectl(editorKubeconfig, ['apply', '-f', '-'], yaml);
    expect(r.stderr).toBe('');
    const reported = await waitFor('the operator reports on it', async () => {
      const d = await getWithStatus(rest, 'Deployment', 'elsewhere', plainNamespace);
      return d?.status?.phase ? d : undefined;
    }, 60_000);
    expect(reported.status?.phase).not.toMatch(/Running|Starting|Deploying/);
    expect((await rest.list({ apiVersion: 'v1', kind: 'Pod', namespace: plainNamespace })).items).toEqual([]);
    expect(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'Secret', namespace: plainNamespace, name: 'elsewhere-auth' })).toBeUndefined();
    expect(await allowed(cluster, operatorIdentity.username, { verb: 'create', resource: 'pods', namespace: plainNamespace })).toBe(false);
  }, 120_000);
});

describe("a stolen operator token stays inside the operator's namespaces (the chart's admission policy)", () => {
  const rbac = 'rbac.authorization.k8s.io';
  const self = { name: SECURITY_OPERATOR, namespace: OPERATOR_NAMESPACE };
  const refusal = (e: unknown) => (e instanceof KubeApiError ? { status: e.status, message: e.message } : e);
  const bindingPath = (ns: string, name = '') => `/apis/${rbac}/v1/namespaces/${ns}/rolebindings${name ? `/${name}` : ''}`;

  test('the policy the chart renders type-checks against the Namespace and RoleBinding schemas without warnings', async () => {
    type Policy = { status?: { typeChecking?: { expressionWarnings?: Array<{ fieldRef: string; warning: string }> } } };
    const checked = await waitFor('the policy type-checked', async () => (await cluster.rest.request<Policy>('GET', `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${SECURITY_OPERATOR}-scope`)).status?.typeChecking);
    expect(checked.expressionWarnings ?? []).toEqual([]);
  }, 60_000);

  test('it cannot bind its tenant role in kube-system or in a namespace it did not make, though RBAC would let it', async () => {
    const { rest } = cluster;
    await rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plainNamespace } }, TEST_MANAGER);
    for (const other of ['kube-system', plainNamespace]) {
      expect(await allowed(cluster, operatorIdentity.username, { verb: 'create', resource: 'rolebindings', group: rbac, namespace: other })).toBe(true);
      const err = await operatorIdentity.rest.request('POST', bindingPath(other), { body: tenantBindingIn(other, self) }).catch(refusal);
      expect(err).toMatchObject({ status: 403, message: expect.stringContaining(`rolebinding-namespace: the Millrace operator writes RoleBindings only in namespaces it made (label app.kubernetes.io/managed-by=millrace-operator); ${other} is not one`) });
      expect(await rest.getOrUndefined({ apiVersion: `${rbac}/v1`, kind: 'RoleBinding', namespace: other, name: TENANT_BINDING_NAME })).toBeUndefined();
    }
  }, 60_000);

  test('in a namespace it made it binds neither cluster-admin nor another role, nor its tenant role to anyone else', async () => {
    const { rest } = cluster;
    const binding = (name: string, role: string, subject: object) => ({ apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: role }, subjects: [subject] });
    const editorSubject = { kind: 'ServiceAccount', name: 'editor', namespace };
    // cluster-admin: refused (RBAC's escalation check judges before admission; the policy's rolebinding-role would too).
    expect(await operatorIdentity.rest.request('POST', bindingPath(namespace), { body: binding('millrace-operator-admin', 'cluster-admin', { kind: 'ServiceAccount', ...self }) }).catch(refusal)).toMatchObject({ status: 403 });
    // A role within its own rights passes RBAC's escalation check; the policy refuses it by name.
    await rest.apply({ apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: 'millrace-test-pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }, TEST_MANAGER);
    expect(await operatorIdentity.rest.request('POST', bindingPath(namespace), { body: binding('pod-readers', 'millrace-test-pod-reader', editorSubject) }).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining('rolebinding-role: the Millrace operator binds only the ClusterRoles millrace-viewer, millrace-editor, millrace-owner (as RoleBinding <role>s)') });
    // Its own binding, patched to add the editor (RBAC allows: it may bind its tenant role).
    const patch = { subjects: [{ kind: 'ServiceAccount', ...self }, editorSubject] };
    expect(await operatorIdentity.rest.request('PATCH', bindingPath(namespace, TENANT_BINDING_NAME), { body: patch, contentType: 'application/merge-patch+json' }).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining(`tenant-binding-subject: the Millrace operator binds its tenant ClusterRole only to its own ServiceAccount ${OPERATOR_NAMESPACE}/${SECURITY_OPERATOR}`) });
    const bindings = (await rest.list<KubeObject & { subjects?: unknown[] }>({ apiVersion: `${rbac}/v1`, kind: 'RoleBinding', namespace })).items;
    expect(bindings.map((b) => b.metadata.name).sort()).toEqual(['millrace-editors', 'millrace-operator', 'millrace-owners', 'millrace-viewers']);
    expect(bindings.find((b) => b.metadata.name === TENANT_BINDING_NAME)?.subjects).toEqual([{ kind: 'ServiceAccount', ...self }]);
    expect(await allowed(cluster, editor.username, { verb: 'create', resource: 'pods', namespace })).toBe(false);
  }, 60_000);

  test('it cannot delete or take over a namespace it did not make, weaken one it made, or create one without its labels', async () => {
    const { rest } = cluster;
    await rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plainNamespace } }, TEST_MANAGER);
    const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', name });
    expect(await allowed(cluster, operatorIdentity.username, { verb: 'delete', resource: 'namespaces', name: plainNamespace })).toBe(true);
    expect(await operatorIdentity.rest.delete(ns(plainNamespace)).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining(`namespace-made-by-operator: the Millrace operator updates and deletes only namespaces it made (label app.kubernetes.io/managed-by=millrace-operator); ${plainNamespace} is not one`) });
    expect(await operatorIdentity.rest.mergePatch(ns(plainNamespace), { metadata: { labels: { 'app.kubernetes.io/managed-by': 'millrace-operator' } } }).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining('namespace-made-by-operator') });
    const plain = await rest.get<KubeObject>(ns(plainNamespace));
    expect(plain.metadata.deletionTimestamp).toBeUndefined();
    expect(plain.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    expect(await operatorIdentity.rest.mergePatch(ns(namespace), { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } }).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining('namespace-labels: the Millrace operator writes only namespaces labelled app.kubernetes.io/managed-by=millrace-operator, millrace.dev/namespace=<its name> and pod-security.kubernetes.io/enforce=restricted') });
    expect((await rest.get<KubeObject>(ns(namespace))).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const rogue = unique('rogue');
    expect(await operatorIdentity.rest.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: rogue } }).catch(refusal)).toMatchObject({ status: 403, message: expect.stringContaining('namespace-labels') });
    expect(await rest.getOrUndefined(ns(rogue))).toBeUndefined();
  }, 60_000);

  test('of Millrace objects it creates no Queue outside its namespaces, changes no Deployment or Workspace spec, deletes no Deployment outside its namespaces and no Workspace, though RBAC would let it', async () => {
    const { rest } = cluster;
    await rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plainNamespace } }, TEST_MANAGER);
    // A Deployment in a namespace it did not make (an admin's), the target of a delete.
    const outside = await applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name: 'outside', namespace: plainNamespace }, spec: { source: { pipeline: TEST_PIPELINE } } });
    for (const [verb, resource, ns] of [['create', 'queues', plainNamespace], ['patch', 'deployments', namespace], ['delete', 'deployments', plainNamespace]] as const) {
      expect(await allowed(cluster, operatorIdentity.username, { verb, resource, group: 'millrace.dev', ...(ns ? { namespace: ns } : {}) })).toBe(true);
    }
    expect(await operatorIdentity.rest.create({ apiVersion: API, kind: 'Queue', metadata: { name: 'planted', namespace: plainNamespace }, spec: { cu: 1 } }).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining(`millrace-create: the Millrace operator creates only Queues and Savepoints, and only in namespaces it made; not queues in ${plainNamespace}`) });
    expect(await rest.getOrUndefined({ apiVersion: API, kind: 'Queue', namespace: plainNamespace, name: 'planted' })).toBeUndefined();
    // Another image for a tenant's running Deployment (its pods would follow), and that image added to its Workspace's allowlist.
    const chosen = await rest.get<KubeObject & { spec: Record<string, unknown> }>({ apiVersion: API, kind: 'Deployment', namespace, name: 'chosen' });
    expect(await operatorIdentity.rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'chosen' }, { spec: { image: 'attacker.example/other:1' } }).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining('millrace-spec-unchanged: the Millrace operator never changes the spec of a Workspace, Namespace, Deployment or Savepoint, and that of a Queue only in namespaces it made; deployments chosen keeps its spec') });
    expect(await operatorIdentity.rest.mergePatch({ apiVersion: API, kind: 'Workspace', name: workspace }, { spec: { pods: { allowedImages: ['attacker.example/miner:1', 'attacker.example/other:1'] } } }).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining('millrace-spec-unchanged') });
    expect((await rest.get<KubeObject & { spec: Record<string, unknown> }>({ apiVersion: API, kind: 'Deployment', namespace, name: 'chosen' })).spec).toEqual(chosen.spec);
    expect(await operatorIdentity.rest.request('DELETE', `/apis/${API}/namespaces/${plainNamespace}/deployments/outside`).catch(refusal))
      .toMatchObject({ status: 403, message: expect.stringContaining(`millrace-delete: the Millrace operator deletes Deployments, Queues and Savepoints only in namespaces it made, and never a Workspace; not deployments outside in ${plainNamespace}`) });
    // Deleting a Workspace: RBAC no longer grants it (the policy's millrace-delete would refuse it too).
    expect(await allowed(cluster, operatorIdentity.username, { verb: 'delete', resource: 'workspaces', group: 'millrace.dev' })).toBe(false);
    expect(await operatorIdentity.rest.request('DELETE', `/apis/${API}/workspaces/${workspace}`).catch(refusal)).toMatchObject({ status: 403 });
    expect((await rest.get<KubeObject>({ apiVersion: API, kind: 'Deployment', namespace: plainNamespace, name: 'outside' })).metadata.uid).toBe(outside.metadata.uid);
    expect((await rest.get<KubeObject>({ apiVersion: API, kind: 'Workspace', name: workspace })).metadata.deletionTimestamp).toBeUndefined();
    await rest.delete({ apiVersion: API, kind: 'Deployment', namespace: plainNamespace, name: 'outside' });
  }, 60_000);

  test('its own work passes: a new Namespace gets its Kubernetes namespace and bindings, and deleting it deletes them', async () => {
    const { rest } = cluster;
    const made = await createWorkspaceAndNamespace(rest, { capacityCU: 1, quotaCU: 1, members: [{ kind: 'ServiceAccount', name: 'editor', namespace, role: 'viewer' }] });
    await waitForPhase(rest, 'Namespace', made.namespace, undefined, 'Active');
    const names = (await rest.list<KubeObject>({ apiVersion: `${rbac}/v1`, kind: 'RoleBinding', namespace: made.namespace })).items.map((b) => b.metadata.name).sort();
    expect(names).toEqual(['millrace-editors', 'millrace-operator', 'millrace-owners', 'millrace-viewers']);
    await rest.delete({ apiVersion: API, kind: 'Namespace', name: made.namespace });
    // The operator's DELETE of the namespace passed the policy once it is marked for deletion (or gone).
    await waitFor(`Kubernetes namespace ${made.namespace} deleted by the operator`, async () => {
      const kns = await rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Namespace', name: made.namespace });
      return kns === undefined || kns.metadata.deletionTimestamp !== undefined;
    }, 60_000);
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: made.workspace });
  }, 120_000);
});

describe('a Deployment created again under a name whose key Secret another owner still holds', () => {
  test('gets a key of its own, owned by it (the old one is replaced, not used)', async () => {
    const { rest } = cluster;
    const name = 'reborn';
    // What a Deployment deleted moments ago leaves until the garbage collector runs: the
    // operator's key Secret under this name, owned by another object (here one that lives on,
    // so the collector cannot remove it first and the outcome does not depend on timing).
    const decoy = await rest.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'decoy-owner', namespace } }, TEST_MANAGER);
    const oldKey = randomBytes(32).toString('hex');
    await rest.create({
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
      metadata: { name: `${name}-auth`, namespace, labels: { 'app.kubernetes.io/managed-by': 'millrace-operator', 'millrace.dev/deployment': name }, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'decoy-owner', uid: decoy.metadata.uid ?? '' }] },
      immutable: true, stringData: { key: oldKey },
    });
    const created = await applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: { source: { pipeline: TEST_PIPELINE }, podTemplate: { nodeSelector: { 'millrace.dev/test-placement': 'none' } } } });
    await waitFor(`pods of ${name}`, async () => (await rest.list({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items.length >= 2 || undefined, 60_000);
    const secret = await rest.get<KubeObject & { data: { key: string } }>({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${name}-auth` });
    expect(secret.metadata.ownerReferences?.map((o) => o.uid)).toEqual([created.metadata.uid]);
    expect(Buffer.from(secret.data.key, 'base64').toString('utf8')).not.toBe(oldKey);
    await rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name });
  }, 120_000);
});

describe('a lasting RBAC refusal of the operator shows on the Deployment (issue 14)', () => {
  test("with a right taken from its tenant ClusterRole, a Deployment gets OperatorForbidden (verb, resource, namespace, the API server's words, the fix), one Warning Event and Argo CD Degraded; with it back, it starts", async () => {
    const { rest } = cluster;
    const name = 'unbound';
    // The chart's tenant ClusterRole without NetworkPolicies: the operator's NetworkPolicy for the
    // Deployment, sent before any pod, is refused by RBAC in every pass. (Its RoleBinding removed
    // would do the same, but the operator binds itself again at the Namespace's next full pass,
    // here within 30 s: the Workspace's storage is unreachable, so the Namespace is looked at often.)
    type Role = KubeObject & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
    const roleRef = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: tenantRoleName(SECURITY_OPERATOR) };
    const role = await rest.get<Role>(roleRef);
    const withRules = (rules: Role['rules']) => ({ apiVersion: roleRef.apiVersion, kind: roleRef.kind, metadata: { name: roleRef.name }, rules });
    const restore = () => rest.apply(withRules(role.rules), TEST_MANAGER);
    await rest.apply(withRules(role.rules.filter((r) => !r.resources.includes('networkpolicies'))), TEST_MANAGER);
    try {
      await waitFor('the operator may no longer write NetworkPolicies there', async () => !(await allowed(cluster, operatorIdentity.username, { verb: 'patch', resource: 'networkpolicies', group: 'networking.k8s.io', namespace })));
      await applyAs(rest, { apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: { source: { pipeline: TEST_PIPELINE }, podTemplate: { nodeSelector: { 'millrace.dev/test-placement': 'none' } } } });
      type Conditioned = KubeObject & { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };
      const condition = (d: Conditioned | undefined, type: string) => d?.status?.conditions?.find((c) => c.type === type);
      // Retried with backoff first (a new binding takes a moment to count); reported once it lasted 10 s.
      const reported = await waitFor('OperatorForbidden on the Deployment', async () => {
        const d = await getWithStatus(rest, 'Deployment', name, namespace) as Conditioned | undefined;
        return condition(d, 'OperatorForbidden')?.status === 'True' ? d : undefined;
      }, 60_000, 500);
      const forbidden = condition(reported, 'OperatorForbidden')!;
      expect(forbidden.message).toMatch(new RegExp(`^since \\S+ the API server refuses the operator to patch networkpolicies \\(API group networking.k8s.io\\) in namespace ${namespace}: networkpolicies.networking.k8s.io "[\\w-]+" is forbidden: User "${operatorIdentity.username}" cannot patch resource "networkpolicies" in API group "networking.k8s.io" in the namespace "${namespace}"`));
      expect(forbidden.message).toContain(`Fix: bind the tenant ClusterRole ${roleRef.name} to the operator in namespace ${namespace}`);
      expect(forbidden.message).toContain(`kubectl create rolebinding ${TENANT_BINDING_NAME} -n ${namespace} --clusterrole=${roleRef.name} --serviceaccount=${OPERATOR_NAMESPACE}:${SECURITY_OPERATOR}); if it is bound, that ClusterRole lacks this right: install the chart's RBAC (rbac.create=true). Retried every 15 s`);
      expect(condition(reported, 'Ready')).toMatchObject({ status: 'False', reason: 'OperatorForbidden' });
      expect(await evaluateHealth([reported])).toEqual([{ status: 'Degraded', message: `Operator forbidden: ${forbidden.message}` }]);
      expect((await rest.list({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items).toEqual([]);
      const warnings = async () => (await eventsFor(rest, namespace, name)).filter((e) => e.reason === 'OperatorForbidden');
      await waitFor('the Warning Event', async () => (await warnings()).length > 0, 15_000, 500);
      // The Event carries the condition's message (Events keep its first 1,000 characters).
      expect(await warnings()).toEqual([{ type: 'Warning', reason: 'OperatorForbidden', note: forbidden.message.slice(0, 1000) }]);

      // The fix the condition names: the chart's rules back. The next try (every 15 s) goes through.
      await restore();
      const started = await waitFor('the Deployment starts', async () => {
        const d = await getWithStatus(rest, 'Deployment', name, namespace) as Conditioned | undefined;
        const pods = (await rest.list({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;
        return condition(d, 'OperatorForbidden')?.status === 'False' && pods.length >= 2 ? d : undefined;
      }, 45_000, 500);
      expect(condition(started, 'OperatorForbidden')).toMatchObject({ reason: 'Permitted' });
      expect(condition(started, 'Ready')?.reason).not.toBe('OperatorForbidden');
      expect(await warnings()).toHaveLength(1);
    } finally {
      await restore();
      await rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name });
    }
  }, 150_000);
});

describe('a lasting RBAC refusal shows on Queues and Savepoints too', () => {
  test("with the quota right taken from its tenant ClusterRole and the Savepoint patch right from its ClusterRole, a new Queue and a new Savepoint get OperatorForbidden and one Warning Event each; with the rights back, it clears", async () => {
    const { rest } = cluster;
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
    type Role = KubeObject & { rules: Rule[] };
    type Conditioned = KubeObject & { status?: { phase?: string; conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };
    const condition = (d: Conditioned | undefined) => d?.status?.conditions?.find((c) => c.type === 'OperatorForbidden');
    const tenantRef = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: tenantRoleName(SECURITY_OPERATOR) };
    const clusterRef = { ...tenantRef, name: SECURITY_OPERATOR };
    const [tenant, operatorRole] = await Promise.all([rest.get<Role>(tenantRef), rest.get<Role>(clusterRef)]);
    const put = (ref: typeof tenantRef, rules: Rule[]) => rest.apply({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name }, rules }, TEST_MANAGER);
    const restore = () => Promise.all([put(tenantRef, tenant.rules), put(clusterRef, operatorRole.rules)]);
    // Quotas are applied by the Queue (its ResourceQuota); Savepoints are patched for their finalizer (status writes stay allowed).
    const withoutSavepointPatch = operatorRole.rules.flatMap((r) => (r.resources.includes('savepoints') && r.verbs.includes('patch')
      ? [{ ...r, resources: r.resources.filter((x) => x !== 'savepoints') }, { ...r, resources: ['savepoints'], verbs: r.verbs.filter((v) => v !== 'patch') }]
      : [r]));
    await Promise.all([put(tenantRef, tenant.rules.filter((r) => !r.resources.includes('resourcequotas'))), put(clusterRef, withoutSavepointPatch)]);
    const queue = 'refused-q';
    const savepoint = 'refused-sp';
    try {
      await waitFor('the operator may no longer write quotas there or patch Savepoints', async () =>
        !(await allowed(cluster, operatorIdentity.username, { verb: 'patch', resource: 'resourcequotas', namespace })) &&
        !(await allowed(cluster, operatorIdentity.username, { verb: 'patch', resource: 'savepoints', group: 'millrace.dev', namespace })));
      await applyAs(rest, { apiVersion: API, kind: 'Queue', metadata: { name: queue, namespace }, spec: { cu: 1 } });
      await applyAs(rest, { apiVersion: API, kind: 'Savepoint', metadata: { name: savepoint, namespace }, spec: { deployment: 'no-such-deployment' } });
      const reported = await waitFor('OperatorForbidden on the Queue and the Savepoint', async () => {
        const [q, sp] = await Promise.all([getWithStatus(rest, 'Queue', queue, namespace), getWithStatus(rest, 'Savepoint', savepoint, namespace)]) as Array<Conditioned | undefined>;
        return condition(q)?.status === 'True' && condition(sp)?.status === 'True' ? { q: condition(q)!, sp: condition(sp)! } : undefined;
      }, 60_000, 500);
      expect(reported.q.message).toMatch(new RegExp(`^since \\S+ the API server refuses the operator to patch resourcequotas in namespace ${namespace}: resourcequotas "[\\w-]+" is forbidden: User "${operatorIdentity.username}" cannot patch resource "resourcequotas"`));
      expect(reported.sp.message).toMatch(new RegExp(`^since \\S+ the API server refuses the operator to patch savepoints \\(API group millrace.dev\\) in namespace ${namespace}: savepoints.millrace.dev "${savepoint}" is forbidden`));
      for (const [kind, name] of [['Queue', queue], ['Savepoint', savepoint]] as const) {
        await waitFor(`the Warning Event on ${kind} ${name}`, async () => (await eventsFor(rest, namespace, name)).some((e) => e.reason === 'OperatorForbidden') || undefined, 15_000, 500);
      }

      // The rights back: the next try (every 15 s) goes through and clears the condition.
      await restore();
      const cleared = await waitFor('the refusals over', async () => {
        const [q, sp] = await Promise.all([getWithStatus(rest, 'Queue', queue, namespace), getWithStatus(rest, 'Savepoint', savepoint, namespace)]) as Array<Conditioned | undefined>;
        return condition(q)?.status === 'False' && condition(sp)?.status === 'False' ? { q: q!, sp: sp! } : undefined;
      }, 45_000, 500);
      expect(condition(cleared.q)).toMatchObject({ reason: 'Permitted' });
      expect(cleared.q.status?.phase).toBe('Active');
      expect(condition(cleared.sp)).toMatchObject({ reason: 'Permitted' });
      expect(cleared.sp.metadata.finalizers).toContain('millrace.dev/cleanup');
      for (const name of [queue, savepoint]) expect((await eventsFor(rest, namespace, name)).filter((e) => e.reason === 'OperatorForbidden')).toHaveLength(1);
    } finally {
      await restore();
      await rest.delete({ apiVersion: API, kind: 'Savepoint', namespace, name: savepoint });
      await rest.delete({ apiVersion: API, kind: 'Queue', namespace, name: queue });
    }
  }, 150_000);
});

describe("a Deployment's key Secret deleted while its pods hold the key (issue 14)", () => {
  test('stays until the pods are gone (a replaced pod gets the same key), shows on the Deployment, and is replaced by a new key only at a new start; a key lost anyway makes no pod with another key', async () => {
    const { rest } = cluster;
    const name = 'keyed';
    const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace, name: `${name}-auth` };
    type KeySecret = KubeObject & { data: { key: string } };
    type Conditioned = KubeObject & { status?: { phase?: string; conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };
    const keyCondition = async () => ((await getWithStatus(rest, 'Deployment', name, namespace)) as Conditioned | undefined)?.status?.conditions?.find((c) => c.type === 'AuthKeyProblem');
    const podsOf = async () => (await rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items.filter((p) => !p.metadata.deletionTimestamp);
    const keyOf = (s: KeySecret) => Buffer.from(s.data.key, 'base64').toString('utf8');
    const spec = (state: string) => ({ apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: { source: { pipeline: TEST_PIPELINE }, state, podTemplate: { nodeSelector: { 'millrace.dev/test-placement': 'none' } } } });
    const warnings = async (reason: string) => (await eventsFor(rest, namespace, name)).filter((e) => e.reason === reason);
    await applyAs(rest, spec('running'));
    try {
      const first = await waitFor('pods and key', async () => ((await podsOf()).length >= 2 && await rest.getOrUndefined<KeySecret>(secretRef)) || undefined, 60_000);
      expect(first.metadata.finalizers).toEqual(['millrace.dev/key-in-use']);

      // Deleted by someone: it only gets a deletionTimestamp and keeps its key.
      await rest.delete(secretRef);
      const deleting = await rest.get<KeySecret>(secretRef);
      expect(deleting.metadata.deletionTimestamp).toBeDefined();
      // A pod replaced meanwhile (a drain): the operator makes it again, mounting the same Secret.
      const [victim] = (await podsOf()).filter((p) => p.metadata.name.includes('-tm-'));
      await rest.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${victim!.metadata.name}`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 } });
      await waitFor('the TaskManager made again', async () => (await podsOf()).some((p) => p.metadata.name === victim!.metadata.name && p.metadata.uid !== victim!.metadata.uid) || undefined, 60_000);
      const postponed = await waitFor('AuthKeyProblem KeyDeletionPostponed', async () => { const c = await keyCondition(); return c?.reason === 'KeyDeletionPostponed' ? c : undefined; }, 60_000, 500);
      expect(postponed.status).toBe('True');
      expect(postponed.message).toMatch(new RegExp(`^Secret ${namespace}/${name}-auth \\(the Deployment's key\\) was deleted at \\S+ while pods ${name}-jm-.+ hold its key; it stays \\(finalizer millrace.dev/key-in-use\\) until they are gone`));
      expect(postponed.message).toContain('For a new key: suspend the Deployment');
      const kept = await rest.get<KeySecret>(secretRef);
      expect(kept.metadata.uid).toBe(first.metadata.uid);
      expect(keyOf(kept)).toBe(keyOf(first));
      await waitFor('the Warning Event', async () => (await warnings('KeyDeletionPostponed')).length > 0 || undefined, 15_000, 500);
      // One Event, when it first showed (the pods it names are those of that pass).
      const [event, ...more] = await warnings('KeyDeletionPostponed');
      expect(more).toEqual([]);
      expect(event).toMatchObject({ type: 'Warning', note: expect.stringMatching(new RegExp(`^Secret ${namespace}/${name}-auth \\(the Deployment's key\\) was deleted at \\S+ while pods ${name}-jm-.+ For a new key: suspend the Deployment`)) });

      // The way to a new key the condition names: suspend (the pods go, and the Secret with them) ...
      await applyAs(rest, spec('suspended'));
      await waitFor('pods and the old key gone', async () => ((await podsOf()).length === 0 && (await rest.getOrUndefined(secretRef)) === undefined) || undefined, 60_000, 500);
      expect(await waitFor('AuthKeyProblem cleared', async () => { const c = await keyCondition(); return c?.status === 'False' ? c : undefined; }, 30_000, 500)).toMatchObject({ reason: 'KeyReleased' });
      // ... then resume: a new run, a new key.
      await applyAs(rest, spec('running'));
      const second = await waitFor('pods and a new key', async () => ((await podsOf()).length >= 2 && await rest.getOrUndefined<KeySecret>(secretRef)) || undefined, 60_000);
      expect(second.metadata.uid).not.toBe(first.metadata.uid);
      expect(keyOf(second)).not.toBe(keyOf(first));
      expect(second.metadata.finalizers).toEqual(['millrace.dev/key-in-use']);

      // The finalizer taken off by hand: the key is gone under running pods. A pod replaced now
      // is NOT made with a new key (its peers would refuse it); the Deployment says so.
      await rest.mergePatch(secretRef, { metadata: { finalizers: null } });
      await rest.delete(secretRef);
      await waitFor('the key gone', async () => (await rest.getOrUndefined(secretRef)) === undefined || undefined, 30_000, 200);
      const [tm] = (await podsOf()).filter((p) => p.metadata.name.includes('-tm-'));
      await rest.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${tm!.metadata.name}`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 } });
      const left = (await podsOf()).map((p) => p.metadata.name);
      expect(left).not.toContain(tm!.metadata.name);
      // The pass that saw the pod go names only the pods left.
      const lost = await waitFor('AuthKeyProblem KeyLost naming the pods left', async () => { const c = await keyCondition(); return c?.reason === 'KeyLost' && !c.message.includes(tm!.metadata.name) ? c : undefined; }, 60_000, 500);
      expect(lost.message).toMatch(new RegExp(`^Secret ${namespace}/${name}-auth \\(the Deployment's key\\) is gone while pods ${left.join(', ')} run; no pod is made with another key`));
      expect((await podsOf()).map((p) => p.metadata.name)).toEqual(left);
      expect(await rest.getOrUndefined(secretRef)).toBeUndefined();
      await waitFor('the KeyLost Event', async () => (await warnings('KeyLost')).length > 0 || undefined, 15_000, 500);

      // Suspend and resume: a new run with a new key.
      await applyAs(rest, spec('suspended'));
      await waitFor('pods gone', async () => (await podsOf()).length === 0 || undefined, 60_000, 500);
      await applyAs(rest, spec('running'));
      const third = await waitFor('pods and a new key', async () => ((await podsOf()).length >= 2 && await rest.getOrUndefined<KeySecret>(secretRef)) || undefined, 60_000);
      expect(keyOf(third)).not.toBe(keyOf(second));
      expect(await waitFor('AuthKeyProblem cleared', async () => { const c = await keyCondition(); return c?.status === 'False' ? c : undefined; }, 30_000, 500)).toMatchObject({ reason: expect.stringMatching(/^Key(InPlace|Released)$/) });
    } finally {
      await rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name });
    }
    // With the Deployment gone, its key goes too (the operator lets go of it).
    await waitFor('the key Secret gone with its Deployment', async () => (await rest.getOrUndefined(secretRef)) === undefined || undefined, 60_000, 500);
  }, 400_000);
});

function testLabels(): Record<string, string> {
  const [key, value] = TEST_WATCH_SELECTOR.split('=') as [string, string];
  return { [key]: value };
}
