// End to end on the node tier: Deployments that cannot start say why, where a person and Argo CD
// look. Four real failures run side by side in one Namespace, in real pods from the project image
// (localhost/millrace:dev) on a real kubelet:
//   - an image that does not exist (ImagePullBackOff, Failed at a short progress deadline),
//   - a job module whose build() throws (the runtime's termination message, JobBuildFailed at once),
//   - an artifact the runtime cannot download (MR_ERR_JOB_LOAD, JobLoadFailed at once),
//   - a JobManager larger than the node (Unschedulable with the scheduler's words, Failed at the deadline),
//   - a job module that needs more memory than its CU give (OOMKilled, Failed at the deadline),
//   - a job module that fills its local storage past what its CU give (the kubelet evicts the pod;
//     Evicted, Failed at the deadline);
// and a Deployment larger than its queue (Queued, with a Queued Event).
// Each shows the phase, the Ready condition's reason and message, one Warning Event for its cause,
// the Argo CD health the chart's Lua check computes from the live object, and its CU freed.
// A second case uses the same Namespace: a Secret listed in spec.secrets deleted after the
// operator's check, then the pods replaced (as after a node drain): the kubelet cannot mount it
// (FailedMount, the pod stays ContainerCreating) and the operator names the Secret (SecretMissing).
// CreateContainerConfigError is not among them: no user action makes it for these pods (their env
// names no Secret or ConfigMap; Secrets come as volumes, and a missing one is that FailedMount with
// the container still ContainerCreating). pod-problems.test.ts covers its classification.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useNode } from '../cluster/environment.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import { evaluateHealth } from '../packaging/support/argocd-health.ts';
import { workspaceSpecSchema } from '../../operator/api/v1alpha1/workspace.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import { resourcePath } from '../../operator/kube/resources.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, eventsFor, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, TEST_PIPELINE, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { clusterIpJobManagers } from './support/cluster-ip-jobmanagers.ts';

const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';
const MISSING_IMAGE = 'localhost/millrace:does-not-exist';
/** A job module that loads but whose build() throws, as a user's bug would. */
const THROWING_JOB = "export default { name: 'throws', build() { throw new Error('build failed on purpose: no source configured'); } };\n";
/** A job module whose build() fills memory (outside the V8 heap) until the kernel kills the container. */
const MEMORY_HUNGRY_JOB = "const kept = []; export default { name: 'hungry', build() { for (;;) kept.push(Buffer.alloc(64 * 1024 * 1024, 1)); } };\n";
/**
 * A job module that spills more to its scratch space (/tmp: an emptyDir of 5 GB at 0.25 CU) than its
 * CU give, in the JobManager, and then keeps loading. fallocate reserves the 5.5 GB without writing them.
 */
const DISK_FILLING_JOB = [
  "import { execFileSync } from 'node:child_process';",
  "if (process.env.MILLRACE_ROLE === 'jobmanager') execFileSync('fallocate', ['-l', '5500M', '/tmp/spill']);",
  'await new Promise(() => {});',
  "export default { name: 'fills-disk', build() {} };",
  '',
].join('\n');

/** A job module that never finishes loading: the Deployment stays Starting while the test acts. */
const HANGING_JOB = "await new Promise(() => {});\nexport default { name: 'hangs', build() {} };\n";

