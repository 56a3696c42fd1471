// `helm install`, upgrade and uninstall of charts/millrace on the node tier, as a person would
// use them: the operator pods run from the project image (non-root, read-only root), one of two
// replicas leads, the examples of examples/kubernetes/ applied in order are reconciled by the
// pod, the Argo CD health checks read the objects the operator really wrote, and `helm
// uninstall` removes what the release made (the CRDs stay, as Helm does).
//
// The cluster is shared: the release, its namespace and Lease are unique, the operator only
// watches objects with this run's label (watchSelector), and everything made here is deleted.
import { randomBytes } from 'node:crypto';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { stringify } from 'yaml';
import { memberClusterRoles } from '../../operator/rbac/member-roles.ts';
import { useNode } from '../cluster/environment.ts';
import { requireNodeImage } from '../cluster/image/node-image.ts';
import { run, tryRun } from '../cluster/kube/commands.ts';
import { kubeBinary } from '../cluster/kube/layout.ts';
import { s3Client } from '../cluster/s3/bucket.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import { waitFor } from '../operator/support/wait.ts';
import { evaluateHealth } from './support/argocd-health.ts';
import { localize, readExamples } from './support/examples.ts';
import type { ExampleFile, ExampleObject } from './support/examples.ts';
import { CHART, helm } from './support/helm.ts';

// The image under test: the one `npm run image:build` makes, unless MILLRACE_TEST_IMAGE names another.
const IMAGE = process.env.MILLRACE_TEST_IMAGE ?? 'localhost/millrace:dev';
const suffix = randomBytes(3).toString('hex');
const release = `mr-pkg-${suffix}`;
const namespace = `millrace-pkg-${suffix}`;
const leaseName = `lease-${suffix}`;
const watchLabel = { 'millrace.dev/packaging-test': suffix };
const s3Prefix = `packaging-${suffix}/`;

let kubeconfig = '';
let s3: S3Connection | undefined;
let installed = false;
let examples: ExampleFile[] = [];

const kubectlBinary = () => (process.env.KUBECONFIG ? 'kubectl' : kubeBinary('kubectl'));
const kubectl = (args: string[], input?: string) => run(kubectlBinary(), ['--kubeconfig', kubeconfig, ...args], { input });
const getJson = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
const objects = () => examples.flatMap((f) => f.objects);
const example = (kind: string) => objects().find((o) => o.kind === kind) as ExampleObject;
const exampleNamespace = () => example('Namespace').metadata.name;

type Live = ExampleObject & { metadata: { generation?: number }; status?: { phase?: string; observedGeneration?: number } & Record<string, unknown> };
const resourceOf: Record<string, string> = { Workspace: 'workspaces.millrace.dev', Namespace: 'millracenamespaces.millrace.dev', Queue: 'queues.millrace.dev', Deployment: 'deployments.millrace.dev', Savepoint: 'savepoints.millrace.dev' };
async function live(kind: string, name: string, ns?: string): Promise<Live> {
  return getJson<Live>([resourceOf[kind] ?? kind, name, ...(ns ? ['-n', ns] : [])]);
}
async function waitForPhase(kind: string, name: string, ns: string | undefined, phases: string[], timeoutMs = 120_000): Promise<Live> {
  return waitFor(`${kind} ${name} in phase ${phases.join(' or ')}`, async () => {
    const o = await live(kind, name, ns);
    return o.status && o.status.observedGeneration === o.metadata.generation && phases.includes(o.status.phase ?? '') ? o : undefined;
  }, timeoutMs, 1000);
}

