// End to end on the node tier: a Workspace whose storage is the shared MinIO (reached by pods at
// the cluster host address), a Namespace, and a Deployment running an inline YAML pipeline whose
// JobManager and TaskManager pods RUN from the project image (localhost/millrace:dev, rebuilt by
// `npm run image:build`). The operator runs in this process and reaches the JobManager Service
// through its ClusterIP (kube-proxy serves ClusterIPs to host traffic).
// The Deployment has one standby TaskManager pod (spec.taskManager.standby): deleting the pod the job
// runs on restarts the job on the standby at once, and the replacement pod comes up as the next standby.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { useNode } from '../cluster/environment.ts';
import { requireNodeImage } from '../cluster/image/node-image.ts';
import { deletePrefix, s3Client } from '../cluster/s3/bucket.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, eventsFor, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { clusterIpJobManagers, jobManagerGet } from './support/cluster-ip-jobmanagers.ts';

const run = promisify(execFile);
const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';

// Bids per auction in 2 s windows from a rate-limited (so unbounded and light) Nexmark source.
const PIPELINE = `
name: e2e-bids
source: { type: nexmark, rate: 200 }
steps:
  - type: filter
    where: [{ field: kind, op: "==", value: bid }]
  - type: window
    keyBy: auction
    size: 2s
    aggregates: [{ fn: count, as: bids }, { fn: max, field: price, as: top }]
sink: { type: print, prefix: e2e }
`;

type PodView = KubeObject & { spec: { nodeName?: string; containers: Array<{ env?: Array<{ name: string; value?: string }> }> }; status?: { phase?: string } };

let cluster: Cluster;
let kubeconfigPath: string;
let s3: S3Connection;
let operator: Operator | undefined;
const secretName = unique('e2e-s3');
const prefix = `${unique('e2e')}/`;
let workspace = '';

beforeAll(async () => {
  ({ kubeconfigPath } = await useNode());
  await requireNodeImage(IMAGE);
  const { hostAddress } = await useNode();
  cluster = await useOperatorCluster();
  s3 = await useS3({ hostAddress });
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(cluster.rest), defaultImage: IMAGE });
}, 600_000);

afterAll(async () => {
  const { rest } = cluster;
  if (workspace) {
    // The Workspace finalizer deletes the Namespace (and its deployments) first.
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
    await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
      .catch((err: unknown) => process.stderr.write(`[e2e] cleanup incomplete: ${String(err)}\n`));
  }
  await operator?.stop();
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  if (s3) await deletePrefix(s3, prefix);
}, 240_000);

const podsOf = async (namespace: string, name: string) =>
  (await cluster.rest.list<PodView>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;

/** The object key of an s3://bucket/key location. */
const keyOf = (uri: string) => uri.replace(/^s3:\/\/[^/]+\//, '');
async function objectExists(key: string): Promise<boolean> {
  const client = s3Client(s3);
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: key, MaxKeys: 1 }));
    return (page.Contents ?? []).some((o) => o.Key === key);
  } finally { client.destroy(); }
}

async function kubectl(...args: string[]): Promise<string> {
  return (await run('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { maxBuffer: 16 << 20 })).stdout;
}

/** What a person would look at when the deployment does not come up: status, pods, their logs. */
async function diagnostics(namespace: string): Promise<string> {
  const out: string[] = [];
  const tryRun = async (...args: string[]) => { try { out.push(`$ kubectl ${args.join(' ')}`, await kubectl(...args)); } catch (e) { out.push(String(e)); } };
  await tryRun('get', 'deployments.millrace.dev', '-n', namespace, '-o', 'jsonpath={.items[*].status}');
  await tryRun('get', 'pods', '-n', namespace, '-o', 'wide');
  await tryRun('describe', 'pods', '-n', namespace);
  for (const p of (await cluster.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace })).items) await tryRun('logs', '-n', namespace, p.metadata.name, '--tail', '40');
  return out.join('\n');
}

