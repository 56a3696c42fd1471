// Issue 14 point 8 on the node tier: a Deployment the operator runs (real JobManager and
// TaskManager pods of localhost/millrace:dev, the in-process operator with its default settings)
// rides out a 30 s outage of its Workspace's S3 without ending Failed.
//
// The Workspace points at a PRIVATE MinIO of this file (test/recovery/support/private-minio.ts,
// listening on the node's host address so pods reach it); the shared server other tests use is
// never touched. The outage is that server's process stopped (connections refused, as a crashed
// or unreachable S3) for 30 s, then started again on the same port and data directory.
//
// The Deployment keeps the DEFAULT tolerable checkpoint failures (3, read back from the API server)
// and sets only `checkpoints.intervalSeconds: 15` so the test stays short: checkpoint triggers are
// at least 15 s apart, so a 30 s outage fails at most 3 in a row (one in flight when it starts and
// two more), which the default tolerates. The default 60 s interval tolerates longer outages; that
// is proven with the operator's pod specs as local processes in s3-outage-operator.long-test.ts.
//
// What a user checks: the Deployment's phase is never Failed (sampled every second throughout),
// the JobManager reports the same job RUNNING with no restart after the outage, a checkpoint failed
// during the outage (so it really hit one) and a NEWER checkpoint completed after it, and no
// container restarted. The job's sink is a blackhole (nothing to count); exactly-once output across
// an S3 outage is proven with the file sink in s3-outage.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useNode } from '../cluster/environment.ts';
import { requireNodeImage } from '../cluster/image/node-image.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { clusterIpJobManagers, jobManagerGet } from '../e2e/support/cluster-ip-jobmanagers.ts';
import { S3_SECRET_NAME } from '../../operator/controllers/namespace/desired.ts';
import type { CheckpointStats } from './support/job-api.ts';
import { PrivateMinio } from './support/private-minio.ts';

const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';
const NAME = 'outage';
const OUTAGE_MS = 30_000;
const PIPELINE = 'name: outage\nsource: { type: nexmark, rate: 50 }\nsink: { type: blackhole }\n';

type PodView = KubeObject & { status?: { phase?: string; containerStatuses?: Array<{ name: string; restartCount: number }> } };
interface JobView { id?: string; state?: string; restarts?: number }

let cluster: Cluster;
let operator: Operator | undefined;
let minio: PrivateMinio | undefined;
let dir = '';
const secretName = unique('outage-s3');
let workspace = '';

beforeAll(async () => {
  const node = await useNode();
  await requireNodeImage(IMAGE);
  cluster = await useOperatorCluster();
  dir = mkdtempSync(path.join(os.tmpdir(), 'k8s-s3-outage-'));
  minio = await PrivateMinio.start(dir, { hostAddress: node.hostAddress });
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: minio.connection.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.connection.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(cluster.rest), defaultImage: IMAGE });
}, 600_000);

