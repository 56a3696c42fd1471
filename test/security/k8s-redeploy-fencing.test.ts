// Re-deploys never bring back a job the operator ended (issue 14 point 8), on the node tier with
// the real operator (in this process), real JobManager and TaskManager pods and MinIO:
// - suspend cancels the job and keeps the pods until the JobManager reports it CANCELED, so the
//   job's HA record says CANCELED before the pods go;
// - even when that record still says RUNNING (the cancellation never reached storage: planted
//   here, signed with the Deployment's own key), resuming the UNCHANGED spec starts a new job,
//   because the resumed pods are a new run (another revision);
// - its key Secret deleted while the job runs stays until the pods are gone: a TaskManager replaced
//   meanwhile mounts the same key and the same job runs on;
// - a Deployment deleted and created again under the same name with the same spec starts a new
//   job, never the old one, although the old job's record says RUNNING (and its held key goes).
// The second test attacks that last job's pods from namespace B with NetworkPolicy enforced; the
// third changes its pipeline to one that would print the pods' S3 credentials.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { useNode } from '../cluster/environment.ts';
import { buildKubeRouter, startKubeRouter, stopKubeRouter } from '../cluster/kube/kube-router.ts';
import { images } from '../cluster/kube/versions.ts';
import { requireNodeImage } from '../cluster/image/node-image.ts';
import { deletePrefix, s3Client } from '../cluster/s3/bucket.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { DeploymentKey } from '../../runtime/auth/deployment-key.ts';
import { canonicalJson } from '../../runtime/checkpoint/ha-store.ts';
import { API, applyAs, eventsFor, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { clusterIpJobManagers } from '../e2e/support/cluster-ip-jobmanagers.ts';
import { JOBMANAGER_REST_PORT, TASKMANAGER_PORT } from '../../operator/controllers/deployment/desired.ts';

const run = promisify(execFile);
const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';
const PIPELINE = 'name: fenced\nsource: { type: nexmark, rate: 50 }\nsink: { type: blackhole }\n';
const NAME = 'fenced';

type PodView = KubeObject & { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } };
interface HaRecord { jobId: string; state: string; revision?: string; signature?: string; [k: string]: unknown }

let cluster: Cluster;
let kubeconfigPath: string;
let s3: S3Connection;
let operator: Operator | undefined;
const secretName = unique('fence-s3');
const prefix = `${unique('fence')}/`;
let workspace = '';
/** The first test's Deployment namespace (A) and last job, attacked by the second test. */
let tenantA = '';
let lastJob = '';
const intruderNamespace = unique('fence-b');

beforeAll(async () => {
  const node = await useNode();
  kubeconfigPath = node.kubeconfigPath;
  await requireNodeImage(IMAGE);
  cluster = await useOperatorCluster();
  s3 = await useS3({ hostAddress: node.hostAddress });
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(cluster.rest), defaultImage: IMAGE });
}, 600_000);

afterAll(async () => {
  await stopKubeRouter();
  if (!cluster) return;
  await cluster.rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: intruderNamespace });
  // The impostor carries the Deployment's label: the namespace's removal waits for it to go.
  if (tenantA) for (const name of ['impostor', 'bystander']) await cluster.rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace: tenantA, name });
  const { rest } = cluster;
  if (workspace) {
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
    await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
      .catch((err: unknown) => process.stderr.write(`[fencing] cleanup incomplete: ${String(err)}\n`));
  }
  await operator?.stop();
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  if (s3) await deletePrefix(s3, prefix);
}, 240_000);

