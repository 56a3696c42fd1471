// The reconcilers against a real API server (etcd + kube-apiserver + controller-manager +
// scheduler from test/cluster): what each creates, what the API server enforces, status,
// conditions and Events. Pods are created but never run: when the shared cluster also has its
// node tier up, a node selector no node matches keeps them Pending, so they take no node CPU
// from end-to-end tests and are deleted at once (unscheduled pods need no kubelet to confirm).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { KubeRest, KubeApiError } from '../../operator/kube/rest-client.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProcessCluster } from '../../runtime/local/process-cluster.ts';
import { API, applyAs, createWorkspaceAndNamespace, TEST_PIPELINE, eventsFor, getWithStatus, localJobManagers, OPERATOR_NAMESPACE, operatorKubeconfig, startInProcessOperator, TEST_WATCH_SELECTOR, unique, useOperatorCluster, waitFor, waitForPhase } from './support/harness.ts';
import type { Cluster } from './support/harness.ts';
import { controlPlaneIsThrowaway } from '../cluster/environment.ts';

// One file, so only one operator at a time acts on the shared control plane.
let cluster: Cluster;
let operator: Operator | undefined;
beforeAll(async () => {
  cluster = await useOperatorCluster();
  operator = await startInProcessOperator(cluster);
}, 1_800_000);
afterAll(async () => {
  // Remove what this run created: its Workspaces, whose finalizer deletes their Namespaces
  // (and those their deployments) first. Needs an operator; the last one may have stopped.
  // Not on a control plane this run started: teardown forgets it all, and no pod here ever ran.
  const { rest } = cluster;
  if (await controlPlaneIsThrowaway()) {
    await operator?.stop();
    return;
  }
  const cleaner = operator ?? await startInProcessOperator(cluster);
  const mine = { apiVersion: API, kind: 'Workspace' };
  const created = (await rest.list<KubeObject>(mine, { labelSelector: TEST_WATCH_SELECTOR })).items;
  for (const w of created) await rest.delete({ ...mine, name: w.metadata.name });
  process.stderr.write(`[operator tests] deleting the ${created.length} Workspace(s) of ${TEST_WATCH_SELECTOR}\n`);
  await waitFor('workspaces of this run deleted', async () => (await rest.list<KubeObject>(mine, { labelSelector: TEST_WATCH_SELECTOR })).items.length === 0, 150_000, 1000)
    .catch((err: unknown) => process.stderr.write(`[operator tests] cleanup incomplete: ${String(err)}\n`));
  await cleaner.stop();
}, 200_000);

/** Matches no node: test pods stay Pending even where the node tier runs. */
const NO_NODE = { podTemplate: { nodeSelector: { 'millrace.dev/test-placement': 'none' } } };

type Pod = KubeObject & { spec: { priorityClassName: string; containers: Array<{ resources: { requests: Record<string, string>; limits: Record<string, string> } }> } };
const deployment = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: { source: { pipeline: TEST_PIPELINE }, jobManager: { cu: 0.5 }, taskManager: { cu: 1, slots: 2 }, ...NO_NODE, ...spec } });
const podsOf = async (rest: KubeRest, namespace: string, name: string) =>
  (await rest.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;
type ConfigVolume = { name: string; configMap?: { name: string }; downwardAPI?: { items: Array<{ path: string; fieldRef: { fieldPath: string } }> } };
/**
 * The files the Deployment's (not terminating) JobManager pod sees in /etc/millrace: projected from
 * its own annotations by its downward API volume, or its ConfigMap's when large (config-files.ts).
 */
async function jobManagerConfig(rest: KubeRest, namespace: string, name: string): Promise<Record<string, string> | undefined> {
  const jm = (await podsOf(rest, namespace, name)).find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager' && !p.metadata.deletionTimestamp);
  const volume = (jm?.spec as unknown as { volumes?: ConfigVolume[] } | undefined)?.volumes?.find((v) => v.name === 'config');
  if (!jm || !volume) return undefined;
  if (volume.configMap) return (await rest.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: volume.configMap.name })).data;
  return Object.fromEntries((volume.downwardAPI?.items ?? []).map((i) => [i.path, jm.metadata.annotations?.[/^metadata\.annotations\['(.+)'\]$/.exec(i.fieldRef.fieldPath)?.[1] ?? ''] ?? '(no such annotation)']));
}

