// Periodic savepoints and savepoint disposal, on a real API server with the real MinIO: a local
// runtime process plays each deployment's JobManager (the control-plane tier runs no pods) and
// writes its savepoints to the workspace bucket, as a pod would.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { ProcessCluster } from '../../runtime/local/process-cluster.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import { API, applyAs, createWorkspaceAndNamespace, eventsFor, getWithStatus, localJobManagers, OPERATOR_NAMESPACE, startInProcessOperator, TEST_WATCH_SELECTOR, unique, useOperatorCluster, waitFor, waitForPhase } from './support/harness.ts';
import type { Cluster } from './support/harness.ts';

let cluster: Cluster;
let operator: Operator | undefined;
let s3: S3Connection;
let client: S3Client;
const secretName = unique('s3');
/** The workspace's key prefix in the shared bucket: unique per run, emptied at the end. */
const prefix = `sp-tests-${randomBytes(3).toString('hex')}/`;
/** Where a misconfigured JobManager writes: same bucket, outside the workspace prefix. */
const elsewhere = `sp-elsewhere-${randomBytes(3).toString('hex')}/`;
const runtimes: ProcessCluster[] = [];

beforeAll(async () => {
  [cluster, s3] = await Promise.all([useOperatorCluster(), useS3()]);
  client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, 'millrace-tests');
  operator = await startInProcessOperator(cluster);
}, 900_000);

afterAll(async () => {
  for (const r of runtimes) await r.stop();
  const { rest } = cluster;
  const cleaner = operator ?? await startInProcessOperator(cluster);
  const kind = { apiVersion: API, kind: 'Workspace' };
  for (const w of (await rest.list<KubeObject>(kind, { labelSelector: TEST_WATCH_SELECTOR })).items) await rest.delete({ ...kind, name: w.metadata.name });
  await waitFor('workspaces of this run deleted', async () => (await rest.list<KubeObject>(kind, { labelSelector: TEST_WATCH_SELECTOR })).items.length === 0, 150_000, 1000)
    .catch((err: unknown) => process.stderr.write(`[savepoint tests] cleanup incomplete: ${String(err)}\n`));
  await cleaner.stop();
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  for (const p of [prefix, elsewhere]) await deleteKeys(p);
  client.destroy();
}, 300_000);

async function keysUnder(p: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: p }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}
async function deleteKeys(p: string): Promise<void> {
  const keys = await keysUnder(p);
  if (keys.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
}
/** `s3://bucket/a/b/` → `a/b/` */
const keyOf = (path: string) => path.replace(`s3://${s3.bucket}/`, '').replace(/\/?$/, '/');

/** Matches no node: the deployment's pods stay Pending; the local runtime answers for its JobManager. */
const NO_NODE = { podTemplate: { nodeSelector: { 'millrace.dev/test-placement': 'none' } } };
const jobUrl = pathToFileURL(join(import.meta.dirname, 'fixtures', 'endless.job.ts')).href;

/** A Workspace on the shared MinIO (under `prefix`) with one Namespace. */
async function workspaceOnS3(): Promise<string> {
  const { namespace } = await createWorkspaceAndNamespace(cluster.rest, {
    capacityCU: 10, quotaCU: 6,
    storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } },
  });
  await waitForPhase(cluster.rest, 'Queue', 'default-queue', namespace, 'Active');
  return namespace;
}