afterAll(async () => {
  // S3 back first (also when the test failed during the outage): the teardown may need it.
  if (minio && !minio.running) await minio.resume().catch((err: unknown) => process.stderr.write(`[s3-outage] ${String(err)}\n`));
  if (cluster) {
    const { rest } = cluster;
    if (workspace) {
      await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
      await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
        .catch((err: unknown) => process.stderr.write(`[s3-outage] cleanup incomplete: ${String(err)}\n`));
    }
    await operator?.stop();
    await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  }
  await minio?.pause();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 240_000);

test('a Deployment with the default tolerable checkpoint failures rides out a 30 s S3 outage: never Failed, the same job RUNNING, checkpoints complete again', async () => {
  const { rest } = cluster;
  const s3 = minio!.connection;
  workspace = unique('outage-ws');
  const namespace = unique('outage-ns');
  await applyAs(rest, {
    apiVersion: API, kind: 'Workspace', metadata: { name: workspace },
    spec: { capacityCU: 2, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix: 'ws/', secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } } },
  });
  await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
  await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: 1 } });
  await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);
  await applyAs(rest, {
    apiVersion: API, kind: 'Deployment', metadata: { name: NAME, namespace },
    spec: { source: { pipeline: PIPELINE }, parallelism: 1, jobManager: { cu: 0.25 }, taskManager: { cu: 0.25, slots: 1 }, checkpoints: { intervalSeconds: 15 } },
  });
  // The tolerance is the CRD's default, not something this test chose.
  const stored = await rest.get<KubeObject & { spec: { checkpoints: { tolerableFailures: number } } }>({ apiVersion: API, kind: 'Deployment', namespace, name: NAME });
  expect(stored.spec.checkpoints.tolerableFailures).toBe(3);

  // The Deployment's phase, sampled every second until the end: a user's `kubectl get -w`.
  const phases = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const d = await getWithStatus(rest, 'Deployment', NAME, namespace).catch(() => undefined);
      if (d?.status?.phase) phases.add(d.status.phase);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  const deploymentJob = async () => (await getWithStatus(rest, 'Deployment', NAME, namespace))?.status?.job as JobView | undefined;
  const checkpoints = (id: string) => jobManagerGet<CheckpointStats>(rest, namespace, NAME, `/jobs/${id}/checkpoints`);
  const jobOnJobManager = (id: string) => jobManagerGet<{ state: string; restarts?: number }>(rest, namespace, NAME, `/jobs/${id}`);
  try {
    const running = await waitFor('the job RUNNING', async () => {
      const d = await getWithStatus(rest, 'Deployment', NAME, namespace);
      const j = d?.status?.job as JobView | undefined;
      return d?.status?.phase === 'Running' && j?.id && j.state === 'RUNNING' ? j : undefined;
    }, 240_000, 1000);
    const id = running.id!;
    // The pods hold the namespace's short-lived STS credentials, not the private server's root key.
    const mounted = await rest.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace, name: S3_SECRET_NAME });
    expect(mounted.data.AWS_SESSION_TOKEN).toBeTruthy();
    expect(Buffer.from(mounted.data.AWS_ACCESS_KEY_ID!, 'base64').toString()).not.toBe(s3.accessKeyId);
    const restarts = (await jobOnJobManager(id)).restarts ?? 0;
    const before = await waitFor('a checkpoint completed before the outage', async () => {
      const c = await checkpoints(id).catch(() => undefined);
      return c && c.counts.completed >= 1 ? c : undefined;
    }, 120_000, 1000);

    await minio!.pause();
    const outageEnds = Date.now() + OUTAGE_MS;
    const statesDuring = new Set<string>();
    while (Date.now() < outageEnds) {
      const j = await jobOnJobManager(id).catch(() => undefined); // the JobManager needs no S3 to answer
      if (j) statesDuring.add(j.state);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const during = await checkpoints(id);
    await minio!.resume();

    // The outage hit a checkpoint, and the job stayed RUNNING through it without a failover.
    expect(during.counts.failed).toBeGreaterThan(before.counts.failed);
    expect([...statesDuring]).toEqual(['RUNNING']);

    const lastBefore = during.latest.completed?.id ?? 0;
    const after = await waitFor('a newer checkpoint completed after S3 is back', async () => {
      const c = await checkpoints(id).catch(() => undefined);
      return c && (c.latest.completed?.id ?? 0) > lastBefore ? c : undefined;
    }, 120_000, 1000);
    expect(after.latest.completed!.id).toBeGreaterThan(before.latest.completed!.id);
    process.stderr.write(`[s3-outage] job ${id}: checkpoint ${before.latest.completed!.id} before, ${during.counts.failed - before.counts.failed} failed during the outage (${during.latest.failed?.failure_message ?? ''}), ${after.latest.completed!.id} completed after\n`);

    const end = await jobOnJobManager(id);
    expect(end).toMatchObject({ state: 'RUNNING', restarts });
    await waitFor('the Deployment status showing the same job RUNNING', async () => {
      const j = await deploymentJob();
      return j?.id === id && j.state === 'RUNNING' ? j : undefined;
    }, 60_000, 1000);
    const pods = (await rest.list<PodView>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${NAME}` })).items;
    expect(pods.length).toBeGreaterThanOrEqual(2);
    for (const p of pods) expect(p.status?.containerStatuses?.map((c) => c.restartCount)).toEqual([0]);
  } finally {
    sampling = false;
    await sampler;
  }
  expect([...phases]).not.toContain('Failed');
  expect(phases).toContain('Running');
}, 600_000);