describe('a Deployment on the node tier', () => {
  test('runs a YAML pipeline in real pods checkpointing to the workspace bucket; Running with the job from the JobManager; stateful suspend takes a savepoint and frees pods and CU; resume restores it in a new job; delete removes what it owned', async () => {
    const { rest } = cluster;
    workspace = unique('e2e-ws');
    const namespace = unique('e2e-ns');
    await applyAs(rest, {
      apiVersion: API, kind: 'Workspace', metadata: { name: workspace },
      spec: { capacityCU: 4, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } } },
    });
    // The operator checked the bucket from this host and laid out the prefixes.
    await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
    await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: 2 } });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);

    await applyAs(rest, {
      apiVersion: API, kind: 'Deployment', metadata: { name: 'bids', namespace },
      // One standby TaskManager pod (spec.taskManager.standby): the failover below lands on it.
      spec: { source: { pipeline: PIPELINE }, parallelism: 2, jobManager: { cu: 0.25 }, taskManager: { cu: 0.5, slots: 2, standby: 1 }, upgradeStrategy: 'stateful', checkpoints: { intervalSeconds: 2, retained: 2 } },
    });
    const settled = await waitFor('Deployment bids Running (or Failed)', async () => {
      const d = await getWithStatus(rest, 'Deployment', 'bids', namespace);
      return d?.status?.phase === 'Running' || d?.status?.phase === 'Failed' ? d : undefined;
    }, 300_000, 500).catch(async (err: unknown) => {
      process.stderr.write(`[e2e] ${String(err)}\n${await diagnostics(namespace)}\n`);
      throw err;
    });
    if (settled.status?.phase !== 'Running') process.stderr.write(`[e2e] deployment ${settled.status?.phase}: ${String(settled.status?.reason)}\n${await diagnostics(namespace)}\n`);
    expect({ phase: settled.status?.phase, reason: settled.status?.reason }).toEqual({ phase: 'Running', reason: undefined });
    const running = settled;
    const job = running.status?.job as { id: string; state: string; startTime?: string };
    expect(job).toMatchObject({ state: 'RUNNING', id: expect.any(String) });
    // The standby pod's CU count like the others': 0.25 + 2 × 0.5.
    expect(running.status).toMatchObject({ cuInUse: 1.25, taskManagers: 2 });

    // The job in status is the one the JobManager in the pod reports.
    const fromJobManager = await jobManagerGet<{ state: string; name: string }>(rest, namespace, 'bids', `/jobs/${job.id}`);
    expect(fromJobManager).toMatchObject({ state: 'RUNNING', name: 'pipeline' });

    const pods = await podsOf(namespace, 'bids');
    expect(pods.map((p) => [p.metadata.labels?.['app.kubernetes.io/component'], p.status?.phase, p.spec.nodeName]).sort())
      .toEqual([['jobmanager', 'Running', 'millrace-node'], ['taskmanager', 'Running', 'millrace-node'], ['taskmanager', 'Running', 'millrace-node']]);
    for (const p of pods) {
      expect(p.spec.containers[0]?.env).toEqual(expect.arrayContaining([{ name: 'MILLRACE_S3_BUCKET', value: s3.bucket }, { name: 'MILLRACE_S3_ENDPOINT', value: s3.endpoint }]));
    }
    // The namespace's own short-lived credentials (not the workspace key) reached the pod as files,
    // readable by the runtime user, and as nothing else.
    const jm = pods.find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager')!;
    // The TaskManager pod the job runs on (the other is the standby), from the JobManager's view.
    const onPods = async (jobId: string) => {
      const [j, t] = await Promise.all([
        jobManagerGet<{ attempt: number; state: string; vertices: Array<{ subtasks: Array<{ taskManagerId?: string; state: string }> }> }>(rest, namespace, 'bids', `/jobs/${jobId}`),
        jobManagerGet<{ taskmanagers: Array<{ id: string; restUrl: string }> }>(rest, namespace, 'bids', '/taskmanagers'),
      ]);
      const ids = new Set(j.vertices.flatMap((v) => v.subtasks.map((x) => x.taskManagerId)));
      const ips = new Set(t.taskmanagers.filter((x) => ids.has(x.id)).map((x) => new URL(x.restUrl).hostname));
      return { job: j, ips };
    };
    const placed = await waitFor('the job placed on one TaskManager pod, the other standby', async () => { const o = await onPods(job.id); return o.ips.size === 1 ? o : undefined; }, 60_000, 500);
    const tm = pods.find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager' && placed.ips.has((p.status as { podIP?: string } | undefined)?.podIP ?? ''))!;
    const standby = pods.find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager' && p !== tm)!;
    expect(tm).toBeDefined();
    const namespaceSecret = await rest.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace, name: 'millrace-s3-credentials' });
    const namespaceKeyId = Buffer.from(namespaceSecret.data.AWS_ACCESS_KEY_ID!, 'base64').toString('utf8');
    const podKeyId = (await kubectl('exec', '-n', namespace, jm.metadata.name, '--', 'cat', '/var/run/secrets/millrace/s3/AWS_ACCESS_KEY_ID')).trim();
    expect(podKeyId).toBe(namespaceKeyId);
    expect(podKeyId).not.toBe(s3.accessKeyId);
    const podEnv = await kubectl('exec', '-n', namespace, jm.metadata.name, '--', 'env');
    expect(podEnv).not.toContain(s3.secretAccessKey);
    expect(podEnv).not.toContain(Buffer.from(namespaceSecret.data.AWS_SECRET_ACCESS_KEY!, 'base64').toString('utf8'));

    // The pipeline really runs across the pods: window results reach the TaskManager's stdout.
    const line = await waitFor('window results in the TaskManager log', async () => {
      const log = await kubectl('logs', '-n', namespace, tm.metadata.name);
      return log.split('\n').find((l) => /^e2e(:\d+)?> \{"auction":\d+,"windowStart":\d+,"windowEnd":\d+,"bids":\d+,"top":\d+\}$/.test(l));
    }, 120_000, 2000);
    expect(line).toBeDefined();

    // The TaskManager pod running the job is deleted: the job runs again on the standby pod (there
    // before the deletion) without waiting for a new one; the replacement becomes the next standby.
    await rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: tm.metadata.name });
    const standbyIp = (standby.status as { podIP?: string } | undefined)?.podIP ?? '';
    const failedOver = await waitFor('the job RUNNING again on the standby pod', async () => {
      const o = await onPods(job.id);
      return o.job.attempt > placed.job.attempt && o.job.state === 'RUNNING' && o.job.vertices.every((v) => v.subtasks.every((x) => x.state === 'RUNNING')) ? o : undefined;
    }, 120_000, 250);
    expect([...failedOver.ips]).toEqual([standbyIp]);
    const standbyNow = (await podsOf(namespace, 'bids')).find((p) => p.metadata.name === standby.metadata.name);
    expect(standbyNow?.metadata.uid).toBe(standby.metadata.uid);
    await waitFor('the deleted TaskManager pod replaced', async () => (await podsOf(namespace, 'bids')).some((p) => p.metadata.name === tm.metadata.name && p.metadata.uid !== tm.metadata.uid && p.status?.phase === 'Running'), 120_000, 1000);

    // Checkpoints go to the workspace bucket, through the Secret copy and the env the pods got.
    // With 2 retained checkpoints every 2 s, the one a status read names can be subsumed before the
    // bucket is read; the status then names a newer one, whose metadata is there.
    const checkpoint = await waitFor('status.job.lastCheckpoint with its _metadata in the bucket', async () => {
      const last = ((await getWithStatus(rest, 'Deployment', 'bids', namespace))?.status?.job as { lastCheckpoint?: { path?: string } } | undefined)?.lastCheckpoint;
      return last?.path && (await objectExists(`${keyOf(last.path)}_metadata`)) ? last : undefined;
    }, 120_000, 1000);
    expect(checkpoint.path).toMatch(new RegExp(`^s3://${s3.bucket}/${prefix}flink-jobs/${namespace}/bids/`));

    // Suspend (stateful): a savepoint in the bucket first, then pods gone, CU freed in the Deployment and the queue.
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'bids' }, { spec: { state: 'suspended' } });
    await waitForPhase(rest, 'Deployment', 'bids', namespace, 'Suspended', 60_000);
    await waitFor('pods gone', async () => (await podsOf(namespace, 'bids')).length === 0, 120_000, 1000);
    await waitFor('CU freed', async () => {
      const d = await getWithStatus(rest, 'Deployment', 'bids', namespace);
      const q = await getWithStatus(rest, 'Queue', 'default-queue', namespace);
      return d?.status?.cuInUse === 0 && q?.status?.usedCU === 0;
    }, 60_000);
    expect((await eventsFor(rest, namespace, 'bids')).map((e) => e.reason)).toEqual(expect.arrayContaining(['Running', 'Suspending', 'SavepointCompleted', 'Suspended']));
    const savepoint = ((await getWithStatus(rest, 'Deployment', 'bids', namespace))?.status as { lastSavepoint?: { path: string; origin: string } }).lastSavepoint;
    expect(savepoint).toMatchObject({ origin: 'suspend', path: expect.stringMatching(new RegExp(`^s3://${s3.bucket}/${prefix}flink-savepoints/${namespace}/bids/savepoint-`)) });
    expect(await objectExists(`${keyOf(savepoint?.path ?? '')}_metadata`)).toBe(true);

    // Resume: new pods, a new job.
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'bids' }, { spec: { state: 'running' } });
    const resumed = await waitFor('a new job running', async () => {
      const d = await getWithStatus(rest, 'Deployment', 'bids', namespace);
      const j = d?.status?.job as { id?: string; state?: string } | undefined;
      return d?.status?.phase === 'Running' && j?.id && j.id !== job.id ? j : undefined;
    }, 300_000, 1000);
    expect(resumed.state).toBe('RUNNING');
    // The new JobManager restored the suspend savepoint (read from the ConfigMap).
    const restored = await waitFor('restore reported', async () => (await jobManagerGet<{ latest?: { restored?: { external_path?: string; is_savepoint?: boolean } | null } }>(rest, namespace, 'bids', `/jobs/${resumed.id}/checkpoints`)).latest?.restored ?? undefined, 60_000, 1000);
    expect(restored).toMatchObject({ is_savepoint: true, external_path: expect.stringContaining(keyOf(savepoint?.path ?? '').replace(/\/$/, '')) });

    // Delete: pods, Service and ConfigMap go with their owner.
    await rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name: 'bids' });
    await waitFor('owned objects removed', async () =>
      (await podsOf(namespace, 'bids')).length === 0
      && !(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'Service', namespace, name: 'bids-jobmanager' }))
      && !(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'bids-config' })), 180_000, 1000);
  }, 1_200_000);
});