const kubectl = async (...args: string[]) => (await run('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { maxBuffer: 16 << 20 })).stdout;
const podsOf = async (namespace: string) =>
  (await cluster.rest.list<PodView>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${NAME}` })).items;
const jobManagerPod = async (namespace: string) => (await podsOf(namespace)).find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager');

const recordKey = (namespace: string) => `${prefix}flink-jobs/${namespace}/${NAME}/ha/job.json`;
async function readRecord(namespace: string): Promise<HaRecord | undefined> {
  const client = s3Client(s3);
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: recordKey(namespace) }));
    return JSON.parse(await r.Body!.transformToString()) as HaRecord;
  } catch { return undefined; } finally { client.destroy(); }
}
/** Writes the record as its JobManager would have, signed with the Deployment's key. */
async function writeRecord(namespace: string, record: HaRecord, key: DeploymentKey): Promise<void> {
  const { signature: _dropped, ...unsigned } = record;
  const client = s3Client(s3);
  try {
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: recordKey(namespace), Body: JSON.stringify({ ...unsigned, signature: key.mac('ha', canonicalJson(unsigned)) }) }));
  } finally { client.destroy(); }
}
async function deploymentKey(namespace: string): Promise<DeploymentKey> {
  const secret = await cluster.rest.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${NAME}-auth` });
  return new DeploymentKey(Buffer.from(secret.data.key!, 'base64').toString('utf8').trim(), 'test');
}

/** Waits for the Deployment to run a job other than `not`; its id and the JobManager pod's revision. */
async function runningJob(namespace: string, not: string[]): Promise<{ id: string; revision: string; status: Record<string, unknown> }> {
  const d = await waitFor(`a job other than ${not.join(', ') || '(none)'} running`, async () => {
    const x = await getWithStatus(cluster.rest, 'Deployment', NAME, namespace);
    const j = x?.status?.job as { id?: string; state?: string } | undefined;
    return x?.status?.phase === 'Running' && j?.id && !not.includes(j.id) ? x : undefined;
  }, 240_000, 1000).catch(async (err: unknown) => {
    process.stderr.write(`[fencing] ${String(err)}\n${await kubectl('get', 'pods', '-n', namespace, '-o', 'wide').catch(String)}\n`);
    throw err;
  });
  const jm = await jobManagerPod(namespace);
  const revision = jm?.spec.containers[0]?.env?.find((e) => e.name === 'MILLRACE_DEPLOYMENT_REVISION')?.value ?? '';
  return { id: (d.status?.job as { id: string }).id, revision, status: d.status as Record<string, unknown> };
}

const deployment = (namespace: string, state: string) => ({
  apiVersion: API, kind: 'Deployment', metadata: { name: NAME, namespace },
  spec: { state, source: { pipeline: PIPELINE }, parallelism: 1, jobManager: { cu: 0.25 }, taskManager: { cu: 0.25, slots: 1 }, upgradeStrategy: 'stateless', checkpoints: { intervalSeconds: 2 } },
});

