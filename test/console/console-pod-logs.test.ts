// Live pod logs on the deployment page, on the node tier (a real kubelet serves the log): a pod
// labelled as a Deployment's JobManager writes lines; the editor reads them on the page, the
// viewer through the API (pods/log is in every member role), a member of another namespace gets 403.
import { chromium, type Browser } from 'playwright-core';
import { useNode } from '../cluster/environment.ts';
import { images } from '../cluster/kube/versions.ts';
import { waitFor } from '../operator/support/harness.ts';
import { chromiumPath } from './support/chromium.ts';
import { startConsoleWorld, type ConsoleWorld } from './support/console-fixture.ts';

let world: ConsoleWorld;
let browser: Browser;

beforeAll(async () => {
  await useNode();
  world = await startConsoleWorld();
  await waitFor('the default ServiceAccount', () => world.admin.getOrUndefined({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: world.teamA, name: 'default' }));
  await world.admin.create({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'orders-jobmanager-0', namespace: world.teamA, labels: { 'millrace.dev/deployment': 'orders', 'app.kubernetes.io/component': 'jobmanager' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 65534 },
      containers: [{ name: 'jobmanager', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo "jobmanager of orders started"; i=0; while true; do i=$((i+1)); echo "heartbeat $i"; sleep 1; done'],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    },
  });
  await waitFor('the pod running', async () => (await world.admin.get<{ apiVersion: string; kind: string; metadata: { name: string }; status?: { phase?: string } }>({ apiVersion: 'v1', kind: 'Pod', namespace: world.teamA, name: 'orders-jobmanager-0' })).status?.phase === 'Running', 90_000);
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

test('members read the live log of a deployment\'s pods; other namespaces get 403', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${world.url}/sign-in`);
  await page.getByLabel('Kubernetes bearer token').fill(world.tokens.editor);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${world.url}/`);
  await page.goto(`${world.url}/namespaces/${world.teamA}/deployments/orders`);
  await expect(page.getByTestId('pod-log').first().textContent()).resolves.toContain('jobmanager of orders started');
  // the fragment refreshes: a later heartbeat line appears without reloading the page
  await waitFor('a later heartbeat in the refreshed log', async () => /heartbeat ([5-9]|[1-9][0-9])/.test(await page.getByTestId('pod-log').first().textContent() ?? ''), 20_000);
  await page.context().close();

  const asViewer = await fetch(`${world.url}/api/namespaces/${world.teamA}/deployments/orders/pod-logs`, { headers: { authorization: `Bearer ${world.tokens.viewer}` } });
  expect(asViewer.status).toBe(200);
  const pods = ((await asViewer.json()) as { pods: Array<{ pod: string; component: string; text: string }> }).pods;
  expect(pods.map((p) => [p.pod, p.component])).toEqual([['orders-jobmanager-0', 'jobmanager']]);
  expect(pods[0]!.text).toContain('heartbeat');
  const asOutsider = await fetch(`${world.url}/api/namespaces/${world.teamA}/deployments/orders/pod-logs`, { headers: { authorization: `Bearer ${world.tokens.outsider}` } });
  expect(asOutsider.status).toBe(403);
  expect(((await asOutsider.json()) as { error: { code: string } }).error.code).toBe('MR_ERR_CONSOLE_FORBIDDEN');
}, 60_000);
