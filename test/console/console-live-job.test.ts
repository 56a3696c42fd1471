// The deployment page of a running job, live: a real JobManager and TaskManagers (runtime
// processes with a Deployment key, as the pods run them) and the real kube-apiserver holding the
// Deployment and its key Secret. The console reads the key with its own service account only
// after the user's access review, signs its requests, and the browser shows the job graph with
// records per second refreshing, and checkpoints with sizes and durations; the editor takes a
// savepoint (a Savepoint object, made with the editor's token); a member of another namespace
// gets 403 and no job data.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { API_VERSION } from '../../operator/api/v1alpha1/meta.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import { SecureCluster } from '../security/support/runtime-cluster.ts';
import { chromiumPath } from './support/chromium.ts';
import { startConsoleWorld, withStatus, type ConsoleWorld } from './support/console-fixture.ts';
import { waitFor } from '../operator/support/harness.ts';

const SHOTS = join(process.env.MILLRACE_TEST_OUTPUT_DIR ?? '.millrace/test-output', 'console');
const JOB = fileURLToPath(new URL('../runtime/fixtures/bid-counts.job.ts', import.meta.url));
let world: ConsoleWorld;
let cluster: SecureCluster;
let browser: Browser;
let jobId: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  cluster = new SecureCluster({ job: JOB, namespace: 'console', deployment: 'live', params: { events: '0', rate: '400', out: mkdtempSync(join(tmpdir(), 'console-live-')) }, checkpointIntervalMs: 1000 });
  await cluster.start();
  jobId = await cluster.jobId();
  // the page shows the job's state as the JobManager has it: wait until its tasks are deployed
  // (on a loaded machine it was still CREATED when the page loaded)
  await waitFor('the job RUNNING', async () => ((await cluster.job(jobId)).state === 'RUNNING' ? true : undefined), 60_000);
  world = await startConsoleWorld({ jobManagerUrl: (d) => (d.name === 'live' ? cluster.restUrl : 'http://127.0.0.1:9') });
  // what the operator made: the Deployment with its job in status, and its key Secret
  await world.admin.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'live-auth', namespace: world.teamA }, type: 'Opaque', stringData: { key: cluster.keyText } });
  await withStatus(world.admin, { apiVersion: API_VERSION, kind: 'Deployment', metadata: { name: 'live', namespace: world.teamA }, spec: { source: { pipeline: 'source: {}' }, parallelism: 2 } },
    { phase: 'Running', cuInUse: 2, requiredCU: 2, job: { id: jobId, state: 'RUNNING', startTime: new Date().toISOString() } });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await world?.close();
  await cluster?.stop();
});

async function signedIn(token: string) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${world.url}/sign-in`);
  await page.getByLabel('Kubernetes bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${world.url}/`);
  return page;
}

test('an editor watches the running job live (graph, records/s, checkpoints) and takes a savepoint', async () => {
  const page = await signedIn(world.tokens.editor);
  await page.goto(`${world.url}/namespaces/${world.teamA}/deployments/live`);
  await expect(page.getByTestId('job-state').textContent()).resolves.toBe('RUNNING');
  const graph = page.getByTestId('job-graph');
  await expect(graph.locator('tbody tr').count()).resolves.toBeGreaterThanOrEqual(2);
  await expect(graph.locator('tbody tr').first().locator('th').textContent()).resolves.toMatch(/nexmark|source/i);
  // the fragment refreshes every 2 s; the second sample gives a rate
  // polled through the page's own DOM (the CSP forbids evaluating strings): a positive records/s, a completed checkpoint
  await waitFor('a positive records/s in the job graph', async () => (await page.getByTestId('rate-out').allTextContents()).some((t) => /^[0-9.]+k?\/s$/.test(t) && !/^0(\.0)?\/s$/.test(t)), 20_000);
  await waitFor('a completed checkpoint', async () => /completed [1-9]/.test(await page.getByTestId('job').textContent() ?? ''), 20_000);
  await expect(page.locator('figure.chart svg').count()).resolves.toBe(2);
  await page.screenshot({ path: join(SHOTS, '8-live-job-editor.png'), fullPage: true });

  await page.getByRole('button', { name: 'Take savepoint' }).click();
  await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/savepoint live-\w+ requested for live/);
  const savepoints = await world.admin.list<KubeObject & { spec: { deployment: string; origin: string } }>({ apiVersion: API_VERSION, kind: 'Savepoint', namespace: world.teamA });
  expect(savepoints.items.filter((s) => s.spec.deployment === 'live').map((s) => s.spec.origin)).toEqual(['userRequest']);
  await expect(page.getByTestId('savepoints').textContent()).resolves.toContain('userRequest');
  await page.context().close();
}, 60_000);

test('a member of another namespace gets 403 and no job data from the JobManager', async () => {
  const res = await fetch(`${world.url}/api/namespaces/${world.teamA}/deployments/live`, { headers: { authorization: `Bearer ${world.tokens.outsider}` } });
  expect(res.status).toBe(403);
  const body = await res.text();
  expect(body).toContain('MR_ERR_CONSOLE_FORBIDDEN');
  expect(body).not.toContain(jobId);
  // the viewer of team A does see it
  const viewer = await waitFor('job data for the viewer', async () => {
    const r = await fetch(`${world.url}/api/namespaces/${world.teamA}/deployments/live`, { headers: { authorization: `Bearer ${world.tokens.viewer}` } });
    const j = (await r.json()) as { job?: { job?: { state?: string; vertices?: unknown[] } } };
    return j.job?.job?.state === 'RUNNING' ? j.job.job : undefined;
  });
  expect(viewer.vertices?.length).toBeGreaterThanOrEqual(2);
}, 30_000);