interface Pod { metadata: { name: string }; spec: { containers: Array<{ image: string; args?: string[] }> }; status: { phase?: string; conditions?: Array<{ type: string; status: string }> } }
const operatorPods = async () => (await getJson<{ items: Pod[] }>(['pods', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`])).items;
const isReady = (p: Pod) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
// Helm installs the CRDs into a cluster that has none. In a cluster where they exist (other
// tests keep them current from crds/), it must not become a co-owner of their fields.
const crdsExist = async () => (await tryRun(kubectlBinary(), ['--kubeconfig', kubeconfig, 'get', 'crd', 'workspaces.millrace.dev'])).code === 0;
const metricsOf = (pod: string) => kubectl(['get', '--raw', `/api/v1/namespaces/${namespace}/pods/${pod}:8080/proxy/metrics`]);

beforeAll(async () => {
  let hostAddress: string;
  ({ kubeconfigPath: kubeconfig, hostAddress } = await useNode());
  await requireNodeImage(IMAGE);
  s3 = await useS3({ hostAddress });
  // The member ClusterRoles have cluster-wide names that other tests and releases share: make
  // sure they exist, outside this release, and install with memberRoles.create=false
  // (chart.test.ts checks what the chart renders for them).
  await kubectl(['apply', '--server-side', '--field-manager', 'millrace-tests', '-f', '-'], memberClusterRoles().map((r) => stringify(r)).join('---\n'));
  examples = localize(await readExamples(), {
    suffix, secretNamespace: namespace, labels: watchLabel,
    s3: { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, prefix: s3Prefix },
  });
  const colon = IMAGE.lastIndexOf(':');
  const notes = await helm(['install', release, CHART, '--namespace', namespace, '--create-namespace', '--wait', '--timeout', '300s', ...(await crdsExist() ? ['--skip-crds'] : []),
    '--set', `image.repository=${IMAGE.slice(0, colon)}`, '--set', `image.tag=${IMAGE.slice(colon + 1)}`,
    '--set', 'replicas=2', '--set', `leaderElection.leaseName=${leaseName}`, '--set', 'memberRoles.create=false',
    '--set', `watchSelector=${Object.entries(watchLabel).map(([k, v]) => `${k}=${v}`).join(',')}`,
    // The shared node is nearly full; the operator needs little CPU.
    '--set', 'resources.requests.cpu=20m'], { kubeconfig });
  installed = true;
  // NOTES.txt tells a newcomer what to run next, with this release's names.
  expect(notes).toContain(`kubectl -n ${namespace} rollout status deployment/${release}-millrace`);
  expect(notes).toContain(`get lease ${leaseName}`);
  expect(notes).toContain(`labelled ${Object.entries(watchLabel).map(([k, v]) => `${k}=${v}`).join(',')}`);
}, 15 * 60_000);

afterAll(async () => {
  if (!kubeconfig) return;
  // Millrace objects first, while the operator still runs to remove its finalizers.
  const k = (args: string[]) => tryRun(kubectlBinary(), ['--kubeconfig', kubeconfig, ...args]);
  // A test that failed while the operator was scaled to zero must not leave finalizers stuck.
  if (installed) await k(['scale', 'deployment', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '--replicas=2']);
  for (const { objects: objs } of [...examples].reverse()) {
    for (const o of objs) await k(['delete', o.kind === 'Secret' ? 'secret' : resourceOf[o.kind] ?? o.kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '--ignore-not-found', '--wait=true', '--timeout=120s']);
  }
  const exampleNs = examples.length ? exampleNamespace() : undefined;
  if (installed && exampleNs) {
    await waitFor(`the Kubernetes namespace ${exampleNs} to be gone`, async () => (await k(['get', 'namespace', exampleNs])).code !== 0, 180_000, 1000).catch(() => undefined);
  }
  if (installed) await helm(['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '120s'], { kubeconfig }).catch(() => undefined);
  await k(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
  if (s3) {
    const client = s3Client(s3);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: s3Prefix }));
    const keys = (listed.Contents ?? []).map((c) => ({ Key: c.Key as string }));
    if (keys.length) await client.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: keys } }));
  }
}, 10 * 60_000);

test('the operator runs from the image as uid 10001 on a read-only root file system, two replicas Ready', async () => {
  const pods = await waitFor('two Ready operator pods', async () => {
    const p = await operatorPods();
    return p.length === 2 && p.every(isReady) ? p : undefined;
  }, 180_000, 1000);
  expect(pods.map((p) => p.spec.containers[0]?.image)).toEqual([IMAGE, IMAGE]);
  const pod = pods[0]?.metadata.name ?? '';
  expect((await kubectl(['exec', '-n', namespace, pod, '--', 'id', '-u'])).trim()).toBe('10001');
  const write = await tryRun(kubectlBinary(), ['--kubeconfig', kubeconfig, 'exec', '-n', namespace, pod, '--', 'sh', '-c', 'echo x > /opt/millrace/x']);
  expect(write.code).not.toBe(0);
  expect(write.stderr).toMatch(/Read-only file system/);
}, 240_000);

test('one replica holds the release Lease and leads; the other stands by', async () => {
  const pods = (await operatorPods()).map((p) => p.metadata.name);
  const holder = await waitFor('the Lease to have a holder', async () => {
    const lease = await getJson<{ spec: { holderIdentity?: string } }>(['lease', leaseName, '-n', namespace]);
    return lease.spec.holderIdentity || undefined;
  }, 120_000, 1000);
  expect(pods).toContain(holder);
  // The metric follows the Lease within a moment.
  const leading = await waitFor('exactly one replica reporting millrace_operator_is_leader 1', async () => {
    const flags = await Promise.all(pods.map(async (p) => /^millrace_operator_is_leader 1$/m.test(await metricsOf(p))));
    return flags.filter(Boolean).length === 1 ? flags : undefined;
  }, 60_000, 1000);
  expect(pods[leading.indexOf(true)]).toBe(holder);
}, 180_000);

test('helm upgrade replaces both replicas and the Lease passes to a new one', async () => {
  const before = (await operatorPods()).map((p) => p.metadata.name);
  await helm(['upgrade', release, CHART, '--namespace', namespace, '--reuse-values', '--set', 'logLevel=debug', '--wait', '--timeout', '300s', ...(await crdsExist() ? ['--skip-crds'] : [])], { kubeconfig });
  const after = await waitFor('two Ready replicas of the new revision', async () => {
    const p = await operatorPods();
    return p.length === 2 && p.every(isReady) && p.every((x) => !before.includes(x.metadata.name)) ? p.map((x) => x.metadata.name) : undefined;
  }, 180_000, 1000);
  const holder = await waitFor('a new replica to hold the Lease', async () => {
    const lease = await getJson<{ spec: { holderIdentity?: string } }>(['lease', leaseName, '-n', namespace]);
    return after.includes(lease.spec.holderIdentity ?? '') ? lease.spec.holderIdentity : undefined;
  }, 120_000, 1000);
  expect(after).toContain(holder);
  const deployments = await getJson<{ items: Array<{ spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } } }> }>(['deployment', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`]);
  expect(deployments.items[0]?.spec.template.spec.containers[0]?.env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
}, 420_000);

