// Attack: a pod in namespace B (any tenant's job, or anything else running in the cluster)
// connects to the JobManager REST port or a TaskManager port of a Deployment in namespace A;
// so does a pod of another Deployment in A. Expected: the operator's NetworkPolicy of the
// Deployment (operator/controllers/deployment/network-policy.ts) drops those connections while the
// Deployment's own pods still connect. Proved by traffic on the node tier, with kube-router's
// firewall enforcing NetworkPolicy (test/cluster/kube/kube-router.ts; started and cleaned up here).
// Before the policy exists the same connections succeed, so the test can fail.
// The servers are busybox httpd on the ports the runtime uses (8081 REST, 6122 TaskManager),
// labelled as the operator labels a Deployment's pods; the policy is the operator's, unchanged.
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { useNode } from '../cluster/environment.ts';
import { run, tryRun } from '../cluster/kube/commands.ts';
import { buildKubeRouter, startKubeRouter, stopKubeRouter } from '../cluster/kube/kube-router.ts';
import { kubeBinary } from '../cluster/kube/layout.ts';
import { images } from '../cluster/kube/versions.ts';
import { deploymentSchema } from '../../operator/api/v1alpha1/deployment.ts';
import { desiredNetworkPolicy } from '../../operator/controllers/deployment/network-policy.ts';
import { JOBMANAGER_REST_PORT, TASKMANAGER_PORT } from '../../operator/controllers/deployment/desired.ts';

const suffix = randomBytes(3).toString('hex');
const nsA = `np-a-${suffix}`;
const nsB = `np-b-${suffix}`;
let kubeconfigPath = '';

const kubectlBinary = () => (process.env.KUBECONFIG ? 'kubectl' : kubeBinary('kubectl'));
const kubectl = (ns: string, args: string[], input?: string) => run(kubectlBinary(), ['--kubeconfig', kubeconfigPath, '-n', ns, ...args], { input });

function pod(name: string, labels: Record<string, string>, command: string) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'main', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', command], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    },
  };
}
const server = (name: string, labels: Record<string, string>, port: number) =>
  pod(name, labels, `mkdir -p /tmp/www && echo ${name} > /tmp/www/index.html && exec httpd -f -p ${port} -h /tmp/www`);
const client = (name: string, labels: Record<string, string>) => pod(name, labels, 'exec sleep 3600');

const orders = { 'millrace.dev/deployment': 'orders' };
const ips: Record<string, string> = {};

/** An HTTP GET from a pod: the body, or undefined when no connection is made within 3 s. */
async function get(fromNs: string, from: string, ip: string, port: number): Promise<string | undefined> {
  const r = await tryRun(kubectlBinary(), ['--kubeconfig', kubeconfigPath, '-n', fromNs, 'exec', from, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} ${port}`]);
  if (r.code !== 0 || !r.stdout.includes('\r\n\r\n')) return undefined;
  return r.stdout.slice(r.stdout.indexOf('\r\n\r\n') + 4).trim();
}

/** Polls until `check` holds (kube-router applies a policy within a sync, not instantly). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  ({ kubeconfigPath } = await useNode());
  await buildKubeRouter();
  await startKubeRouter();
  for (const ns of [nsA, nsB]) await run(kubectlBinary(), ['--kubeconfig', kubeconfigPath, 'create', 'namespace', ns]);
  await kubectl(nsA, ['apply', '-f', '-'], [
    server('jobmanager', { ...orders, 'app.kubernetes.io/component': 'jobmanager' }, JOBMANAGER_REST_PORT),
    server('taskmanager', { ...orders, 'app.kubernetes.io/component': 'taskmanager' }, TASKMANAGER_PORT),
    client('same-deployment', { ...orders, 'app.kubernetes.io/component': 'taskmanager' }),
    client('other-deployment', { 'millrace.dev/deployment': 'payments' }),
  ].map((o) => stringify(o)).join('---\n'));
  await kubectl(nsB, ['apply', '-f', '-'], stringify(client('intruder', {})));
  for (const [ns, name] of [[nsA, 'jobmanager'], [nsA, 'taskmanager'], [nsA, 'same-deployment'], [nsA, 'other-deployment'], [nsB, 'intruder']] as const) {
    await kubectl(ns, ['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=120s']);
  }
  for (const name of ['jobmanager', 'taskmanager']) ips[name] = (await kubectl(nsA, ['get', 'pod', name, '-o', 'jsonpath={.status.podIP}'])).trim();
}, 15 * 60_000);

afterAll(async () => {
  if (kubeconfigPath) for (const ns of [nsA, nsB]) await tryRun(kubectlBinary(), ['--kubeconfig', kubeconfigPath, 'delete', 'namespace', ns, '--wait=false']);
  await stopKubeRouter();
}, 120_000);

test("without the policy another namespace reaches the Deployment's ports (the attack works on an unprotected pod)", async () => {
  expect(await get(nsB, 'intruder', ips.jobmanager!, JOBMANAGER_REST_PORT)).toBe('jobmanager');
  expect(await get(nsB, 'intruder', ips.taskmanager!, TASKMANAGER_PORT)).toBe('taskmanager');
}, 60_000);

test("with the operator's NetworkPolicy: B and other Deployments are refused, the same Deployment's pods connect", async () => {
  const d = deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: nsA }, spec: { source: { pipeline: 'p' } } });
  const policy = desiredNetworkPolicy(d, { owner: { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'x', controller: true, blockOwnerDeletion: true }, operatorNamespace: 'millrace-system', apiServerAddresses: [] });
  // No owner here: the garbage collector would remove a policy whose owner does not exist.
  await kubectl(nsA, ['apply', '-f', '-'], stringify({ ...policy, metadata: { ...policy.metadata, ownerReferences: undefined } }));

  await until('the intruder to be refused at the JobManager', async () => (await get(nsB, 'intruder', ips.jobmanager!, JOBMANAGER_REST_PORT)) === undefined);
  expect(await get(nsB, 'intruder', ips.taskmanager!, TASKMANAGER_PORT)).toBeUndefined();
  expect(await get(nsA, 'other-deployment', ips.jobmanager!, JOBMANAGER_REST_PORT)).toBeUndefined();
  expect(await get(nsA, 'other-deployment', ips.taskmanager!, TASKMANAGER_PORT)).toBeUndefined();
  expect(await get(nsA, 'same-deployment', ips.jobmanager!, JOBMANAGER_REST_PORT)).toBe('jobmanager');
  expect(await get(nsA, 'same-deployment', ips.taskmanager!, TASKMANAGER_PORT)).toBe('taskmanager');
}, 120_000);
