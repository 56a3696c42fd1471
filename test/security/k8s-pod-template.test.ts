// Attack: a namespace editor shapes the pods of a Deployment to run code or take an identity the
// namespace does not own (NODE_OPTIONS, AWS_* credentials, a cloud-role annotation, Millrace's own
// labels, a root security context, host paths, another image or service account). Expected: the
// API server refuses each field by name (CRD CEL rules; unknown fields under kubectl's strict field
// validation); what only the Workspace decides (image, service account) is refused by the operator
// in status; the operator's namespaces enforce Pod Security `restricted` and its pods pass it.
// Control-plane tier: a real kube-apiserver with its CEL and PodSecurity admission.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryRun } from '../cluster/kube/commands.ts';
import { kubeBinary } from '../cluster/kube/layout.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import { KubeApiError } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, createWorkspaceAndNamespace, getWithStatus, startInProcessOperator, TEST_PIPELINE, TEST_WATCH_SELECTOR, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';

let cluster: Cluster;
let operator: Operator;
let namespace: string;
let workspace: string;
let editorKubeconfig: string;

const kubectl = (kubeconfig: string, args: string[], input?: string) =>
  tryRun(process.env.KUBECONFIG ? 'kubectl' : kubeBinary('kubectl'), ['--kubeconfig', kubeconfig, ...args], { input });

beforeAll(async () => {
  cluster = await useOperatorCluster();
  operator = await startInProcessOperator(cluster, { defaultImage: 'localhost/millrace:operator-default' });
  ({ workspace, namespace } = await createWorkspaceAndNamespace(cluster.rest, {
    capacityCU: 8, quotaCU: 8, members: [{ kind: 'ServiceAccount', name: 'editor', role: 'editor' }],
  }));
  await waitForPhase(cluster.rest, 'Namespace', namespace, undefined, 'Active');
  // The editor: a ServiceAccount of the tenant namespace bound to millrace-editor through spec.members.
  const { rest, kc } = cluster;
  await rest.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'editor', namespace } }, 'security-test');
  const token = await rest.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/editor/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const admin = kc.getCurrentCluster();
  if (!admin) throw new Error('admin kubeconfig has no cluster');
  const caData = admin.caData ?? (admin.caFile ? (await readFile(admin.caFile)).toString('base64') : undefined);
  editorKubeconfig = join(await mkdtemp(join(tmpdir(), 'millrace-editor-')), 'kubeconfig');
  await writeFile(editorKubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'editor',
    clusters: [{ name: 'local', cluster: { server: admin.server, ...(caData ? { 'certificate-authority-data': caData } : { 'insecure-skip-tls-verify': true }) } }],
    users: [{ name: 'editor', user: { token: token.status.token } }],
    contexts: [{ name: 'editor', context: { cluster: 'local', user: 'editor', namespace } }],
  }), { mode: 0o600 });
}, 1_800_000);

afterAll(async () => {
  const mine = { apiVersion: API, kind: 'Workspace' };
  for (const w of (await cluster.rest.list<KubeObject>(mine, { labelSelector: TEST_WATCH_SELECTOR })).items) await cluster.rest.delete({ ...mine, name: w.metadata.name });
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