describe('the examples, applied in order', () => {
  beforeAll(async () => {
    if (!installed) throw new Error('the chart did not install; nothing to reconcile the examples');
    for (const { objects: objs } of examples) await kubectl(['apply', '-f', '-'], objs.map((o) => stringify(o)).join('---\n'));
  }, 120_000);

  test('the workspace reaches its bucket: Ready, and Argo CD sees it Healthy', async () => {
    const ws = await waitForPhase('Workspace', example('Workspace').metadata.name, undefined, ['Ready']);
    const [health] = await evaluateHealth([ws]);
    expect(health).toMatchObject({ status: 'Healthy' });
  }, 180_000);

  test('the namespace is provisioned with its quota, members and default-queue; the queue is enforced', async () => {
    const ns = exampleNamespace();
    const mns = await waitForPhase('Namespace', ns, undefined, ['Active']);
    const queue = await waitForPhase('Queue', example('Queue').metadata.name, ns, ['Active']);
    const defaultQueue = await waitForPhase('Queue', 'default-queue', ns, ['Active']);
    expect((defaultQueue.spec as { cu: number }).cu).toBe((example('Namespace').spec as { quotaCU: number }).quotaCU - (example('Queue').spec as { cu: number }).cu);
    const bindings = await getJson<{ items: Array<{ roleRef: { name: string }; subjects?: Array<{ kind: string; name: string }> }> }>(['rolebindings', '-n', ns]);
    // the members of the example, and the operator's own rights in the namespace it made (issue 14:
    // its ServiceAccount bound to the release's tenant role here only)
    expect(bindings.items.flatMap((b) => (b.subjects ?? []).map((s) => `${s.kind} ${s.name}: ${b.roleRef.name}`)).sort())
      .toEqual(['Group analysts: millrace-viewer', `ServiceAccount ${release}-millrace: ${release}-millrace-tenant`, 'User alice: millrace-owner']);
    expect(await evaluateHealth([mns, queue, defaultQueue])).toEqual([expect.objectContaining({ status: 'Healthy' }), expect.objectContaining({ status: 'Healthy' }), expect.objectContaining({ status: 'Healthy' })]);
  }, 240_000);

  test('the deployment is admitted, its pods are made for the example job, which loads from the image; Argo CD follows its phase', async () => {
    const ns = exampleNamespace();
    const name = example('Deployment').metadata.name;
    // Starting until the JobManager reports the job running: on a busy shared node the pods may
    // wait for CPU, so Running is not required here (test/e2e runs jobs end to end).
    const dep = await waitForPhase('Deployment', name, ns, ['Starting', 'Running'], 180_000);
    const pods = (await getJson<{ items: Pod[] }>(['pods', '-n', ns, '-l', `millrace.dev/deployment=${name}`])).items;
    expect(pods.map((p) => p.metadata.name).sort()).toEqual([expect.stringMatching(new RegExp(`^${name}-jm-`)), expect.stringMatching(new RegExp(`^${name}-tm-.*-0$`))]);
    const jm = pods.find((p) => p.metadata.name.includes('-jm-'));
    expect(jm?.spec.containers[0]?.image).toBe(IMAGE);
    expect(jm?.spec.containers[0]?.args).toEqual(expect.arrayContaining(['--job', 'file:///opt/millrace/examples/kubernetes/jobs/bids-per-auction.ts']));
    // The artifact resolves inside the image: the job module loads there and names itself.
    const operatorPod = (await operatorPods())[0]?.metadata.name ?? '';
    const loaded = await kubectl(['exec', '-n', namespace, operatorPod, '--', 'node', '--input-type=module', '-e',
      `const m = await import(${JSON.stringify(jm?.spec.containers[0]?.args?.[(jm?.spec.containers[0]?.args?.indexOf('--job') ?? 0) + 1])}); console.log(m.default.name)`]);
    expect(loaded.trim()).toBe('bids-per-auction');
    const [health] = await evaluateHealth([dep]);
    expect(health?.status).toBe(dep.status?.phase === 'Running' ? 'Healthy' : 'Progressing');
  }, 240_000);

  test('the savepoint is taken up by the operator, and Argo CD reads its phase', async () => {
    const sp = await waitForPhase('Savepoint', example('Savepoint').metadata.name, exampleNamespace(), ['Pending', 'InProgress', 'Completed', 'Failed']);
    const [health] = await evaluateHealth([sp]);
    expect(health?.status).toBe({ Pending: 'Progressing', InProgress: 'Progressing', Completed: 'Healthy', Failed: 'Degraded' }[sp.status?.phase ?? '']);
  }, 180_000);

  test('a suspended deployment frees its pods, and Argo CD shows it Suspended', async () => {
    const ns = exampleNamespace();
    const name = example('Deployment').metadata.name;
    await kubectl(['patch', resourceOf.Deployment ?? '', name, '-n', ns, '--type', 'merge', '-p', '{"spec":{"state":"suspended"}}']);
    const dep = await waitForPhase('Deployment', name, ns, ['Suspended']);
    await waitFor('the deployment pods to be gone', async () => (await getJson<{ items: Pod[] }>(['pods', '-n', ns, '-l', `millrace.dev/deployment=${name}`])).items.length === 0, 120_000, 1000);
    const [health] = await evaluateHealth([dep]);
    expect(health).toMatchObject({ status: 'Suspended', message: expect.stringContaining('Suspended') });
  }, 240_000);

  test('while no operator runs, a changed spec shows as Progressing (stale status); it turns Healthy once reconciled', async () => {
    const ns = exampleNamespace();
    const name = example('Queue').metadata.name;
    await kubectl(['scale', 'deployment', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '--replicas=0']);
    await waitFor('the operator pods to be gone', async () => (await operatorPods()).length === 0, 120_000, 1000);
    // A size the namespace's quota allows (the examples give it 1.5 CU), so the change is accepted.
    await kubectl(['patch', resourceOf.Queue ?? '', name, '-n', ns, '--type', 'merge', '-p', '{"spec":{"cu":1.25}}']);
    const stale = await live('Queue', name, ns);
    const [before] = await evaluateHealth([stale]);
    expect(before).toMatchObject({ status: 'Progressing', message: expect.stringContaining(`the spec is at generation ${stale.metadata.generation}`) });
    await kubectl(['scale', 'deployment', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '--replicas=2']);
    const reconciled = await waitForPhase('Queue', name, ns, ['Active'], 180_000);
    expect((reconciled.spec as { cu: number }).cu).toBe(1.25);
    const [after] = await evaluateHealth([reconciled]);
    expect(after?.status).toBe('Healthy');
  }, 420_000);
});