/** A running job in a local runtime checkpointing to `storagePrefix` of the bucket, and the Deployment that follows it. */
async function runningDeployment(namespace: string, name: string, spec: Record<string, unknown> = {}, storagePrefix = prefix): Promise<ProcessCluster> {
  const runtime = await new ProcessCluster({
    taskManagers: 1, slotsPerTaskManager: 1, logDir: await mkdtemp(join(tmpdir(), 'millrace-sp-')), taskManagerStdout: 'ignore',
    jobManagerArgs: ['--checkpoint-storage', `s3://${s3.bucket}/${storagePrefix}`, '--checkpoint-interval-ms', '1000', '--namespace', namespace, '--deployment', name],
    env: { MILLRACE_S3_ENDPOINT: s3.endpoint, MILLRACE_S3_REGION: s3.region, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
  }).start();
  runtimes.push(runtime);
  const submitted = await fetch(`${runtime.restUrl}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobUrl, parallelism: 1 }) });
  expect(submitted.status).toBeLessThan(300);
  localJobManagers.set(`${namespace}/${name}`, runtime.restUrl);
  await applyAs(cluster.rest, {
    apiVersion: API, kind: 'Deployment', metadata: { name, namespace },
    spec: { source: { artifact: { uri: jobUrl } }, jobManager: { cu: 0.5 }, taskManager: { cu: 1, slots: 1 }, upgradeStrategy: 'stateless', ...NO_NODE, ...spec },
  });
  await waitForPhase(cluster.rest, 'Deployment', name, namespace, 'Running', 90_000);
  return runtime;
}

type SavepointObject = KubeObject & { spec: { origin: string; deployment: string; disposeOnDelete: boolean }; status?: { phase?: string; path?: string; completedAt?: string; conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };
const savepointsOf = async (namespace: string, deployment: string) =>
  (await cluster.rest.list<SavepointObject>({ apiVersion: API, kind: 'Savepoint', namespace })).items.filter((s) => s.spec.deployment === deployment);
const periodicOf = async (namespace: string, deployment: string) =>
  (await savepointsOf(namespace, deployment)).filter((s) => s.spec.origin === 'periodic' && !s.metadata.deletionTimestamp).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

async function completedSavepoint(namespace: string, name: string, deployment: string): Promise<SavepointObject> {
  await applyAs(cluster.rest, { apiVersion: API, kind: 'Savepoint', metadata: { name, namespace }, spec: { deployment, disposeOnDelete: true } });
  return await waitForPhase(cluster.rest, 'Savepoint', name, namespace, 'Completed', 60_000) as SavepointObject;
}

async function suspendAndWaitForPodsGone(namespace: string, name: string): Promise<void> {
  await cluster.rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name }, { spec: { state: 'suspended' } });
  await waitForPhase(cluster.rest, 'Deployment', name, namespace, 'Suspended', 60_000);
  await waitFor('pods gone', async () => (await cluster.rest.list({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items.length === 0, 60_000);
}

describe('periodic savepoints', () => {
  test('taken on the interval while the job runs, counted from the last completed one across an operator restart; the oldest beyond historyMaxCount deleted with its files; a user savepoint untouched', async () => {
    const { rest } = cluster;
    const namespace = await workspaceOnS3();
    await runningDeployment(namespace, 'per', { savepoints: { periodicIntervalSeconds: 10, historyMaxCount: 2 } });
    const mine = await completedSavepoint(namespace, 'mine', 'per');
    const mineKeys = await keysUnder(keyOf(mine.status?.path ?? ''));
    expect(mineKeys).toContain(`${keyOf(mine.status?.path ?? '')}_metadata`);

    const firstTwo = await waitFor('two periodic savepoints completed', async () => {
      const p = await periodicOf(namespace, 'per');
      return p.length === 2 && p.every((s) => s.status?.phase === 'Completed') ? p : undefined;
    }, 60_000, 200);
    const [p1, p2] = firstTwo as [SavepointObject, SavepointObject];
    expect(p1.metadata.name).toMatch(/^per-periodic-\d{8}-\d{6}$/);
    expect(p1.spec).toMatchObject({ origin: 'periodic', disposeOnDelete: true });
    expect(p1.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'per' })]);
    expect(p1.status?.path).toContain(`s3://${s3.bucket}/${prefix}flink-savepoints/${namespace}/per/savepoint-`);
    // The interval runs from one completion to the next trigger.
    expect(Date.parse(p2.metadata.creationTimestamp ?? '')).toBeGreaterThanOrEqual(Date.parse(p1.status?.completedAt ?? '') + 9_000);

    // An operator restart: the next one is still counted from p2's completion, found in the objects.
    await operator?.stop();
    operator = await startInProcessOperator(cluster);
    const p3 = await waitFor('third periodic savepoint', async () => (await periodicOf(namespace, 'per')).find((s) => s.metadata.name > p2.metadata.name), 60_000, 200);
    expect(Date.parse(p3.metadata.creationTimestamp ?? '')).toBeGreaterThanOrEqual(Date.parse(p2.status?.completedAt ?? '') + 9_000);
    await waitForPhase(rest, 'Savepoint', p3.metadata.name, namespace, 'Completed', 60_000);

    // historyMaxCount 2: p1 goes, and its files with it (its JobManager disposes them).
    await waitFor('p1 deleted', async () => !(await getWithStatus(rest, 'Savepoint', p1.metadata.name, namespace)), 60_000);
    await waitFor('p1 files deleted', async () => (await keysUnder(keyOf(p1.status?.path ?? ''))).length === 0, 30_000);
    expect((await keysUnder(keyOf(p2.status?.path ?? ''))).length).toBeGreaterThan(0);
    const dep = await waitFor('status shows the last periodic savepoint', async () => {
      const d = await getWithStatus(rest, 'Deployment', 'per', namespace);
      return (d?.status?.lastPeriodicSavepoint as { name?: string } | undefined)?.name === p3.metadata.name ? d : undefined;
    }, 30_000);
    expect(dep.status?.lastPeriodicSavepoint).toMatchObject({ path: expect.stringContaining('/savepoint-'), completedAt: expect.any(String) });
    expect(Date.parse(String(dep.status?.nextPeriodicSavepointAt))).toBeGreaterThan(Date.parse(String((dep.status?.lastPeriodicSavepoint as { completedAt: string }).completedAt)));
    // The user's savepoint is never part of the history.
    expect((await getWithStatus(rest, 'Savepoint', 'mine', namespace))?.metadata.deletionTimestamp).toBeUndefined();
    expect(await keysUnder(keyOf(mine.status?.path ?? ''))).toEqual(mineKeys);
    const reasons = (await eventsFor(rest, namespace, 'per')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['PeriodicSavepoint', 'SavepointHistoryPruned']));

    // Suspended: no more periodic savepoints, and none is due.
    await suspendAndWaitForPodsGone(namespace, 'per');
    const count = (await periodicOf(namespace, 'per')).length;
    expect((await getWithStatus(rest, 'Deployment', 'per', namespace))?.status?.nextPeriodicSavepointAt).toBeUndefined();
    await new Promise((r) => setTimeout(r, 12_000));
    expect((await periodicOf(namespace, 'per')).length).toBe(count);

    // Deleting the Namespace deletes its Savepoints first, and with no JobManager left the
    // operator deletes their files from the bucket; only then the Kubernetes namespace goes.
    const disposable = (await savepointsOf(namespace, 'per')).filter((x) => x.spec.disposeOnDelete && x.status?.path).map((x) => keyOf(x.status?.path ?? ''));
    expect(disposable.length).toBe(count + 1);
    await rest.delete({ apiVersion: API, kind: 'Namespace', name: namespace });
    await waitFor('Namespace gone', async () => !(await getWithStatus(rest, 'Namespace', namespace)), 120_000, 500);
    for (const k of disposable) expect(await keysUnder(k)).toEqual([]);
    expect(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'Namespace', name: namespace })).toBeUndefined();
  }, 300_000);

  test('the API server checks the bounds of spec.savepoints', async () => {
    const bad = (savepoints: Record<string, unknown>) => cluster.rest.create({
      apiVersion: API, kind: 'Deployment', metadata: { name: unique('bad'), namespace: 'default' }, spec: { source: { pipeline: 'x' }, savepoints },
    }).catch((e: unknown) => e as Error);
    expect(String(await bad({ periodicIntervalSeconds: 5 }))).toMatch(/spec\.savepoints\.periodicIntervalSeconds: Invalid value.*0 \(off\) or at least 10 seconds/);
    expect(String(await bad({ periodicIntervalSeconds: 600, historyMaxAgeSeconds: 60 }))).toMatch(/spec\.savepoints\.historyMaxAgeSeconds: Invalid value.*at least periodicIntervalSeconds/);
    expect(String(await bad({ historyMaxCount: 0 }))).toMatch(/spec\.savepoints\.historyMaxCount/);
  }, 30_000);
});

