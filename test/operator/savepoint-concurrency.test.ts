// Savepoints under concurrency, on a real API server with the real MinIO and a local runtime
// process playing the deployment's JobManager (the control-plane tier runs no pods):
// - passes of the Deployment and Savepoint reconcilers forced to run at once, and back to back
//   on a cache that has not seen the previous pass's writes, take one periodic savepoint;
// - savepoint directories no Savepoint owns are swept, kept ones stay, and nothing of the
//   namespace is left in the bucket once it is deleted.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeleteObjectsCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { reconcileDeployment } from '../../operator/controllers/deployment/reconciler.ts';
import { reconcileSavepoint } from '../../operator/controllers/savepoint/reconciler.ts';
import { httpJobManagerClient } from '../../operator/jobmanager/client.ts';
import type { JobManagerClientFactory } from '../../operator/jobmanager/client.ts';
import { systemClock } from '../../operator/kube/clock.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import { Operator } from '../../operator/manager.ts';
import { createOperatorMetrics } from '../../operator/server/metrics.ts';
import { s3SavepointFiles } from '../../operator/storage/savepoint-files.ts';
import { s3WorkspaceStorage } from '../../operator/storage/workspace-storage.ts';
import { ProcessCluster } from '../../runtime/local/process-cluster.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import { API, applyAs, createWorkspaceAndNamespace, eventsFor, getWithStatus, localJobManagers, OPERATOR_NAMESPACE, TEST_WATCH_SELECTOR, UNREACHABLE_JOBMANAGER, unique, useOperatorCluster, waitFor, waitForPhase } from './support/harness.ts';
import type { Cluster } from './support/harness.ts';

let cluster: Cluster;
let s3: S3Connection;
let client: S3Client;
const operators: Operator[] = [];
const runtimes: ProcessCluster[] = [];
const secretName = unique('s3');
const prefix = `spc-tests-${randomBytes(3).toString('hex')}/`;
/** Savepoint triggers that reached a JobManager, per deployment (namespace/name). */
const triggers = new Map<string, number>();
const jobManagers: JobManagerClientFactory = ({ namespace, name }) => {
  const real = httpJobManagerClient(localJobManagers.get(`${namespace}/${name}`) ?? UNREACHABLE_JOBMANAGER, 2000);
  return {
    ...real,
    triggerSavepoint: async (id, opts) => {
      const triggerId = await real.triggerSavepoint(id, opts);
      triggers.set(`${namespace}/${name}`, (triggers.get(`${namespace}/${name}`) ?? 0) + 1);
      return triggerId;
    },
  };
};

/** An operator of this run; `controllers: false` caches only, so the test runs the passes itself. */
async function startOperator(opts: { controllers: boolean; sweep?: { graceMs: number; everyMs: number } }): Promise<Operator> {
  const op = new Operator({
    rest: cluster.rest, clock: systemClock, random: Math.random, logger: pino({ level: process.env.MILLRACE_TEST_LOG_LEVEL ?? 'silent' }),
    metrics: createOperatorMetrics({ defaultMetrics: false }), jobManagers, storage: s3WorkspaceStorage(), savepointFiles: s3SavepointFiles(),
    savepointSweep: opts.sweep, defaultImage: 'millrace:test', workers: 4, instance: 'jest', watchSelector: TEST_WATCH_SELECTOR,
  });
  await op.startInformers();
  if (opts.controllers) op.startControllers();
  operators.push(op);
  return op;
}
async function stopOperators(): Promise<void> {
  for (const op of operators.splice(0)) await op.stop();
}

beforeAll(async () => {
  [cluster, s3] = await Promise.all([useOperatorCluster(), useS3()]);
  client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, 'millrace-tests');
}, 900_000);

afterAll(async () => {
  for (const r of runtimes) await r.stop();
  await stopOperators();
  const { rest } = cluster;
  const cleaner = await startOperator({ controllers: true });
  const kind = { apiVersion: API, kind: 'Workspace' };
  for (const w of (await rest.list<KubeObject>(kind, { labelSelector: TEST_WATCH_SELECTOR })).items) await rest.delete({ ...kind, name: w.metadata.name });
  await waitFor('workspaces of this run deleted', async () => (await rest.list<KubeObject>(kind, { labelSelector: TEST_WATCH_SELECTOR })).items.length === 0, 150_000, 1000)
    .catch((err: unknown) => process.stderr.write(`[savepoint concurrency tests] cleanup incomplete: ${String(err)}\n`));
  await cleaner.stop();
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  const keys = await keysUnder(prefix);
  for (let i = 0; i < keys.length; i += 1000) await client.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
  client.destroy();
}, 300_000);

async function keysUnder(p: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client }, { Bucket: s3.bucket, Prefix: p })) for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
  return keys;
}
/** The savepoint directories (`.../savepoint-<id>/`) with a `_metadata` under a key prefix. */
const savepointDirs = async (p: string) => (await keysUnder(p)).filter((k) => k.endsWith('/_metadata')).map((k) => k.slice(0, -'_metadata'.length)).sort();
const keyOf = (path: string) => path.replace(`s3://${s3.bucket}/`, '').replace(/\/?$/, '/');