describe('Namespace reconciler', () => {
  test('creates the Kubernetes namespace, its quota, member RoleBindings and default-queue, all owned and labelled', async () => {
    const { rest } = cluster;
    const { workspace, namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 20, quotaCU: 6, members: [{ kind: 'User', name: 'alice', role: 'viewer' }, { kind: 'Group', name: 'team', role: 'editor' }] });
    const mns = await waitForPhase(rest, 'Namespace', namespace, undefined, 'Active');
    expect(mns.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(mns.status?.observedGeneration).toBe(mns.metadata.generation);
    expect(mns.metadata.finalizers).toContain('millrace.dev/cleanup');

    const kns = await rest.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    expect(kns.metadata.labels).toMatchObject({ 'millrace.dev/workspace': workspace, 'millrace.dev/namespace': namespace });
    expect(kns.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Namespace', apiVersion: API, name: namespace, uid: mns.metadata.uid, controller: true })]);

    const quota = await rest.get<KubeObject & { spec: { hard: Record<string, string> } }>({ apiVersion: 'v1', kind: 'ResourceQuota', namespace, name: 'millrace-namespace-quota' });
    expect(quota.spec.hard).toEqual({ 'requests.cpu': '6', 'limits.cpu': '6', 'requests.memory': '24Gi', 'limits.memory': '24Gi', 'requests.ephemeral-storage': '120G', 'limits.ephemeral-storage': '120G' });

    const viewers = await rest.get<KubeObject & { roleRef: { name: string }; subjects: unknown[] }>({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespace, name: 'millrace-viewers' });
    expect(viewers.roleRef.name).toBe('millrace-viewer');
    expect(viewers.subjects).toEqual([{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }]);

    const dq = await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    expect((dq.spec as { cu: number }).cu).toBe(6);
    expect(await eventsFor(rest, 'default', namespace)).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'Provisioned', type: 'Normal' })]));
  }, 120_000);

  test('refuses a quota above the free capacity of the workspace, with a condition and an Event', async () => {
    const { rest } = cluster;
    const { workspace, namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 8, quotaCU: 6 });
    await waitForPhase(rest, 'Namespace', namespace, undefined, 'Active');
    const second = unique('ns');
    await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: second }, spec: { workspace, quotaCU: 4 } });
    const refused = await waitForPhase(rest, 'Namespace', second, undefined, 'QuotaRejected');
    expect(refused.status?.conditions?.find((c) => c.type === 'QuotaAccepted')).toMatchObject({ status: 'False', reason: 'ExceedsWorkspaceCapacity', message: expect.stringMatching(/spec\.quotaCU 4 exceeds .*\(2 of 8 CU free\)/) });
    expect(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'Namespace', name: second })).toBeUndefined();
    await waitFor('QuotaRejected event', async () => (await eventsFor(rest, 'default', second)).find((e) => e.reason === 'ExceedsWorkspaceCapacity' && e.type === 'Warning'));
    const ws = await waitFor('workspace allocation reported', async () => { const w = await getWithStatus(rest, 'Workspace', workspace); return w?.status?.allocatedCU === 6 ? w : undefined; });
    expect(ws.status?.capacityCU).toBe(8);
  }, 120_000);

  test('a namespace viewer cannot create a Deployment, an editor can (impersonation)', async () => {
    const { rest, kc } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 4, quotaCU: 2, members: [{ kind: 'User', name: 'vera', role: 'viewer' }, { kind: 'User', name: 'ed', role: 'editor' }] });
    await waitForPhase(rest, 'Namespace', namespace, undefined, 'Active');
    const asViewer = new KubeRest(kc, { impersonate: { user: 'vera' } });
    const asEditor = new KubeRest(kc, { impersonate: { user: 'ed' } });
    await waitFor('viewer can list deployments', async () => (await asViewer.list({ apiVersion: API, kind: 'Deployment', namespace })).items);
    const denied = await asViewer.create(deployment(namespace, 'by-viewer', {})).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(KubeApiError);
    expect((denied as KubeApiError).status).toBe(403);
    expect((denied as KubeApiError).message).toMatch(/"vera" cannot create resource "deployments" in API group "millrace.dev"/);
    await expect(asEditor.create(deployment(namespace, 'by-editor', { state: 'suspended' }))).resolves.toMatchObject({ metadata: { name: 'by-editor' } });
  }, 120_000);
});

