// Proves the node tier: pods from a locally built image run on a real node, their logs are
// readable, `kubectl exec` works, a Service resolves by its DNS name and carries traffic to
// another pod, and pods reach test servers on this machine's host address.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { useNode } from './environment.ts';
import { run, tryRun } from './kube/commands.ts';
import { kubeBinary } from './kube/layout.ts';
import { images } from './kube/versions.ts';
import { eventually } from './support/kube-clients.ts';

const namespace = `node-test-${randomBytes(3).toString('hex')}`;
let kubeconfigPath = '';
let hostAddress = '';

// Our own kubectl matches the server's version; with an existing cluster, the one on PATH.
const kubectlBinary = () => (process.env.KUBECONFIG ? 'kubectl' : kubeBinary('kubectl'));
const kubectl = (args: string[], input?: string) => run(kubectlBinary(), ['--kubeconfig', kubeconfigPath, '-n', namespace, ...args], { input });

function pod(name: string, command: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 65534 },
      containers: [{
        name: 'main', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', command],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      }],
    },
  };
}

// An HTTP GET from inside pod `from`, with busybox nc (Debian's static busybox wget crashes).
async function httpGetFromPod(from: string, host: string, port: number): Promise<string> {
  const request = `printf 'GET / HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' | nc -w 5 ${host} ${port}`;
  const response = await kubectl(['exec', from, '--', 'sh', '-c', request]);
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

async function waitRunning(name: string): Promise<void> {
  await kubectl(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=120s']);
}

beforeAll(async () => {
  ({ kubeconfigPath, hostAddress } = await useNode());
  await run(kubectlBinary(), ['--kubeconfig', kubeconfigPath, 'create', 'namespace', namespace]);
  const web = pod('web', 'mkdir -p /tmp/www && echo served-by-web > /tmp/www/index.html && exec httpd -f -v -p 8080 -h /tmp/www', { app: 'web' });
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } };
  const client = pod('client', 'echo client-started; exec sleep 3600');
  await kubectl(['apply', '-f', '-'], [web, service, client].map((d) => stringify(d)).join('---\n'));
  await waitRunning('web');
  await waitRunning('client');
}, 15 * 60_000);

afterAll(async () => {
  if (kubeconfigPath) await tryRun(kubectlBinary(), ['--kubeconfig', kubeconfigPath, 'delete', 'namespace', namespace, '--wait=false']);
});

test('a pod from a locally built image runs and its logs are readable', async () => {
  const phase = await kubectl(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}']);
  expect(phase).toBe('Running');
  const image = await kubectl(['get', 'pod', 'client', '-o', 'jsonpath={.status.containerStatuses[0].image}']);
  expect(image).toContain('millrace.local/busybox');
  expect(await kubectl(['logs', 'client'])).toContain('client-started');
}, 120_000);

test('kubectl exec runs a command inside the pod, as the non-root user', async () => {
  expect((await kubectl(['exec', 'client', '--', 'id', '-u'])).trim()).toBe('65534');
}, 120_000);

test('a Service resolves by its DNS name and carries traffic to another pod', async () => {
  const clusterIp = (await kubectl(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  const lookup = await eventually('DNS to answer for the Service', async () => {
    const answer = await kubectl(['exec', 'client', '--', 'nslookup', `web.${namespace}.svc.cluster.local`]);
    return answer.includes(clusterIp) ? answer : undefined;
  });
  expect(lookup).toContain(clusterIp);
  // The short name goes through the pod's search path.
  const body = await eventually('the Service to carry traffic', async () => httpGetFromPod('client', 'web', 80));
  expect(body.trim()).toBe('served-by-web');
  // busybox httpd -v logs each request it answered.
  expect(await kubectl(['logs', 'web'])).toContain('response:200');
}, 120_000);

test('pod traffic is kept on this machine: the FORWARD guard is in place', async () => {
  if (process.env.KUBECONFIG) return; // an existing cluster has its own network policy
  const rule = await tryRun('iptables', ['-w', '-C', 'FORWARD', '-j', 'MILLRACE-FORWARD']);
  expect(rule.code).toBe(0);
  const chain = await run('iptables', ['-w', '-S', 'MILLRACE-FORWARD']);
  expect(chain).toContain('-s 10.244.0.0/16 ! -o cni0');
  expect(chain).toContain('-j DROP');
  // And the pod network has no masquerade rule of ours or of the CNI bridge.
  expect(await run('iptables-save', ['-t', 'nat'])).not.toMatch(/CNI-[0-9a-f]+.*MASQUERADE/);
}, 120_000);

describe('with a test server on the host address', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('hello-from-the-host'));
    await new Promise<void>((resolve) => server.listen(0, hostAddress, resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a pod reaches it', async () => {
    const { port } = server.address() as AddressInfo;
    const body = await httpGetFromPod('client', hostAddress, port);
    expect(body).toBe('hello-from-the-host');
  }, 120_000);
});