type Live = KubeObject & { status?: { phase?: string; reason?: string; cuInUse?: number; conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };

let cluster: Cluster;
let s3: S3Connection;
let operator: Operator | undefined;
let artifacts: Server | undefined;
let artifactBase = '';
const secretName = unique('e2e-s3');
let workspace = '';
let namespace = '';

beforeAll(async () => {
  const { hostAddress } = await useNode();
  cluster = await useOperatorCluster();
  s3 = await useS3({ hostAddress });
  // Job modules served over HTTP from this host (pods reach it like they reach MinIO).
  artifacts = createServer((req, res) => {
    if (req.url === '/throws.js') { res.writeHead(200, { 'content-type': 'text/javascript' }).end(THROWING_JOB); return; }
    if (req.url === '/hungry.js') { res.writeHead(200, { 'content-type': 'text/javascript' }).end(MEMORY_HUNGRY_JOB); return; }
    if (req.url === '/hangs.js') { res.writeHead(200, { 'content-type': 'text/javascript' }).end(HANGING_JOB); return; }
    if (req.url === '/fills-disk.js') { res.writeHead(200, { 'content-type': 'text/javascript' }).end(DISK_FILLING_JOB); return; }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => artifacts!.listen(0, hostAddress, resolve));
  artifactBase = `http://${hostAddress}:${(artifacts.address() as AddressInfo).port}`;
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(cluster.rest), defaultImage: IMAGE });
}, 600_000);

afterAll(async () => {
  const { rest } = cluster;
  if (workspace) {
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
    await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
      .catch((err: unknown) => process.stderr.write(`[e2e] cleanup incomplete: ${String(err)}\n`));
  }
  await operator?.stop();
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  await new Promise<void>((resolve) => (artifacts ? artifacts.close(() => resolve()) : resolve()));
}, 240_000);

const ready = (d: Live | undefined) => d?.status?.conditions?.find((c) => c.type === 'Ready');
const podsHealthy = (d: Live | undefined) => d?.status?.conditions?.find((c) => c.type === 'PodsHealthy');
const get = async (name: string) => (await getWithStatus(cluster.rest, 'Deployment', name, namespace)) as Live | undefined;
const health = async (d: Live) => (await evaluateHealth([d]))[0];

async function deploy(name: string, spec: Record<string, unknown>): Promise<void> {
  await applyAs(cluster.rest, { apiVersion: API, kind: 'Deployment', metadata: { name, namespace }, spec: { parallelism: 1, jobManager: { cu: 0.25 }, taskManager: { cu: 0.25, slots: 1 }, ...spec } });
}

/** Waits for Failed; on the way, the first status that showed the cause while still Starting. */
async function failedAfterStarting(name: string, reason: string, timeoutMs: number): Promise<{ starting?: Live; failed: Live }> {
  let starting: Live | undefined;
  const failed = await waitFor(`Deployment ${name} Failed`, async () => {
    const d = await get(name);
    if (!starting && d?.status?.phase === 'Starting' && podsHealthy(d)?.reason === reason) starting = d;
    return d?.status?.phase === 'Failed' ? d : undefined;
  }, timeoutMs, 250);
  return { starting, failed };
}

/** Warning Events of the cause (exactly one however many passes saw it), the Failed one; no Starting (a new Deployment's first start: decide.ts). */
async function expectEvents(name: string, cause: string): Promise<void> {
  const events = await waitFor(`Events of ${name}`, async () => {
    const e = await eventsFor(cluster.rest, namespace, name);
    return e.some((x) => x.reason === 'Failed') ? e : undefined;
  }, 30_000, 500);
  expect(events.filter((e) => e.reason === cause)).toEqual([{ type: 'Warning', reason: cause, note: expect.any(String) }]);
  expect(events.filter((e) => e.reason === 'Failed')).toEqual([{ type: 'Warning', reason: 'Failed', note: expect.stringContaining(`start failed (${cause})`) }]);
  expect(events.filter((e) => e.reason === 'Starting')).toHaveLength(0);
}