describe('Workspace storage in namespaces, and Workspace deletion', () => {
  test('the workspace S3 Secret is copied into each namespace (owned, credential keys only) and pods mount it with the storage settings; no value in status or Events', async () => {
    const { rest } = cluster;
    const secretName = unique('s3');
    const accessKey = `AK${unique('id')}`;
    const secretKey = `SK${unique('secret')}${unique('x')}`;
    await rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey, other: 'not copied' } }, 'millrace-tests');
    try {
      const { namespace, workspace } = await createWorkspaceAndNamespace(rest, {
        capacityCU: 10, quotaCU: 4,
        storage: { bucket: 'team-bucket', endpoint: 'http://10.245.0.1:19000', region: 'eu-west-1', prefix: 'tenant/', secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE }, namespaceCredentials: { mode: 'SharedKey' } },
      });
      const mns = await waitFor('StorageCredentials condition', async () => {
        const n = await getWithStatus(rest, 'Namespace', namespace);
        return n?.status?.conditions?.find((c) => c.type === 'StorageCredentials' && c.status === 'True') ? n : undefined;
      });
      const copy = await rest.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace, name: 'millrace-s3-credentials' });
      expect(Object.keys(copy.data).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
      expect(Buffer.from(copy.data.AWS_SECRET_ACCESS_KEY ?? '', 'base64').toString()).toBe(secretKey);
      expect(copy.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Namespace', name: namespace, uid: mns.metadata.uid })]);

      await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
      await applyAs(rest, deployment(namespace, 'stored', {}));
      const pods = await waitFor('pods', async () => { const p = await podsOf(rest, namespace, 'stored'); return p.length === 2 ? p : undefined; });
      for (const p of pods) {
        const c = (p.spec as unknown as { containers: Array<{ env: Array<{ name: string; value?: string }>; volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }> }>; volumes: Array<{ name: string; secret?: { secretName: string } }> });
        expect(c.containers[0]?.env).toEqual(expect.arrayContaining([
          { name: 'MILLRACE_S3_BUCKET', value: 'team-bucket' }, { name: 'MILLRACE_S3_PREFIX', value: 'tenant/' }, { name: 'MILLRACE_S3_ENDPOINT', value: 'http://10.245.0.1:19000' },
          { name: 'MILLRACE_S3_REGION', value: 'eu-west-1' }, { name: 'MILLRACE_S3_PATH_STYLE', value: 'true' }, { name: 'MILLRACE_S3_CREDENTIALS_DIR', value: '/var/run/secrets/millrace/s3' },
        ]));
        expect(c.containers[0]?.volumeMounts).toContainEqual({ name: 's3-credentials', mountPath: '/var/run/secrets/millrace/s3', readOnly: true });
        expect(c.volumes).toContainEqual(expect.objectContaining({ name: 's3-credentials', secret: expect.objectContaining({ secretName: 'millrace-s3-credentials' }) }));
        expect(JSON.stringify(p)).not.toContain(secretKey);
      }
      const visible = JSON.stringify([
        await getWithStatus(rest, 'Namespace', namespace), await getWithStatus(rest, 'Workspace', workspace), await getWithStatus(rest, 'Deployment', 'stored', namespace),
        await eventsFor(rest, 'default', namespace), await eventsFor(rest, 'default', workspace), await eventsFor(rest, namespace, 'stored'),
      ]);
      expect(visible).not.toContain(secretKey);
      expect(visible).not.toContain(Buffer.from(secretKey).toString('base64'));
    } finally {
      await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
    }
  }, 120_000);

  test('deleting a Workspace deletes its Namespaces first (status and Events say what it waits for), then goes', async () => {
    const { rest } = cluster;
    const { workspace, namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 4 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    const ws = await waitFor('finalizer on the Workspace', async () => { const w = await getWithStatus(rest, 'Workspace', workspace); return w?.metadata.finalizers?.includes('millrace.dev/cleanup') ? w : undefined; });
    expect(ws.metadata.finalizers).toContain('millrace.dev/cleanup');
    await applyAs(rest, deployment(namespace, 'inside', {}));
    await waitFor('pods', async () => (await podsOf(rest, namespace, 'inside')).length === 2);
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
    const terminating = await waitForPhase(rest, 'Workspace', workspace, undefined, 'Terminating', 30_000).catch(() => undefined);
    // It may already be gone on a fast machine; when seen, it names what it waits for.
    if (terminating) expect(terminating.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Terminating', message: expect.stringContaining(namespace) });
    await waitFor('Namespace gone', async () => !(await getWithStatus(rest, 'Namespace', namespace)), 90_000);
    await waitFor('Workspace gone', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 30_000);
    expect((await eventsFor(rest, 'default', workspace)).map((e) => e.reason)).toEqual(expect.arrayContaining(['Terminating', 'Deleted']));
  }, 180_000);
});

describe('Queue reconciler', () => {
  test('creates a PriorityClass and a ResourceQuota scoped to it; the API server rejects a pod over the queue quota', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 4 });
    await waitForPhase(rest, 'Namespace', namespace, undefined, 'Active');
    await applyAs(rest, { apiVersion: API, kind: 'Queue', metadata: { name: 'etl', namespace }, spec: { cu: 1 } });
    const q = await waitForPhase(rest, 'Queue', 'etl', namespace, 'Active');
    const pcName = `millrace-${namespace}.etl`;
    expect(q.status?.priorityClassName).toBe(pcName);
    const pc = await rest.get<KubeObject & { preemptionPolicy: string; value: number }>({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: pcName });
    expect(pc.preemptionPolicy).toBe('Never');
    const quota = await rest.get<KubeObject & { spec: { hard: Record<string, string>; scopeSelector: unknown } }>({ apiVersion: 'v1', kind: 'ResourceQuota', namespace, name: 'millrace-queue-etl' });
    expect(quota.spec.hard['limits.cpu']).toBe('1');
    expect(quota.spec.scopeSelector).toEqual({ matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [pcName] }] });
    // The default-queue shrinks to what is left.
    await waitFor('default-queue resized to 3 CU', async () => ((await getWithStatus(rest, 'Queue', 'default-queue', namespace))?.spec as { cu: number } | undefined)?.cu === 3);

    const pod = (name: string, cpu: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
      // Pod Security `restricted` (the namespace enforces it) needs the security context.
      spec: { priorityClassName: pcName, nodeSelector: NO_NODE.podTemplate.nodeSelector, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }, resources: { requests: { cpu, memory: '1Gi', 'ephemeral-storage': '1G' }, limits: { cpu, memory: '1Gi', 'ephemeral-storage': '1G' } } }] },
    });
    await waitFor('quota status computed', async () => ((await rest.get<KubeObject & { status?: { hard?: unknown } }>({ apiVersion: 'v1', kind: 'ResourceQuota', namespace, name: 'millrace-queue-etl' })).status?.hard));
    await expect(rest.create(pod('fits', '750m'))).resolves.toBeDefined();
    const refused = await rest.create(pod('too-much', '500m')).catch((e: unknown) => e);
    expect((refused as KubeApiError).status).toBe(403);
    expect((refused as KubeApiError).message).toMatch(/exceeded quota: millrace-queue-etl/);
  }, 120_000);

  test('refuses a queue larger than what the namespace quota leaves', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 2 });
    await waitForPhase(rest, 'Namespace', namespace, undefined, 'Active');
    await applyAs(rest, { apiVersion: API, kind: 'Queue', metadata: { name: 'big', namespace }, spec: { cu: 3 } });
    const q = await waitForPhase(rest, 'Queue', 'big', namespace, 'QuotaRejected');
    expect(q.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ExceedsNamespaceQuota', message: expect.stringMatching(/spec\.cu 3 exceeds .*2 of 2 CU/) });
  }, 120_000);
});