test('suspend waits for the cancellation; a resumed or re-created Deployment never resumes the old job, even when its record says RUNNING', async () => {
  const { rest } = cluster;
  workspace = unique('fence-ws');
  const namespace = unique('fence-ns');
  tenantA = namespace;
  await applyAs(rest, {
    apiVersion: API, kind: 'Workspace', metadata: { name: workspace },
    spec: { capacityCU: 2, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } } },
  });
  await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
  await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: 1 } });
  await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);

  await applyAs(rest, deployment(namespace, 'running'));
  const first = await runningJob(namespace, []);
  const uid = (await rest.get<KubeObject>({ apiVersion: API, kind: 'Deployment', namespace, name: NAME })).metadata.uid!;
  expect(first.status.run).toBe(1);
  expect(first.revision).toMatch(new RegExp(`\\.${uid}\\.1$`));
  await waitFor('the first job\'s HA record', async () => { const r = await readRecord(namespace); return r?.jobId === first.id && r.state === 'RUNNING' ? r : undefined; }, 60_000, 500);

  // Suspend: the JobManager confirms the cancellation before its pods are deleted.
  await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: NAME }, { spec: { state: 'suspended' } });
  await waitForPhase(rest, 'Deployment', NAME, namespace, 'Suspended', 60_000);
  await waitFor('pods gone', async () => (await podsOf(namespace)).length === 0, 120_000, 500);
  const reasons = (await eventsFor(rest, namespace, NAME)).map((e) => e.reason);
  expect(reasons).toContain('CancellingJob');
  expect(reasons).not.toContain('CancelNotConfirmed');
  const afterSuspend = await readRecord(namespace);
  expect(afterSuspend).toMatchObject({ jobId: first.id, state: 'CANCELED', revision: first.revision });

  // As if the cancellation had never reached storage: the record says RUNNING, correctly signed.
  const key = await deploymentKey(namespace);
  await writeRecord(namespace, { ...afterSuspend!, state: 'RUNNING' }, key);

  // Resume the unchanged spec: a new run, so a new job, not the old one from its checkpoint.
  await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: NAME }, { spec: { state: 'running' } });
  const second = await runningJob(namespace, [first.id]);
  expect(second.status.run).toBe(2);
  expect(second.revision).toMatch(new RegExp(`\\.${uid}\\.2$`));
  const jm = await jobManagerPod(namespace);
  const log = await kubectl('logs', '-n', namespace, jm!.metadata.name);
  expect(log).toContain('MR_ERR_HA_RECORD_REFUSED');
  expect(log).toContain(`not of this revision ${second.revision}`);

  // Its key Secret deleted while the job runs, then its TaskManager replaced (a drain): the Secret
  // stays (finalizer millrace.dev/key-in-use) with the same key, the new TaskManager mounts it and
  // registers, and the same job runs on after a restart (auth-key-protection.ts).
  const keyRef = { apiVersion: 'v1', kind: 'Secret', namespace, name: `${NAME}-auth` };
  const keyData = (await rest.get<KubeObject & { data: Record<string, string> }>(keyRef)).data.key;
  await rest.delete(keyRef);
  const tm = (await podsOf(namespace)).find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager')!;
  const restartsBefore = (second.status.job as { restarts?: number }).restarts ?? 0;
  await rest.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${tm.metadata.name}`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 } });
  await waitFor('the replaced TaskManager running and the same job running again', async () => {
    const replaced = (await podsOf(namespace)).find((p) => p.metadata.name === tm.metadata.name && p.metadata.uid !== tm.metadata.uid);
    const d = await getWithStatus(rest, 'Deployment', NAME, namespace);
    const job = d?.status?.job as { id?: string; state?: string; restarts?: number } | undefined;
    return (replaced?.status as { phase?: string } | undefined)?.phase === 'Running' && job?.id === second.id && job.state === 'RUNNING' && (job.restarts ?? 0) > restartsBefore ? d : undefined;
  }, 180_000, 1000);
  const kept = await rest.get<KubeObject & { data: Record<string, string> }>(keyRef);
  expect(kept.metadata.deletionTimestamp).toBeDefined();
  expect(kept.data.key).toBe(keyData);
  const keyProblem = (await getWithStatus(rest, 'Deployment', NAME, namespace))?.status?.conditions?.find((c) => c.type === 'AuthKeyProblem');
  expect(keyProblem).toMatchObject({ status: 'True', reason: 'KeyDeletionPostponed' });

  // Delete it (the garbage collector kills its pods: nobody cancels the job) and create it again.
  await waitFor('the second job\'s HA record', async () => { const r = await readRecord(namespace); return r?.jobId === second.id ? r : undefined; }, 60_000, 500);
  await rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name: NAME });
  await waitFor('pods and key gone', async () => (await podsOf(namespace)).length === 0 && !(await rest.getOrUndefined({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${NAME}-auth` })), 120_000, 500);
  // Whatever the killed JobManager managed to write, the old job's record says RUNNING.
  await writeRecord(namespace, { ...(await readRecord(namespace))!, jobId: second.id, state: 'RUNNING' }, key);
  await applyAs(rest, deployment(namespace, 'running'));
  const third = await runningJob(namespace, [first.id, second.id]);
  expect(third.status.run).toBe(1);
  expect(third.revision).not.toBe(first.revision);
  const log3 = await kubectl('logs', '-n', namespace, (await jobManagerPod(namespace))!.metadata.name);
  expect(log3).toContain('MR_ERR_HA_RECORD_REFUSED');
  lastJob = third.id;
}, 900_000);