/** How often the node's kubelet measures pod volumes (its running configuration, /configz). */
async function volumeStatsPeriodSeconds(): Promise<number> {
  const nodes = await cluster.rest.request<{ items: KubeObject[] }>('GET', '/api/v1/nodes');
  const node = nodes.items[0]?.metadata.name ?? 'millrace-node';
  const { kubeletconfig } = await cluster.rest.request<{ kubeletconfig: { volumeStatsAggPeriod?: string } }>('GET', `/api/v1/nodes/${node}/proxy/configz`);
  const m = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(kubeletconfig.volumeStatsAggPeriod ?? '1m0s');
  const seconds = Number(m?.[1] ?? 0) * 60 + Number(m?.[2] ?? 0);
  if (seconds > 5) process.stderr.write(`[e2e] this node's kubelet measures volumes every ${kubeletconfig.volumeStatsAggPeriod}, not test/cluster's 5s: the eviction case waits longer (restart the node tier to get 5s)\n`);
  return seconds || 60;
}

async function expectCapacityFreed(name: string): Promise<void> {
  await waitFor(`${name}: pods gone, CU freed`, async () => {
    const pods = await cluster.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` });
    return pods.items.length === 0 && (await get(name))?.status?.cuInUse === 0;
  }, 60_000, 500);
}

describe('a Deployment that cannot start says why (node tier)', () => {
  test('missing image, build() that throws, an artifact that does not download, JobManager larger than the node, memory beyond the CU, local storage beyond the CU, Deployment larger than its queue', async () => {
    const { rest } = cluster;
    workspace = unique('e2e-fail-ws');
    namespace = unique('e2e-fail');
    // Where Workspaces choose the pods' image (spec.pods), the missing one must be allowed to be tried.
    const pods = 'pods' in workspaceSpecSchema.shape ? { pods: { allowedImages: [MISSING_IMAGE] } } : {};
    await applyAs(rest, {
      apiVersion: API, kind: 'Workspace', metadata: { name: workspace },
      spec: { capacityCU: 8, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix: `${namespace}/`, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } }, ...pods },
    });
    await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
    await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: 8 } });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);

    const throwsUri = `${artifactBase}/throws.js#sha256=${createHash('sha256').update(THROWING_JOB).digest('hex')}`;
    const hungryUri = `${artifactBase}/hungry.js#sha256=${createHash('sha256').update(MEMORY_HUNGRY_JOB).digest('hex')}`;
    const fillsUri = `${artifactBase}/fills-disk.js#sha256=${createHash('sha256').update(DISK_FILLING_JOB).digest('hex')}`;
    // The kubelet measures volumes every volumeStatsAggPeriod (1-2 periods with jitter) and evicts at its next
    // 10 s look (here the first eviction came 17-25 s after the apply, then one every 11 s); the deadline
    // leaves room for that, also on a node started with another period than test/cluster's 5 s.
    const statsPeriod = await volumeStatsPeriodSeconds();
    const fillsDeadline = 40 + 2 * statsPeriod;
    // (a missing bucket artifact now fails before any pod: test/artifacts/artifact-deployment.test.ts; here one the runtime cannot download)
    const s3Uri = `${artifactBase}/artifacts/namespaces/${namespace}/job.js#sha256=${'0'.repeat(64)}`;
    const started = Date.now();
    await Promise.all([
      // 20 s: with seven pods starting at once on a busy node, the kubelet's first pull error can take over 10 s.
      deploy('no-image', { source: { pipeline: TEST_PIPELINE }, image: MISSING_IMAGE, progressDeadlineSeconds: 20 }),
      deploy('throws', { source: { artifact: { uri: throwsUri } }, progressDeadlineSeconds: 60 }),
      deploy('no-artifact', { source: { artifact: { uri: s3Uri } }, progressDeadlineSeconds: 60 }),
      // 3 CU fit the queue (8) but not the 2-CPU node.
      deploy('too-big', { source: { pipeline: TEST_PIPELINE }, jobManager: { cu: 3 }, progressDeadlineSeconds: 10 }),
      deploy('hungry', { source: { artifact: { uri: hungryUri } }, progressDeadlineSeconds: 30 }),
      deploy('fills-disk', { source: { artifact: { uri: fillsUri } }, progressDeadlineSeconds: fillsDeadline }),
      deploy('over-queue', { source: { pipeline: TEST_PIPELINE }, jobManager: { cu: 8 } }),
    ]);

    // Larger than its queue: Queued, why, and a Normal Queued Event.
    const queued = await waitForPhase(rest, 'Deployment', 'over-queue', namespace, 'Queued', 30_000) as Live;
    expect(ready(queued)).toMatchObject({ status: 'False', reason: 'Queued', message: expect.stringMatching(/8\.25 CU/) });
    await waitFor('Queued Event', async () => (await eventsFor(rest, namespace, 'over-queue')).some((e) => e.type === 'Normal' && e.reason === 'Queued'), 15_000, 500);
    expect(await health(queued)).toMatchObject({ status: 'Progressing' });
    await rest.delete({ apiVersion: API, kind: 'Deployment', namespace, name: 'over-queue' });

    const [noImage, throws, noArtifact, tooBig, hungry, fills] = await Promise.all([
      failedAfterStarting('no-image', 'ImagePullBackOff', 90_000),
      failedAfterStarting('throws', 'JobBuildFailed', 90_000),
      failedAfterStarting('no-artifact', 'JobLoadFailed', 90_000),
      failedAfterStarting('too-big', 'Unschedulable', 90_000),
      failedAfterStarting('hungry', 'OOMKilled', 120_000),
      failedAfterStarting('fills-disk', 'Evicted', (fillsDeadline + 60) * 1000),
    ]);
    process.stderr.write(`[e2e] six start-up failures detected in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    // Missing image: Degraded while the kubelet retries, Failed at the deadline with the puller's words.
    expect(noImage.starting).toBeDefined();
    expect(podsHealthy(noImage.starting)?.message).toContain(`cannot pull image ${MISSING_IMAGE}`);
    expect(await health(noImage.starting!)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(/^Starting, but ImagePullBackOff: pod no-image-(jm|tm)-[\w-]+: container (jobmanager|taskmanager): cannot pull image localhost\/millrace:does-not-exist/) });
    expect(ready(noImage.failed)).toMatchObject({ status: 'False', reason: 'ImagePullBackOff', message: expect.stringMatching(/^did not reach Running within 20 s \(spec.progressDeadlineSeconds\): pod no-image-(jm|tm)-.*cannot pull image localhost\/millrace:does-not-exist/) });
    expect(await health(noImage.failed)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(/^Failed: ImagePullBackOff: did not reach Running within 20 s/) });

    // build() throws: the runtime's termination message, failed without waiting for the 60 s deadline.
    expect(ready(throws.failed)).toMatchObject({ reason: 'JobBuildFailed', message: expect.stringMatching(/^the job cannot start: pod throws-jm-\w+: MR_ERR_JOB_INVALID: .*build failed on purpose: no source configured/) });
    expect(await health(throws.failed)).toMatchObject({ status: 'Degraded', message: expect.stringContaining('build failed on purpose') });

    // The s3:// artifact does not load (MR_ERR_JOB_LOAD, or MR_ERR_JOB_URL_REFUSED where the runtime refuses the scheme), naming it.
    expect(ready(noArtifact.failed)).toMatchObject({ reason: 'JobLoadFailed', message: expect.stringMatching(/^the job cannot start: pod no-artifact-jm-\w+: MR_ERR_JOB_(LOAD|URL_REFUSED): /) });
    expect(ready(noArtifact.failed)?.message).toContain(`artifacts/namespaces/${namespace}/job.js`);
    expect(await health(noArtifact.failed)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(/^Failed: JobLoadFailed: the job cannot start: .*MR_ERR_JOB_/) });

    // Larger than the node: the scheduler's message, Failed at the deadline.
    expect(podsHealthy(tooBig.starting)?.message).toMatch(/^pod too-big-(jm|tm)-[\w-]+ cannot be scheduled: 0\/1 nodes are available: .*Insufficient cpu/);
    expect(await health(tooBig.starting!)).toMatchObject({ status: 'Degraded', message: expect.stringContaining('Insufficient cpu') });
    expect(ready(tooBig.failed)).toMatchObject({ reason: 'Unschedulable', message: expect.stringMatching(/^did not reach Running within 10 s \(spec.progressDeadlineSeconds\): pod too-big-jm-\w+ cannot be scheduled: .*Insufficient cpu/) });
    expect(await health(tooBig.failed)).toMatchObject({ status: 'Degraded' });

    // More memory than its CU: the kernel's OOM kill, named with the fix, Failed at the deadline.
    expect(podsHealthy(hungry.starting)?.message).toMatch(/^pod hungry-(jm|tm)-[\w-]+: container (jobmanager|taskmanager) was killed for exceeding its memory limit.*; give it more CU/);
    expect(await health(hungry.starting!)).toMatchObject({ status: 'Degraded', message: expect.stringContaining('exceeding its memory limit') });
    expect(ready(hungry.failed)).toMatchObject({ reason: 'OOMKilled', message: expect.stringMatching(/^did not reach Running within 30 s \(spec.progressDeadlineSeconds\): .*exceeding its memory limit/) });

    // More local storage than its CU: the kubelet evicts the pod and the operator replaces it at once,
    // yet the cause keeps speaking until the deadline, where the start fails with it.
    const evictedMessage = /^pod fills-disk-jm-\w+ was evicted: Usage of EmptyDir volume "scratch" exceeds the limit "5G"\. \(local storage, \/tmp included, is 20 GB per CU: give it more CU or write less there\)/;
    expect(podsHealthy(fills.starting)?.message).toMatch(evictedMessage);
    expect(await health(fills.starting!)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(/^Starting, but Evicted: pod fills-disk-jm-\w+ was evicted: Usage of EmptyDir volume "scratch"/) });
    expect(ready(fills.failed)).toMatchObject({ reason: 'Evicted', message: expect.stringMatching(new RegExp(`^did not reach Running within ${fillsDeadline} s \\(spec.progressDeadlineSeconds\\): pod fills-disk-jm-\\w+ was evicted: Usage of EmptyDir volume "scratch" exceeds the limit "5G"`)) });
    expect(await health(fills.failed)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(/^Failed: Evicted: did not reach Running/) });

    for (const [name, cause] of [['no-image', 'ImagePullBackOff'], ['throws', 'JobBuildFailed'], ['no-artifact', 'JobLoadFailed'], ['too-big', 'Unschedulable'], ['hungry', 'OOMKilled'], ['fills-disk', 'Evicted']] as const) {
      await expectEvents(name, cause);
      await expectCapacityFreed(name);
    }
    // A failed start does not hold the queue's capacity.
    await waitFor('queue usage back to 0', async () => (await getWithStatus(rest, 'Queue', 'default-queue', namespace))?.status?.usedCU === 0, 60_000, 500);

    // Failed stays Failed (with its cause) until the spec changes; a change starts again.
    const stays = await get('throws');
    expect({ phase: stays?.status?.phase, reason: ready(stays)?.reason }).toEqual({ phase: 'Failed', reason: 'JobBuildFailed' });
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'throws' }, { spec: { state: 'suspended' } });
    await waitForPhase(rest, 'Deployment', 'throws', namespace, 'Suspended', 30_000);
  }, 600_000);

  test('a Secret deleted after the check: the replaced pods cannot mount it, and the Deployment names it (SecretMissing) until it fails at the deadline', async () => {
    const { rest } = cluster;
    expect(namespace).not.toBe(''); // the Namespace of the test above
    const name = 'secret-gone';
    await rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'conn', namespace, labels: { 'millrace.dev/job-secret': 'true' } }, stringData: { password: 'p' } }, TEST_MANAGER);
    // The pods are made, deleted and made again, and wait 5 s before their Secrets are looked at (a few
    // seconds more under load): 25 s leaves room for that before the deadline.
    const secretDeadline = 25;
    const hangsUri = `${artifactBase}/hangs.js#sha256=${createHash('sha256').update(HANGING_JOB).digest('hex')}`;
    await deploy(name, { source: { artifact: { uri: hangsUri } }, secrets: ['conn'], progressDeadlineSeconds: secretDeadline });
    // The check before the pods passed: they exist and the start is on.
    const podsOf = async () => (await rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;
    const first = await waitFor('pods made', async () => { const p = await podsOf(); return p.length === 2 && (await get(name))?.status?.phase === 'Starting' ? p : undefined; }, 30_000, 250);
    // Then the Secret goes, and the pods with it, as a node drain would take them: the operator makes them again.
    await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace, name: 'conn' });
    await Promise.all(first.map((p) => rest.request('DELETE', resourcePath({ apiVersion: 'v1', kind: 'Pod', namespace, name: p.metadata.name }), { body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 } })));

    const { starting, failed } = await failedAfterStarting(name, 'SecretMissing', 60_000);
    const missing = /^pod secret-gone-(jm|tm)-[\w-]+ cannot start: Secret 'conn' \(spec.secrets\[0\]\) does not exist in namespace [\w-]+, so the kubelet cannot mount it \(FailedMount\) and the pod stays ContainerCreating; create it again/;
    expect(starting).toBeDefined();
    expect(podsHealthy(starting)?.message).toMatch(missing);
    expect(ready(starting)).toMatchObject({ status: 'False', reason: 'SecretMissing', message: expect.stringContaining('retrying until') });
    expect(await health(starting!)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(/^Starting, but SecretMissing: pod secret-gone-/) });
    // The progress deadline still applies, and the cause is the one it fails with (the Failed Event says so).
    // Once its pods are gone, a listed Secret that is still missing is what the check before pods says
    // (SecretNotFound): the Deployment starts again by itself when the Secret is back.
    expect(await health(failed)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(new RegExp(`^Failed: (SecretMissing: did not reach Running within ${secretDeadline} s|spec.secrets\\[0\\]: Secret 'conn' does not exist)`)) });
    const settled = await waitFor('Failed with the check before pods', async () => { const d = await get(name); return ready(d)?.reason === 'SecretNotFound' ? d : undefined; }, 15_000, 250);
    expect(ready(settled)?.message).toMatch(/^spec.secrets\[0\]: Secret 'conn' does not exist in namespace [\w-]+; create it .*; the Deployment starts once it can$/);
    expect(await health(settled)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(/^Failed: spec.secrets\[0\]: Secret 'conn' does not exist/) });
    await expectEvents(name, 'SecretMissing');
    const events = await eventsFor(rest, namespace, name);
    expect(events.find((e) => e.reason === 'Failed')?.note).toMatch(new RegExp(`^start failed \\(SecretMissing\\): did not reach Running within ${secretDeadline} s \\(spec.progressDeadlineSeconds\\): pod secret-gone-(jm|tm)-[\\w-]+ cannot start: Secret 'conn'`));
    expect(events.filter((e) => e.reason === 'SecretNotFound')).toEqual([{ type: 'Warning', reason: 'SecretNotFound', note: ready(settled)?.message }]);
    // What the operator reported is what the kubelet met: FailedMount on a replaced pod, naming the Secret.
    const replaced = (starting?.status?.conditions?.find((c) => c.type === 'PodsHealthy')?.message ?? '').split(' ')[1] ?? '';
    expect(first.map((p) => p.metadata.name)).toContain(replaced); // same name, a new pod
    const kubelet = await eventsFor(rest, namespace, replaced);
    expect(kubelet.filter((e) => e.reason === 'FailedMount').map((e) => e.note)).toContainEqual(expect.stringContaining('secret "conn" not found'));
    await expectCapacityFreed(name);
  }, 120_000);
});