describe('Deployment reconciler', () => {
  test('creates JobManager and TaskManager pods sized from CU, with their configuration, and a Service, all owned', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 8 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    await applyAs(rest, deployment(namespace, 'orders', { parallelism: 3 }));
    const dep = await waitForPhase(rest, 'Deployment', 'orders', namespace, 'Starting');
    expect(dep.status).toMatchObject({ requiredCU: 2.5, taskManagers: 2, cuInUse: 2.5 });
    const pods = await waitFor('3 pods', async () => { const p = await podsOf(rest, namespace, 'orders'); return p.length === 3 ? p : undefined; });
    const owner = expect.objectContaining({ kind: 'Deployment', name: 'orders', uid: dep.metadata.uid, controller: true });
    const jm = pods.find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager');
    expect(jm?.spec.containers[0]?.resources.limits).toEqual({ cpu: '500m', memory: '2Gi', 'ephemeral-storage': '10G' });
    for (const p of pods) {
      expect(p.metadata.ownerReferences).toEqual([owner]);
      expect(p.spec.priorityClassName).toBe(`millrace-${namespace}.default-queue`);
      expect(p.spec.containers[0]?.resources.requests).toEqual(p.spec.containers[0]?.resources.limits);
    }
    expect(pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager').map((p) => p.spec.containers[0]?.resources.limits.cpu)).toEqual(['1', '1']);
    const svc = await rest.get({ apiVersion: 'v1', kind: 'Service', namespace, name: 'orders-jobmanager' });
    expect(svc.metadata.ownerReferences).toEqual([owner]);
    // A small configuration travels in the pods' own annotations: no ConfigMap request (config-files.ts).
    expect(JSON.parse((await jobManagerConfig(rest, namespace, 'orders'))?.['millrace.json'] ?? '{}')).toMatchObject({ parallelism: 3, deployment: { namespace, name: 'orders' } });
    expect(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'orders-config' })).toBeUndefined();
    expect(dep.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: expect.stringMatching(/^(Starting|Unschedulable)$/) });
    // Its pods match no node (NO_NODE): once the scheduler says so, the Deployment says why it does not start.
    await waitFor('Ready reason Unschedulable', async () => (await getWithStatus(rest, 'Deployment', 'orders', namespace))?.status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'Unschedulable' && /cannot be scheduled: /.test(c.message)), 30_000);

    // Owned objects go with the Deployment (garbage collector of the controller-manager).
    await rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name: 'orders' });
    await waitFor('owned objects removed', async () =>
      (await podsOf(rest, namespace, 'orders')).length === 0
      && !(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'Service', namespace, name: 'orders-jobmanager' })), 150_000);
  }, 240_000);

  test('an inline pipeline goes into the pods\' configuration and the JobManager runs the pipeline job on it; SQL and an invalid pipeline end Failed without pods, naming why', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 4 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    await applyAs(rest, deployment(namespace, 'yaml', {}));
    const jm = await waitFor('JobManager pod', async () => (await podsOf(rest, namespace, 'yaml')).find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager'));
    expect((jm.spec as unknown as { containers: Array<{ args: string[] }> }).containers[0]?.args).toEqual(expect.arrayContaining(['--job', '/opt/millrace/runtime/pipeline/pipeline-job.ts', '--set', 'pipeline=/etc/millrace/pipeline.yaml']));
    expect((await jobManagerConfig(rest, namespace, 'yaml'))?.['pipeline.yaml']).toBe(TEST_PIPELINE);

    await applyAs(rest, deployment(namespace, 'sql', { source: { sql: 'SELECT * FROM bids' } }));
    const sql = await waitForPhase(rest, 'Deployment', 'sql', namespace, 'Failed');
    expect(sql.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSql', message: expect.stringMatching(/^spec\.source\.sql: line 1, column 15: Object 'bids' not found/) });
    await waitFor('InvalidSql event', async () => (await eventsFor(rest, namespace, 'sql')).find((e) => e.reason === 'InvalidSql' && e.type === 'Warning' && /line 1, column 15/.test(e.note ?? '')));

    await applyAs(rest, deployment(namespace, 'bad-yaml', { source: { pipeline: 'source: { type: nexmark }\nsteps: [{ type: window, size: 10 seconds, aggregates: [{ fn: count, as: n }] }]\nsink: { type: print }' } }));
    const bad = await waitForPhase(rest, 'Deployment', 'bad-yaml', namespace, 'Failed');
    expect(bad.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'InvalidPipeline', message: expect.stringMatching(/^spec\.source\.pipeline: steps\[0\]\.size: expected a duration/) });
    await waitFor('InvalidPipeline event', async () => (await eventsFor(rest, namespace, 'bad-yaml')).find((e) => e.reason === 'InvalidPipeline'));
    expect(await podsOf(rest, namespace, 'sql')).toEqual([]);
    expect(await podsOf(rest, namespace, 'bad-yaml')).toEqual([]);
    // Fixing the pipeline (a new generation) starts it.
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'bad-yaml' }, { spec: { source: { pipeline: TEST_PIPELINE } } });
    await waitForPhase(rest, 'Deployment', 'bad-yaml', namespace, 'Starting');
  }, 120_000);

  test('deleting a Namespace stops its deployments first, then removes the Kubernetes namespace', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 4 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    await applyAs(rest, deployment(namespace, 'doomed', {}));
    await waitFor('pods', async () => (await podsOf(rest, namespace, 'doomed')).length === 2);
    await rest.delete({ apiVersion: API, kind: 'Namespace', name: namespace });
    await waitFor('Deployment deleted', async () => !(await getWithStatus(rest, 'Deployment', 'doomed', namespace)), 60_000);
    await waitFor('Millrace Namespace gone', async () => !(await getWithStatus(rest, 'Namespace', namespace)), 60_000);
    const kns = await rest.getOrUndefined({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    expect(kns === undefined || Boolean(kns.metadata.deletionTimestamp)).toBe(true);
    expect(await rest.getOrUndefined({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: `millrace-${namespace}.default-queue` })).toBeUndefined();
    expect((await eventsFor(rest, 'default', namespace)).map((e) => e.reason)).toContain('Terminating');
  }, 120_000);

  test('a deployment that does not fit waits in phase Queued, first come first served, and starts when capacity frees', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 3 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    // Each needs 0.5 + 1 = 1.5 CU; the queue has 3.
    for (const name of ['first', 'second', 'third']) {
      await applyAs(rest, deployment(namespace, name, { parallelism: 1 }));
      await new Promise((r) => setTimeout(r, 1100)); // distinct creationTimestamps (second resolution)
    }
    await waitForPhase(rest, 'Deployment', 'first', namespace, 'Starting');
    await waitForPhase(rest, 'Deployment', 'second', namespace, 'Starting');
    const third = await waitForPhase(rest, 'Deployment', 'third', namespace, 'Queued');
    expect(third.status?.reason).toBe('needs 1.5 CU, queue default-queue has 0 of 3 CU free');
    expect(await podsOf(rest, namespace, 'third')).toEqual([]);
    expect(await waitFor('Queued event', async () => (await eventsFor(rest, namespace, 'third')).find((e) => e.reason === 'Queued'))).toBeDefined();
    const queue = await waitFor('queue reports one waiting', async () => { const q = await getWithStatus(rest, 'Queue', 'default-queue', namespace); return q?.status?.queuedDeployments === 1 ? q : undefined; });
    expect(queue.status?.usedCU).toBe(3);

    // Pods on a node take time to terminate; a finalizer holds first's pods in Terminating the same way.
    const hold = 'millrace.dev/test-hold';
    const firstPods = await podsOf(rest, namespace, 'first');
    for (const p of firstPods) await rest.mergePatch({ apiVersion: 'v1', kind: 'Pod', namespace, name: p.metadata.name }, { metadata: { finalizers: [hold] } });
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'first' }, { spec: { state: 'suspended' } });
    const suspended = await waitForPhase(rest, 'Deployment', 'first', namespace, 'Suspended');
    // Terminating pods still hold the queue's quota: first reports them, third keeps waiting.
    expect(suspended.status?.cuInUse).toBe(1.5);
    await waitFor('first pods terminating', async () => (await podsOf(rest, namespace, 'first')).every((p) => p.metadata.deletionTimestamp));
    expect((await getWithStatus(rest, 'Deployment', 'third', namespace))?.status?.phase).toBe('Queued');
    expect(await podsOf(rest, namespace, 'third')).toEqual([]);
    // Once they are really gone, first's CU drop to 0 and that wakes third.
    for (const p of firstPods) await rest.mergePatch({ apiVersion: 'v1', kind: 'Pod', namespace, name: p.metadata.name }, { metadata: { finalizers: null } });
    await waitFor('first frees its CU', async () => (await getWithStatus(rest, 'Deployment', 'first', namespace))?.status?.cuInUse === 0);
    await waitForPhase(rest, 'Deployment', 'third', namespace, 'Starting');
    await waitFor('third has its pods', async () => (await podsOf(rest, namespace, 'third')).length === 2);
  }, 120_000);

  test('upgradeStrategy none keeps the pods and says when the change applies; stateless upgrade replaces the pods', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 6 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    await applyAs(rest, deployment(namespace, 'sf', { upgradeStrategy: 'none' }));
    await waitForPhase(rest, 'Deployment', 'sf', namespace, 'Starting');
    const before = await waitFor('pods', async () => { const p = await podsOf(rest, namespace, 'sf'); return p.length === 2 ? p : undefined; });
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'sf' }, { spec: { configuration: { 'pipeline.name': 'v2' } } });
    const blocked = await waitFor('UpgradeBlocked', async () => {
      const d = await getWithStatus(rest, 'Deployment', 'sf', namespace);
      return d?.status?.conditions?.find((c) => c.type === 'UpgradeBlocked' && c.status === 'True');
    });
    expect(blocked).toMatchObject({ reason: 'UpgradeStrategyNone', message: expect.stringMatching(/configuration applies when the job is next started/) });
    expect((await podsOf(rest, namespace, 'sf')).map((p) => p.metadata.name).sort()).toEqual(before.map((p) => p.metadata.name).sort());

    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'sf' }, { spec: { upgradeStrategy: 'stateless' } });
    const after = await waitFor('new pods', async () => {
      const p = await podsOf(rest, namespace, 'sf');
      const live = p.filter((x) => !x.metadata.deletionTimestamp);
      return live.length === 2 && live.every((x) => !before.some((b) => b.metadata.name === x.metadata.name)) ? live : undefined;
    });
    expect(after).toHaveLength(2);
  }, 120_000);

  test('a pod that only carries a Deployment\'s label (anyone who may create pods can make one) is not the Deployment\'s: the upgrade goes on without it and the operator leaves it alone', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 6 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    await applyAs(rest, deployment(namespace, 'held', { upgradeStrategy: 'stateless' }));
    await waitForPhase(rest, 'Deployment', 'held', namespace, 'Starting');
    const before = await waitFor('pods', async () => { const p = await podsOf(rest, namespace, 'held'); return p.length === 2 ? p : undefined; });
    const jm = before.find((p) => p.metadata.name.startsWith('held-jm-'))!;
    // Same labels (the Deployment's name, managed-by, the revision) and spec as its JobManager,
    // no owner; a finalizer keeps it should anyone delete it, as a pod that never goes would.
    const lookalike = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'held-jm-lookalike', namespace, labels: jm.metadata.labels, finalizers: ['millrace.dev-test/hold'] }, spec: { ...jm.spec, nodeName: undefined } };
    await rest.create(lookalike);
    try {
      await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'held' }, { spec: { configuration: { 'pipeline.name': 'v2' } } });
      const after = await waitFor('new pods of the upgrade, Starting at the new generation', async () => {
        const d = await getWithStatus(rest, 'Deployment', 'held', namespace);
        const live = (await podsOf(rest, namespace, 'held')).filter((x) => !x.metadata.deletionTimestamp && x.metadata.ownerReferences?.length);
        const fresh = live.filter((x) => !before.some((b) => b.metadata.name === x.metadata.name));
        return d?.status?.phase === 'Starting' && d.status.observedGeneration === d.metadata.generation && fresh.length === 2 ? d : undefined;
      });
      // Its CU in use are its own pods' (1.5 CU), not the look-alike's too.
      expect(after.status?.cuInUse).toBe(1.5);
      const kept = await rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace, name: 'held-jm-lookalike' });
      expect(kept?.metadata.deletionTimestamp).toBeUndefined();
    } finally {
      await rest.mergePatch({ apiVersion: 'v1', kind: 'Pod', namespace, name: 'held-jm-lookalike' }, { metadata: { finalizers: null } }).catch(() => undefined);
      await rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: 'held-jm-lookalike' }).catch(() => undefined);
    }
  }, 120_000);
});