const NO_NODE = { podTemplate: { nodeSelector: { 'millrace.dev/test-placement': 'none' } } };
const jobUrl = pathToFileURL(join(import.meta.dirname, 'fixtures', 'endless.job.ts')).href;

async function workspaceOnS3(): Promise<string> {
  const { namespace } = await createWorkspaceAndNamespace(cluster.rest, {
    capacityCU: 10, quotaCU: 6,
    storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } },
  });
  await waitForPhase(cluster.rest, 'Queue', 'default-queue', namespace, 'Active', 90_000);
  return namespace;
}

/** A job running in a local runtime that writes to the workspace bucket, and its Deployment, Running. */
async function runningDeployment(namespace: string, name: string, spec: Record<string, unknown> = {}): Promise<{ runtime: ProcessCluster; jobId: string }> {
  const runtime = await new ProcessCluster({
    taskManagers: 1, slotsPerTaskManager: 1, logDir: await mkdtemp(join(tmpdir(), 'millrace-spc-')), taskManagerStdout: 'ignore',
    jobManagerArgs: ['--checkpoint-storage', `s3://${s3.bucket}/${prefix}`, '--checkpoint-interval-ms', '1000', '--namespace', namespace, '--deployment', name],
    env: { MILLRACE_S3_ENDPOINT: s3.endpoint, MILLRACE_S3_REGION: s3.region, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
  }).start();
  runtimes.push(runtime);
  const submitted = await fetch(`${runtime.restUrl}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobUrl, parallelism: 1 }) });
  expect(submitted.status).toBeLessThan(300);
  const { id } = (await submitted.json()) as { id: string };
  localJobManagers.set(`${namespace}/${name}`, runtime.restUrl);
  await applyAs(cluster.rest, {
    apiVersion: API, kind: 'Deployment', metadata: { name, namespace },
    spec: { source: { artifact: { uri: jobUrl } }, jobManager: { cu: 0.5 }, taskManager: { cu: 1, slots: 1 }, upgradeStrategy: 'stateless', ...NO_NODE, ...spec },
  });
  await waitForPhase(cluster.rest, 'Deployment', name, namespace, 'Running', 90_000);
  return { runtime, jobId: id };
}

type SavepointObject = KubeObject & { spec: { origin: string; deployment: string }; status?: { phase?: string; path?: string } };
const savepointsOf = async (namespace: string) => (await cluster.rest.list<SavepointObject>({ apiVersion: API, kind: 'Savepoint', namespace })).items;

describe('one periodic savepoint per interval whatever the passes in flight', () => {
  afterAll(stopOperators);

  test('five Deployment passes at once and five back to back create one periodic Savepoint named after the time it was taken; five Savepoint passes at once and back to back trigger it once', async () => {
    const { rest } = cluster;
    await startOperator({ controllers: true });
    const namespace = await workspaceOnS3();
    const key = `${namespace}/live`;
    await runningDeployment(namespace, 'live');
    await stopOperators();

    // From here only the test reconciles, through a second operator's caches.
    const op = await startOperator({ controllers: false });
    const gen = (await rest.mergePatch<KubeObject>({ apiVersion: API, kind: 'Deployment', namespace, name: 'live' }, { spec: { savepoints: { periodicIntervalSeconds: 10 } } })).metadata.generation;
    await waitFor('cache shows the interval', () => op.ctx.caches.deployments.get('live', namespace)?.metadata.generation === gen);
    // The first is due 10 s after the job started.
    const job = (await getWithStatus(rest, 'Deployment', 'live', namespace))?.status?.job as { startTime: string };
    const started = Date.parse(job.startTime);
    await waitFor('first periodic savepoint due', () => Date.now() >= started + 10_500, 30_000, 200);

    const deploymentPass = () => reconcileDeployment(op.ctx, { jobManagers, defaultImage: 'millrace:test' }, namespace, 'live');
    const takenAt = Date.now();
    await Promise.all([1, 2, 3, 4, 5].map(deploymentPass));
    for (let i = 0; i < 5; i++) await deploymentPass(); // the cache may not show the create yet
    const periodic = (await savepointsOf(namespace)).filter((s) => s.spec.origin === 'periodic');
    expect(periodic).toHaveLength(1);
    const [sp] = periodic as [SavepointObject];
    const nameTime = Date.parse(sp.metadata.name.replace(/^live-periodic-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(Math.abs(nameTime - takenAt)).toBeLessThan(3_000);
    expect(Math.abs(nameTime - Date.parse(sp.metadata.creationTimestamp ?? ''))).toBeLessThan(2_000);
    expect((await eventsFor(rest, namespace, 'live')).filter((e) => e.reason === 'PeriodicSavepoint')).toHaveLength(1);

    await waitFor('cache shows the periodic Savepoint', () => op.ctx.caches.savepoints.get(sp.metadata.name, namespace));
    // A pass may end in a conflict (adding the finalizer to an object that moved), which the
    // controller would retry; anything else fails the test.
    const conflictsOnly = (results: PromiseSettledResult<unknown>[]) => {
      for (const r of results) if (r.status === 'rejected' && (r.reason as { status?: number }).status !== 409) throw r.reason;
    };
    const savepointPass = () => reconcileSavepoint(op.ctx, { jobManagers, files: s3SavepointFiles() }, namespace, sp.metadata.name);
    conflictsOnly(await Promise.allSettled([1, 2, 3, 4, 5].map(savepointPass)));
    for (let i = 0; i < 5; i++) conflictsOnly(await Promise.allSettled([savepointPass()]));
    // Follow it to the end as the controller would (a pass every 200 ms).
    const done = await waitFor('periodic Savepoint completed', async () => {
      await savepointPass();
      const s = await getWithStatus(rest, 'Savepoint', sp.metadata.name, namespace);
      return s?.status?.phase === 'Completed' ? s : undefined;
    }, 60_000, 200);
    expect(triggers.get(key)).toBe(1);
    // What a person sees: one Triggered and one Completed Event, one directory in the bucket.
    const reasons = (await eventsFor(rest, namespace, sp.metadata.name)).map((e) => e.reason);
    expect(reasons.filter((r) => r === 'Triggered')).toHaveLength(1);
    expect(reasons.filter((r) => r === 'Completed')).toHaveLength(1);
    expect(await savepointDirs(`${prefix}flink-savepoints/${namespace}/live/`)).toEqual([keyOf(String(done.status?.path))]);
  }, 300_000);
});

describe('savepoint directories no Savepoint owns', () => {
  afterAll(stopOperators);

  test('are swept after the grace period while owned and kept ones stay; deleting the namespace leaves only the kept one', async () => {
    const { rest } = cluster;
    await startOperator({ controllers: true, sweep: { graceMs: 3_000, everyMs: 1_000 } });
    const namespace = await workspaceOnS3();
    const { runtime, jobId } = await runningDeployment(namespace, 'swept');
    const dirOf = `${prefix}flink-savepoints/${namespace}/swept/`;

    // Owned: a Savepoint names it. Kept: its Savepoint was deleted with disposeOnDelete false.
    await applyAs(rest, { apiVersion: API, kind: 'Savepoint', metadata: { name: 'owned', namespace }, spec: { deployment: 'swept', disposeOnDelete: true } });
    const owned = await waitForPhase(rest, 'Savepoint', 'owned', namespace, 'Completed', 60_000);
    await applyAs(rest, { apiVersion: API, kind: 'Savepoint', metadata: { name: 'kept', namespace }, spec: { deployment: 'swept', disposeOnDelete: false } });
    const kept = await waitForPhase(rest, 'Savepoint', 'kept', namespace, 'Completed', 60_000);
    expect((kept.metadata.finalizers ?? [])).toContain('millrace.dev/cleanup');
    await rest.delete({ apiVersion: API, kind: 'Savepoint', namespace, name: 'kept' });
    await waitFor('kept Savepoint gone', async () => !(await getWithStatus(rest, 'Savepoint', 'kept', namespace)), 30_000);
    expect(await keysUnder(keyOf(String(kept.status?.path)))).toContain(`${keyOf(String(kept.status?.path))}_millrace-kept`);

    // Leaked: a savepoint taken at the JobManager that no Savepoint recorded (what a second trigger left).
    const res = await fetch(`${runtime.restUrl}/jobs/${jobId}/savepoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'cancel-job': false, formatType: 'canonical' }) });
    expect(res.status).toBeLessThan(300);
    const known = [keyOf(String(owned.status?.path)), keyOf(String(kept.status?.path))];
    const leaked = await waitFor('leaked savepoint written', async () => (await savepointDirs(dirOf)).find((d) => !known.includes(d)), 30_000);

    const sweptAt = await waitFor('leaked directory swept', async () => ((await keysUnder(leaked)).length === 0 ? Date.now() : undefined), 60_000, 500);
    expect(sweptAt).toBeGreaterThan(0);
    // Namespace Events are in `default` (a Namespace is cluster-scoped); the Event is written after
    // the files go, so wait for it (a loaded CI run read the Events before it was there)
    const swept = await waitFor('the SavepointFilesSwept Event', async () => (await eventsFor(rest, 'default', namespace)).find((e) => e.reason === 'SavepointFilesSwept'), 30_000, 500);
    expect(swept.note).toContain(`s3://${s3.bucket}/${leaked}`);
    expect(await savepointDirs(dirOf)).toEqual([...known].sort());

    // The namespace goes: its Deployment and Savepoints first (owned's files with it), then
    // whatever no one owns; the kept directory stays, as its Savepoint asked.
    await rest.delete({ apiVersion: API, kind: 'Namespace', name: namespace });
    await waitFor('Namespace gone', async () => !(await getWithStatus(rest, 'Namespace', namespace)), 120_000, 500);
    expect(await savepointDirs(`${prefix}flink-savepoints/${namespace}/`)).toEqual([keyOf(String(kept.status?.path))]);
  }, 300_000);
});