describe('savepoint disposal without a JobManager', () => {
  test('with the deployment suspended the operator deletes the files from the workspace bucket; an unreachable store is reported and retried until it answers', async () => {
    const { rest } = cluster;
    const namespace = await workspaceOnS3();
    const workspace = (await getWithStatus(rest, 'Namespace', namespace))?.spec as { workspace: string };
    const runtime = await runningDeployment(namespace, 'keep');
    const sp = await completedSavepoint(namespace, 'sp-keep', 'keep');
    const dir = keyOf(sp.status?.path ?? '');
    expect(dir).toMatch(new RegExp(`^${prefix}flink-savepoints/${namespace}/keep/savepoint-`));
    expect(await keysUnder(dir)).toContain(`${dir}_metadata`);
    await suspendAndWaitForPodsGone(namespace, 'keep');
    await runtime.stop();

    // The store goes away: the finalizer stays, a condition and an Event say why and how to let go.
    await rest.mergePatch({ apiVersion: API, kind: 'Workspace', name: workspace.workspace }, { spec: { storage: { endpoint: 'http://127.0.0.1:9' } } });
    await waitForPhase(rest, 'Workspace', workspace.workspace, undefined, 'StorageUnavailable', 60_000);
    await rest.delete({ apiVersion: API, kind: 'Savepoint', namespace, name: 'sp-keep' });
    const failing = await waitFor('Disposed condition StorageUnavailable', async () => {
      const s = await getWithStatus(rest, 'Savepoint', 'sp-keep', namespace);
      return s?.status?.conditions?.find((c) => c.type === 'Disposed' && c.reason === 'StorageUnavailable');
    }, 60_000);
    expect(failing).toMatchObject({ status: 'False', message: expect.stringMatching(new RegExp(`cannot delete the savepoint files at s3://${s3.bucket}/${dir}.*retrying with backoff.*set spec.disposeOnDelete to false`)) });
    await waitFor('StorageUnavailable event', async () => (await eventsFor(rest, namespace, 'sp-keep')).find((e) => e.reason === 'StorageUnavailable' && e.type === 'Warning'));
    expect(await keysUnder(dir)).toContain(`${dir}_metadata`);

    // Back again: the next retry deletes them and the Savepoint goes.
    await rest.mergePatch({ apiVersion: API, kind: 'Workspace', name: workspace.workspace }, { spec: { storage: { endpoint: s3.endpoint } } });
    await waitFor('Savepoint gone', async () => !(await getWithStatus(rest, 'Savepoint', 'sp-keep', namespace)), 120_000, 500);
    expect(await keysUnder(dir)).toEqual([]);
    expect(await eventsFor(rest, namespace, 'sp-keep')).toContainEqual(expect.objectContaining({ reason: 'Disposed', note: expect.stringContaining('by the operator from the workspace bucket') }));
  }, 300_000);

  test('a path outside the workspace savepoint prefix is refused with a condition and an Event naming it; disposeOnDelete false lets the object go and keeps the files', async () => {
    const { rest } = cluster;
    const namespace = await workspaceOnS3();
    const runtime = await runningDeployment(namespace, 'stray', {}, elsewhere);
    const sp = await completedSavepoint(namespace, 'sp-stray', 'stray');
    const path = sp.status?.path ?? '';
    expect(path).toContain(`s3://${s3.bucket}/${elsewhere}flink-savepoints/`);
    const before = await keysUnder(keyOf(path));
    expect(before.length).toBeGreaterThan(0);
    await suspendAndWaitForPodsGone(namespace, 'stray');
    await runtime.stop();

    await rest.delete({ apiVersion: API, kind: 'Savepoint', namespace, name: 'sp-stray' });
    const refused = await waitFor('Disposed condition DisposalRefused', async () => {
      const s = await getWithStatus(rest, 'Savepoint', 'sp-stray', namespace);
      return s?.status?.conditions?.find((c) => c.type === 'Disposed' && c.reason === 'DisposalRefused');
    }, 60_000);
    expect(refused.message).toContain(`savepoint files at ${path} not deleted`);
    expect(refused.message).toContain(`only under s3://${s3.bucket}/${prefix}flink-savepoints/${namespace}/stray/savepoint-<id>/`);
    await waitFor('DisposalRefused event naming the path', async () => (await eventsFor(rest, namespace, 'sp-stray')).find((e) => e.reason === 'DisposalRefused' && e.type === 'Warning' && e.note?.includes(path)));
    expect(await keysUnder(keyOf(path))).toEqual(before);
    expect((await getWithStatus(rest, 'Savepoint', 'sp-stray', namespace))?.metadata.finalizers).toContain('millrace.dev/cleanup');

    // The documented way out: keep the files, let the object go.
    await rest.mergePatch({ apiVersion: API, kind: 'Savepoint', namespace, name: 'sp-stray' }, { spec: { disposeOnDelete: false } });
    await waitFor('Savepoint gone', async () => !(await getWithStatus(rest, 'Savepoint', 'sp-stray', namespace)), 30_000);
    expect(await keysUnder(keyOf(path))).toEqual(before);
    expect((await eventsFor(rest, namespace, 'sp-stray')).map((e) => e.reason)).toContain('FilesKept');
  }, 300_000);
});