describe('Deployment and Savepoint with a local runtime JobManager', () => {
  // The control-plane tier runs no pods, so the job runs in local runtime processes playing the
  // deployment's JobManager and TaskManager (checkpoint storage in a temporary directory); the
  // operator follows them through their REST API. For the restart after a suspend, the new
  // JobManager reads the Deployment's ConfigMap (MILLRACE_CONFIG) as the pod would.
  const runtimes: ProcessCluster[] = [];
  afterAll(async () => { for (const r of runtimes) await r.stop(); });
  const jobUrl = pathToFileURL(join(import.meta.dirname, 'fixtures', 'endless.job.ts')).href;
  async function startRuntime(storage: string, extra: { args?: string[]; env?: Record<string, string> } = {}): Promise<ProcessCluster> {
    const r = await new ProcessCluster({
      taskManagers: 1, slotsPerTaskManager: 1, logDir: await mkdtemp(join(tmpdir(), 'millrace-op-')), taskManagerStdout: 'ignore',
      jobManagerArgs: ['--checkpoint-storage', storage, '--checkpoint-interval-ms', '500', ...(extra.args ?? [])], env: extra.env,
    }).start();
    runtimes.push(r);
    return r;
  }
  type Status = { job?: { id: string; state: string; lastCheckpoint?: { id: number; path?: string } }; lastSavepoint?: { path: string; origin: string }; restoreSavepointPath?: string };
  const statusOf = async (namespace: string, name: string) => (await getWithStatus(cluster.rest, 'Deployment', name, namespace))?.status as (Status & { phase?: string }) | undefined;

  test('job followed through the REST API with its last checkpoint; a Savepoint taken and disposed; stateful suspend stops with a savepoint and the resumed job restores it; stateful upgrade stops with a savepoint', async () => {
    const { rest } = cluster;
    const storage = await mkdtemp(join(tmpdir(), 'millrace-op-storage-'));
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 10, quotaCU: 4 });
    const first = await startRuntime(storage, { args: ['--namespace', namespace, '--deployment', 'live'] });
    const submitted = await fetch(`${first.restUrl}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobUrl, parallelism: 1 }) });
    const { id } = (await submitted.json()) as { id: string };
    localJobManagers.set(`${namespace}/live`, first.restUrl);
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active');
    await applyAs(rest, deployment(namespace, 'live', { source: { artifact: { uri: jobUrl } }, upgradeStrategy: 'stateful', checkpoints: { intervalSeconds: 1, retained: 2 } }));
    const running = await waitForPhase(rest, 'Deployment', 'live', namespace, 'Running', 60_000);
    expect(running.status?.job).toMatchObject({ id, state: 'RUNNING', restarts: 0 });
    expect(running.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Running' });
    await waitFor('Running event', async () => (await eventsFor(rest, namespace, 'live')).find((e) => e.reason === 'Running'));
    const checkpoint = await waitFor('status.job.lastCheckpoint', async () => (await statusOf(namespace, 'live'))?.job?.lastCheckpoint, 60_000, 500);
    expect(checkpoint).toMatchObject({ id: expect.any(Number), path: expect.stringContaining(`flink-jobs/${namespace}/live/`) });

    // A user's Savepoint: taken through the REST API, disposed on delete by the same JobManager.
    await applyAs(rest, { apiVersion: API, kind: 'Savepoint', metadata: { name: 'sp1', namespace }, spec: { deployment: 'live', disposeOnDelete: true } });
    const sp = await waitForPhase(rest, 'Savepoint', 'sp1', namespace, 'Completed', 60_000);
    const spPath = sp.status?.path as string;
    expect(spPath).toContain(`flink-savepoints/${namespace}/live/savepoint-`);
    expect(sp.status?.jobId).toBe(id);
    const spDir = spPath.startsWith('file:') ? fileURLToPath(spPath) : spPath;
    expect(existsSync(join(spDir, '_metadata'))).toBe(true);
    await rest.delete({ apiVersion: API, kind: 'Savepoint', namespace, name: 'sp1' });
    await waitFor('Savepoint gone', async () => !(await getWithStatus(rest, 'Savepoint', 'sp1', namespace)), 60_000);
    expect(existsSync(join(spDir, '_metadata'))).toBe(false);
    expect((await eventsFor(rest, namespace, 'sp1')).map((e) => e.reason)).toEqual(expect.arrayContaining(['Triggered', 'Completed', 'Disposed']));

    // Stateful suspend: stop-with-savepoint, then pods removed; recorded as a Savepoint of origin suspend.
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'live' }, { spec: { state: 'suspended' } });
    const suspended = await waitForPhase(rest, 'Deployment', 'live', namespace, 'Suspended', 60_000);
    const saved = (suspended.status as Status).lastSavepoint;
    expect(saved).toMatchObject({ origin: 'suspend', path: expect.stringContaining(`flink-savepoints/${namespace}/live/savepoint-`) });
    expect((suspended.status as Status).restoreSavepointPath).toBe(saved?.path);
    expect(((await (await fetch(`${first.restUrl}/jobs/${id}`)).json()) as { state: string }).state).toBe('FINISHED');
    const record = await waitFor('recorded suspend Savepoint', async () => (await rest.list<KubeObject & { spec: { origin: string }; status?: { phase?: string; path?: string } }>({ apiVersion: API, kind: 'Savepoint', namespace })).items.find((x) => x.spec.origin === 'suspend' && x.status?.phase === 'Completed'));
    expect(record.status?.path).toBe(saved?.path);
    expect((await eventsFor(rest, namespace, 'live')).map((e) => e.reason)).toEqual(expect.arrayContaining(['Suspending', 'SavepointCompleted', 'Suspended']));
    await waitFor('pods removed', async () => (await podsOf(rest, namespace, 'live')).filter((p) => !p.metadata.deletionTimestamp).length === 0);
    await first.stop();

    // Resume: the new JobManager pod's configuration tells it to restore that savepoint; it does.
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'live' }, { spec: { state: 'running' } });
    const config = await waitFor('JobManager configuration with the restore path', async () => {
      const text = (await jobManagerConfig(rest, namespace, 'live'))?.['millrace.json'];
      return text && (JSON.parse(text) as { restore?: { savepointPath?: string } }).restore?.savepointPath === saved?.path ? text : undefined;
    });
    expect(JSON.parse(config).restore).toMatchObject({ strategy: 'savepoint', savepointPath: saved?.path });
    const configFile = join(await mkdtemp(join(tmpdir(), 'millrace-op-config-')), 'millrace.json');
    await writeFile(configFile, config);
    const second = await startRuntime(storage, { args: ['--job', fileURLToPath(jobUrl), '--parallelism', '1'], env: { MILLRACE_CONFIG: configFile } });
    localJobManagers.set(`${namespace}/live`, second.restUrl);
    const resumed = await waitFor('resumed job running', async () => { const st = await statusOf(namespace, 'live'); return st?.phase === 'Running' && st.job?.id !== id ? st : undefined; }, 90_000, 500);
    const restored = await waitFor('restore reported', async () => ((await (await fetch(`${second.restUrl}/jobs/${resumed.job?.id}/checkpoints`)).json()) as { latest?: { restored?: { external_path?: string; is_savepoint?: boolean } | null } }).latest?.restored ?? undefined, 30_000);
    expect(restored).toMatchObject({ is_savepoint: true, external_path: expect.stringContaining(saved?.path.replace(/\/$/, '').split('/').pop() ?? 'none') });
    expect(resumed.restoreSavepointPath).toBeUndefined();

    // Stateful upgrade: a spec change stops the job with a savepoint, then replaces the pods.
    const before = (await podsOf(rest, namespace, 'live')).map((p) => p.metadata.name);
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'live' }, { spec: { configuration: { 'pipeline.name': 'v2' } } });
    const upgraded = await waitFor('upgrade savepoint taken', async () => { const st = await statusOf(namespace, 'live'); return st?.lastSavepoint?.origin === 'upgrade' ? st : undefined; }, 60_000, 500);
    expect(upgraded.restoreSavepointPath).toBe(upgraded.lastSavepoint?.path);
    expect(((await (await fetch(`${second.restUrl}/jobs/${resumed.job?.id}`)).json()) as { state: string }).state).toBe('FINISHED');
    await waitFor('new pods of the new spec', async () => {
      const live = (await podsOf(rest, namespace, 'live')).filter((p) => !p.metadata.deletionTimestamp);
      return live.length === 2 && live.every((p) => !before.includes(p.metadata.name));
    }, 60_000);
    expect(JSON.parse((await jobManagerConfig(rest, namespace, 'live'))?.['millrace.json'] ?? '{}').restore).toMatchObject({ strategy: 'savepoint', savepointPath: upgraded.lastSavepoint?.path });

    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'live' }, { spec: { state: 'cancelled' } });
    await waitForPhase(rest, 'Deployment', 'live', namespace, 'Cancelled', 30_000);
    await waitFor('pods removed', async () => (await podsOf(rest, namespace, 'live')).filter((p) => !p.metadata.deletionTimestamp).length === 0);
  }, 300_000);
});

describe('schema validation by the API server', () => {
  test('bad resources are rejected with a message that names the field', async () => {
    const { rest } = cluster;
    const bad = await rest.create(deployment('default', unique('bad'), { parallelism: 0, taskManager: { cu: 0.3, slots: 1 } })).catch((e: unknown) => e);
    expect((bad as KubeApiError).status).toBe(422);
    expect((bad as KubeApiError).message).toMatch(/spec\.parallelism/);
    expect((bad as KubeApiError).message).toMatch(/spec\.taskManager\.cu/);
    const twoSources = await rest.create(deployment('default', unique('bad'), { source: { sql: 'x', pipeline: 'y' } })).catch((e: unknown) => e);
    expect((twoSources as KubeApiError).message).toMatch(/spec\.source: Invalid value.*set exactly one of source\.artifact, source\.pipeline or source\.sql/);
    const badMember = await rest.create({ apiVersion: API, kind: 'Namespace', metadata: { name: unique('bad') }, spec: { workspace: 'w', quotaCU: 1, members: [{ kind: 'User', name: 'u', role: 'admin' }] } }).catch((e: unknown) => e);
    expect((badMember as KubeApiError).message).toMatch(/spec\.members\[0\]\.role: Unsupported value: "admin"/);
  }, 60_000);
});

describe('operator process', () => {
  const children: ChildProcess[] = [];
  const lease = unique('lease');
  let kubeconfig = '';
  function startOperatorProcess(identity: string): ChildProcess {
    const child = spawn(process.execPath, ['operator/main.ts'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: {
        ...process.env, KUBECONFIG: kubeconfig, MILLRACE_OPERATOR_PORT: '0', MILLRACE_OPERATOR_HOST: '127.0.0.1',
        MILLRACE_OPERATOR_NAMESPACE: OPERATOR_NAMESPACE, MILLRACE_LEASE_NAME: lease, POD_NAME: identity,
        MILLRACE_JOBMANAGER_URL_TEMPLATE: 'http://127.0.0.1:9', MILLRACE_WORKERS: '4', MILLRACE_WATCH_SELECTOR: TEST_WATCH_SELECTOR, LOG_LEVEL: process.env.MILLRACE_TEST_LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    return child;
  }
  beforeAll(async () => {
    await operator?.stop();
    operator = undefined;
    // From here on the operator runs as its own ServiceAccount with the chart's ClusterRole.
    kubeconfig = await operatorKubeconfig(cluster);
  });
  afterAll(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

  const allStarted = async (rest: KubeRest, namespace: string, count: number) => {
    const deps = (await rest.list<KubeObject & { status?: { phase?: string } }>({ apiVersion: API, kind: 'Deployment', namespace })).items;
    const pods = (await rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace })).items;
    return deps.length === count && deps.every((d) => d.status?.phase === 'Starting') && pods.length === count * 2 ? { deps, pods } : undefined;
  };

  test('an operator killed mid-work converges after restart, without duplicates, behind the leader Lease', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 40, quotaCU: 30 });
    const first = startOperatorProcess('op-a');
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 90_000);
    const count = 40;
    for (let i = 0; i < count; i++) await applyAs(rest, deployment(namespace, `d${i}`, { jobManager: { cu: 0.25 }, taskManager: { cu: 0.25, slots: 1 } }));
    await waitFor('some pods created', async () => (await rest.list({ apiVersion: 'v1', kind: 'Pod', namespace })).items.length >= 10, 90_000, 20);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const midway = (await rest.list({ apiVersion: 'v1', kind: 'Pod', namespace })).items.length;
    expect(midway).toBeLessThan(count * 2);

    startOperatorProcess('op-b');
    const leaseHolder = await waitFor('op-b holds the lease', async () => {
      const l = await rest.get<KubeObject & { spec?: { holderIdentity?: string } }>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: OPERATOR_NAMESPACE, name: lease });
      return l.spec?.holderIdentity === 'op-b' ? l : undefined;
    }, 60_000);
    expect(leaseHolder.spec?.holderIdentity).toBe('op-b');
    const done = await waitFor('all deployments converged', () => allStarted(rest, namespace, count), 180_000, 500);
    const names = done.pods.map((p) => p.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    for (const d of done.deps) expect(done.pods.filter((p) => p.metadata.labels?.['millrace.dev/deployment'] === d.metadata.name)).toHaveLength(2);
  }, 400_000);

  test('200 Deployments are reconciled', async () => {
    const { rest } = cluster;
    const { namespace } = await createWorkspaceAndNamespace(rest, { capacityCU: 200, quotaCU: 120 });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);
    const count = 200;
    const t0 = Date.now();
    for (let i = 0; i < count; i++) await applyAs(rest, deployment(namespace, `s${i}`, { jobManager: { cu: 0.25 }, taskManager: { cu: 0.25, slots: 1 } }));
    const applied = Date.now();
    const done = await waitFor('200 deployments converged', () => allStarted(rest, namespace, count), 400_000, 1000);
    process.stderr.write(`[operator] 200 Deployments: applied in ${applied - t0} ms, all pods created ${Date.now() - t0} ms after the first apply\n`);
    expect(done.pods).toHaveLength(400);
  }, 600_000);

  test('SIGTERM stops the operator gracefully and releases the leader Lease', async () => {
    const { rest } = cluster;
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
    expect(running).toHaveLength(1);
    const child = running[0]!;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const l = await rest.get<KubeObject & { spec?: { holderIdentity?: string } }>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: OPERATOR_NAMESPACE, name: lease });
    expect(l.spec?.holderIdentity).toBeUndefined();
  }, 60_000);
});