test('helm uninstall removes the release objects; the CRDs stay', async () => {
  // Millrace objects go first, while the operator runs (their finalizers are its to remove).
  for (const { objects: objs } of [...examples].reverse()) {
    for (const o of objs) {
      await kubectl(['delete', o.kind === 'Secret' ? 'secret' : resourceOf[o.kind] ?? o.kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '--ignore-not-found', '--timeout=180s']);
    }
  }
  // The operator must outlive the Kubernetes namespace of the example: it removes the finalizer
  // of the queues there as they are deleted with it.
  await waitFor(`the Kubernetes namespace ${exampleNamespace()} to be gone`, async () =>
    (await tryRun(kubectlBinary(), ['--kubeconfig', kubeconfig, 'get', 'namespace', exampleNamespace()])).code !== 0, 180_000, 1000);
  await helm(['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '180s'], { kubeconfig });
  installed = false;
  const left = await tryRun(kubectlBinary(), ['--kubeconfig', kubeconfig, 'get', 'clusterrole,clusterrolebinding', `${release}-millrace`, '--ignore-not-found', '-o', 'name']);
  expect(left.stdout.trim()).toBe('');
  await waitFor('the operator Deployment and pods to be gone', async () => (await operatorPods()).length === 0
    && (await getJson<{ items: unknown[] }>(['deployments,services,serviceaccounts,roles,rolebindings', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`])).items.length === 0, 120_000, 1000);
  const crds = await kubectl(['get', 'crd', '-o', 'name']);
  for (const resource of Object.values(resourceOf)) expect(crds).toContain(`customresourcedefinition.apiextensions.k8s.io/${resource}`);
}, 15 * 60_000);