// Issue 14 (tests): another tenant's pod calls this Deployment's real JobManager (submit, savepoint,
// TaskManager registration) and TaskManager with NetworkPolicy enforced (kube-router, as in
// k8s-network-policy.test.ts): every connection is dropped. A pod of A carrying the Deployment's
// label passes the policy and is refused by the JobManager's signature check instead. The job runs on.
function clientPod(namespace: string, name: string, labels: Record<string, string>) {
  const limits = { cpu: '20m', memory: '16Mi', 'ephemeral-storage': '16Mi' };
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'main', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'exec sleep 3600'], resources: { requests: limits, limits }, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    },
  };
}
/** An unsigned HTTP POST from a pod: the response, or undefined when no connection is made within 3 s. */
async function post(namespace: string, pod: string, ip: string, port: number, path: string): Promise<string | undefined> {
  const request = `POST ${path} HTTP/1.0\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n{}`;
  const out = await kubectl('exec', '-n', namespace, pod, '--', 'sh', '-c', `printf '${request}' | nc -w 3 ${ip} ${port}`).catch(() => '');
  return out.startsWith('HTTP/1.') ? out : undefined;
}

test("with NetworkPolicy enforced, another namespace's pod reaches neither the real JobManager nor TaskManager; a labelled impostor in A is refused unsigned; the job runs on", async () => {
  expect(lastJob).not.toBe('');
  const { rest } = cluster;
  await buildKubeRouter();
  await startKubeRouter();
  await rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: intruderNamespace } }, TEST_MANAGER);
  const pods = [clientPod(intruderNamespace, 'intruder', {}), clientPod(tenantA, 'bystander', {}), clientPod(tenantA, 'impostor', { 'millrace.dev/deployment': NAME })];
  for (const p of pods) await rest.apply(p, TEST_MANAGER);
  for (const p of pods) await kubectl('wait', '-n', p.metadata.namespace, '--for=condition=Ready', `pod/${p.metadata.name}`, '--timeout=180s');
  const before = await podsOf(tenantA);
  const ipOf = (component: string) => (before.find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component)!.status as { podIP: string }).podIP;
  const jm = ipOf('jobmanager');
  const tm = ipOf('taskmanager');
  const attacks: Array<[string, number, string]> = [
    [jm, JOBMANAGER_REST_PORT, '/jobs'],
    [jm, JOBMANAGER_REST_PORT, `/jobs/${lastJob}/savepoints`],
    [jm, JOBMANAGER_REST_PORT, '/internal/taskmanagers'],
    [tm, TASKMANAGER_PORT, '/internal/cancel'],
  ];

  // kube-router applies the operator's policy within a sync: wait until it drops B's first attack.
  await waitFor('the intruder dropped at the JobManager', async () => (await post(intruderNamespace, 'intruder', jm, JOBMANAGER_REST_PORT, '/jobs')) === undefined, 120_000, 500);
  for (const [ip, port, path] of attacks) {
    expect(await post(intruderNamespace, 'intruder', ip, port, path)).toBeUndefined();
    expect(await post(tenantA, 'bystander', ip, port, path)).toBeUndefined();
    const refused = await post(tenantA, 'impostor', ip, port, path);
    expect(refused).toMatch(/^HTTP\/1\.[01] 40[13] /);
    expect(refused).toContain('MR_ERR_AUTH_');
  }

  // Nothing lost: the same JobManager pod, never restarted, still runs the same job.
  const d = await getWithStatus(rest, 'Deployment', NAME, tenantA);
  expect(d?.status?.job).toMatchObject({ id: lastJob, state: 'RUNNING' });
  const after = await jobManagerPod(tenantA);
  const jmBefore = before.find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager')!;
  expect(after?.metadata.uid).toBe(jmBefore.metadata.uid);
  const restarts = (p: KubeObject | undefined) => (p?.status as { containerStatuses?: Array<{ restartCount: number }> } | undefined)?.containerStatuses?.[0]?.restartCount;
  expect(restarts(after)).toBe(restarts(jmBefore));
}, 300_000);

// Issue 14 (tests): the viewer-level exfiltration. An editor's pipeline whose file source reads the
// S3 credentials mounted into the pods and prints them (viewers read pod logs) does not build on
// the real JobManager pod: the JobManager exits with MR_ERR_FILE_PATH_NOT_ALLOWED, the Deployment
// fails at once (JobBuildFailed: the same spec would fail the same way, so no crash loop until the
// progress deadline), its status names the refused path, and the key is in no status, Event or pod log.
const EXFILTRATION = 'name: fenced\nsource: { type: file, path: /var/run/secrets/millrace/s3/AWS_SECRET_ACCESS_KEY }\nsink: { type: print }\n';

test('a pipeline that reads the mounted S3 credentials into its output does not build: the status names the path, the key is nowhere', async () => {
  expect(lastJob).not.toBe('');
  const { rest } = cluster;
  const credentials = await rest.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace: tenantA, name: 'millrace-s3-credentials' });
  const secretKey = Buffer.from(credentials.data.AWS_SECRET_ACCESS_KEY!, 'base64').toString('utf8');
  expect(secretKey.length).toBeGreaterThan(8);
  // the second test's impostor carries the Deployment's label: gone first, or the upgrade waits for it
  await rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace: tenantA, name: 'impostor' }).catch(() => undefined);
  await waitFor('the impostor pod gone', async () => !(await podsOf(tenantA)).some((p) => p.metadata.name === 'impostor'), 120_000, 500);
  await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace: tenantA, name: NAME }, { spec: { source: { pipeline: EXFILTRATION } } });
  const logs: string[] = [];
  let last: unknown;
  const refusal = (d: Awaited<ReturnType<typeof getWithStatus>>) => d?.status?.conditions?.find((c) => /MR_ERR_FILE_PATH_NOT_ALLOWED/.test(c.message ?? ''));
  const shown = await waitFor('the Deployment Failed with the refused path', async () => {
    // collect the logs of every pod while they exist (the JobManager exits with the refusal)
    for (const pod of await podsOf(tenantA)) logs.push(await kubectl('logs', '-n', tenantA, pod.metadata.name, '--all-containers').catch(() => ''));
    const d = await getWithStatus(rest, 'Deployment', NAME, tenantA);
    last = d?.status;
    return d?.status?.phase === 'Failed' && refusal(d) ? d : undefined;
  }, 240_000, 1000).catch((err: unknown) => { throw new Error(`${String(err)}; last status ${JSON.stringify(last)}`); });
  // The JobManager exits; its second identical exit fails the start (not the progress deadline), naming the path.
  const readyCondition = shown.status?.conditions?.find((c) => c.type === 'Ready');
  expect(readyCondition).toMatchObject({ status: 'False', reason: 'JobBuildFailed', message: expect.stringMatching(/^the job cannot start: pod fenced-jm-\S+: MR_ERR_FILE_PATH_NOT_ALLOWED: .*'\/var\/run\/secrets\/millrace\/s3\/AWS_SECRET_ACCESS_KEY'/) });
  expect(logs.join('\n')).toContain('MR_ERR_FILE_PATH_NOT_ALLOWED');
  expect(logs.join('\n')).not.toContain(secretKey);
  expect(JSON.stringify(shown.status)).not.toContain(secretKey);
  expect(JSON.stringify(await eventsFor(rest, tenantA, NAME))).not.toContain(secretKey);
}, 300_000);
