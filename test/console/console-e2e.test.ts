// The console end to end on the node tier (issue 13 point 4): the operator (in this process) and
// real JobManager/TaskManager pods from the project image, MinIO as the workspace bucket (drafts
// are kept there). An editor signs in, writes a SQL draft, validates and saves it, deploys it
// with small sizes, sees it Running with live throughput, takes a savepoint (Completed by the
// JobManager), reads the pods' live logs and suspends it; before that, uploads a job module made by
// `millrace bundle` on the artifacts page; a viewer sees the page with actions
// disabled and gets 403 from the API. A workspace whose key MinIO refuses gets a clear error
// naming the workspace, bucket and fix on the artifacts page and upload, not a 500.
// Screenshots in .millrace/test-output/console/e2e-*.png.
// About 45 s with the node tier up and the image built (more when they start); part of `npm test`.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { useNode } from '../cluster/environment.ts';
import { requireNodeImage } from '../cluster/image/node-image.ts';
import { deletePrefix, s3Client } from '../cluster/s3/bucket.ts';
import { useS3, type S3Connection } from '../cluster/s3/environment.ts';
import { DraftStore } from '../../operator/console/drafts/draft-store.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { bundleJob } from '../../runtime/artifacts/bundle.ts';
import { openObjectStore } from '../../runtime/storage/open-object-store.ts';
import { jobManagerUrl, clusterIpJobManagers } from '../e2e/support/cluster-ip-jobmanagers.ts';
import { API, applyAs, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_INSTANCE_LABEL, TEST_MANAGER, TEST_WATCH_SELECTOR, unique, useOperatorCluster, waitFor, waitForPhase, type Cluster } from '../operator/support/harness.ts';
import { chromiumPath } from './support/chromium.ts';
import { consoleServiceAccount, startConsole, token } from './support/console-fixture.ts';
import { fillSql } from './support/sql-editor.ts';
import type { FastifyInstance } from 'fastify';

const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';
const SHOTS = join(process.env.MILLRACE_TEST_OUTPUT_DIR ?? '.millrace/test-output', 'console');
const SQL = `CREATE TABLE ticks (id BIGINT, label STRING) WITH (
  'connector' = 'datagen', 'rows-per-second' = '20',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000', 'fields.label.length' = '4'
);
CREATE TABLE shown (id BIGINT, tenfold BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'console-e2e');
INSERT INTO shown SELECT id, id * 10 FROM ticks WHERE id % 2 = 0;
`;

let cluster: Cluster;
let s3: S3Connection;
let operator: Operator | undefined;
let app: FastifyInstance | undefined;
let browser: Browser | undefined;
let consoleSa: { token: string; cleanup(): Promise<void> } | undefined;
const secretName = unique('console-e2e-s3');
const prefix = `${unique('console-e2e')}/`;
const workspace = unique('console-e2e-ws');
const namespace = unique('console-e2e-ns');
const users = unique('console-e2e-users');
let tokens: { editor: string; viewer: string };

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const node = await useNode();
  await requireNodeImage(IMAGE);
  cluster = await useOperatorCluster();
  s3 = await useS3({ hostAddress: node.hostAddress });
  const { rest } = cluster;
  await rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(rest), defaultImage: IMAGE });

  await rest.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: users } });
  tokens = { editor: await token(rest, users, 'editor'), viewer: await token(rest, users, 'viewer') };
  consoleSa = await consoleServiceAccount(rest, users);
  await applyAs(rest, { apiVersion: API, kind: 'Workspace', metadata: { name: workspace }, spec: { capacityCU: 4, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } } } });
  await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
  // members as the operator binds them (Namespace.spec.members → RoleBindings)
  await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: 2, members: [
    { kind: 'ServiceAccount', name: 'editor', namespace: users, role: 'editor' },
    { kind: 'ServiceAccount', name: 'viewer', namespace: users, role: 'viewer' },
  ] } });
  await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);

  // the console: its own ServiceAccount, drafts in the workspace bucket, JobManagers at their Service's ClusterIP (no cluster DNS on this host)
  const drafts = new DraftStore(openObjectStore(`s3://${s3.bucket}/${prefix}`, { s3: { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } }), Date.now);
  app = await startConsole(cluster.kubeconfigPath, consoleSa.token, { drafts, jobManagerUrl: (d) => jobManagerUrl(rest, d.namespace, d.name) });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 600_000);

afterAll(async () => {
  const { rest } = cluster;
  await browser?.close();
  await app?.close();
  await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
  await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
    .catch((err: unknown) => process.stderr.write(`[console-e2e] cleanup incomplete: ${String(err)}\n`));
  await operator?.stop();
  await consoleSa?.cleanup();
  await rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: users });
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  await deletePrefix(s3, prefix);
}, 300_000);

/** The test's operator reconciles only objects carrying this run's instance label (harness); the console's objects get it here. */
async function labelForTestOperator(kind: string, name: string): Promise<void> {
  const [key, value] = TEST_WATCH_SELECTOR.split('=') as [string, string];
  await cluster.rest.mergePatch({ apiVersion: API, kind, namespace, name }, { metadata: { labels: { [key]: value } } });
  expect(key).toBe(TEST_INSTANCE_LABEL);
}

async function signIn(t: string): Promise<Page> {
  const page = await (await browser!.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${app!.listeningOrigin}/sign-in`);
  await page.getByLabel('Kubernetes bearer token').fill(t);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${app!.listeningOrigin}/`);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `e2e-${name}.png`), fullPage: true });

test('an editor writes, validates, saves and deploys a SQL draft, watches it run live, takes a savepoint, reads the logs and suspends it; a viewer may only look', async () => {
  const base = app!.listeningOrigin;
  const page = await signIn(tokens.editor);
  await expect(page.getByTestId(`namespace-${namespace}`).textContent()).resolves.toMatch(/Quota 2 CU/);

  // a job module bundled as `npx millrace bundle` makes it, uploaded on the artifacts page
  const bundled = await bundleJob(fileURLToPath(new URL('../../examples/artifacts/word-lengths.ts', import.meta.url)), join(SHOTS, 'word-lengths.mjs'));
  await page.goto(`${base}/namespaces/${namespace}/artifacts`);
  const upload = page.locator('form.artifact-upload');
  await upload.getByLabel('Upload an artifact').setInputFiles(bundled.file);
  await upload.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.waitForURL(/\/artifacts\?uploaded=word-lengths\.mjs$/);
  await expect(page.getByRole('status').first().textContent()).resolves.toBe(`uploaded word-lengths.mjs: sha256 ${bundled.sha256}; run it with spec.source.artifact.uri: word-lengths.mjs`);
  const stored = await s3Client(s3).send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}artifacts/namespaces/${namespace}/word-lengths.mjs` }));
  expect(await stored.Body?.transformToString()).toBe(readFileSync(bundled.file, 'utf8'));
  await shot(page, '0-artifacts');

  await page.goto(`${base}/namespaces/${namespace}/drafts/ticks?kind=sql`);
  await fillSql(page, SQL.replace('WHERE id % 2 = 0', 'WHERE idd % 2 = 0'));
  await page.getByRole('button', { name: 'Validate' }).click();
  await expect(page.getByTestId('validation-problems').textContent()).resolves.toMatch(/line 6, column \d+: MR_ERR_SQL_VALIDATE Column 'idd' not found/);
  await fillSql(page, SQL);
  await page.getByRole('button', { name: 'Validate' }).click();
  await expect(page.getByTestId('validation-ok').isVisible()).resolves.toBe(true);
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status').first().textContent()).resolves.toContain('saved version 1');
  // the draft is in the workspace bucket under drafts/
  const listed = await s3Client(s3).send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}drafts/namespaces/${namespace}/ticks/` }));
  expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([`${prefix}drafts/namespaces/${namespace}/ticks/000001.json`]);
  await shot(page, '1-draft');

  await page.getByLabel('JobManager CU').fill('0.25');
  await page.getByLabel('TaskManager CU').fill('0.5');
  await page.getByRole('button', { name: 'Deploy' }).click();
  await page.waitForURL(new RegExp(`/namespaces/${namespace}/deployments/ticks\\?done=`));
  await labelForTestOperator('Deployment', 'ticks');
  await waitFor('ticks Running', async () => (await getWithStatus(cluster.rest, 'Deployment', 'ticks', namespace))?.status?.phase === 'Running', 240_000, 1000);

  await page.goto(`${base}/namespaces/${namespace}/deployments/ticks`);
  await expect(page.getByTestId('phase').textContent()).resolves.toBe('Running');
  await waitFor('job RUNNING in the graph', async () => (await page.getByTestId('job-state').textContent()) === 'RUNNING', 60_000);
  await shot(page, '2-running');
  // the SQL job is one chain ending in its sink: its throughput is records in per second
  await waitFor('live throughput (records in/s > 0)', async () => (await page.getByTestId('rate-in').allTextContents()).some((t) => /^[0-9.]+k?\/s$/.test(t) && !/^0(\.0)?\/s$/.test(t)), 45_000)
    .catch(async (err: unknown) => { process.stderr.write(`[console-e2e] job section: ${await page.getByTestId('job').innerText()}\n`); throw err; });
  await shot(page, '2-running');

  await page.getByRole('button', { name: 'Take savepoint' }).click();
  const requested = /savepoint (ticks-\w+) requested/.exec((await page.getByRole('status').first().textContent()) ?? '');
  expect(requested).not.toBeNull();
  await labelForTestOperator('Savepoint', requested![1]!);
  await waitForPhase(cluster.rest, 'Savepoint', requested![1]!, namespace, 'Completed', 90_000);
  await page.reload();
  await expect(page.getByTestId('savepoints').textContent()).resolves.toMatch(/userRequest\s*Completed/);
  await waitFor('rows in the live TaskManager log', async () => {
    await page.reload();
    return (await page.getByTestId('pod-log').allTextContents()).some((t) => t.includes('console-e2e> +I['));
  }, 60_000, 2000);
  await shot(page, '3-savepoint-logs');

  // the viewer: same page, actions disabled, the API refuses anyway
  const viewer = await signIn(tokens.viewer);
  await viewer.goto(`${base}/namespaces/${namespace}/deployments/ticks`);
  for (const b of await viewer.getByRole('button', { name: /^(Start|Suspend|Cancel|Take savepoint|Set parallelism|Restore)$/ }).all()) await expect(b.isDisabled()).resolves.toBe(true);
  const refused = await viewer.evaluate(async (path) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, `/api/namespaces/${namespace}/deployments/ticks/actions/suspend`);
  expect(refused).toBe(403);
  await shot(viewer, '4-viewer');

  await page.getByRole('button', { name: 'Suspend' }).click();
  await expect(page.getByRole('status').first().textContent()).resolves.toContain('suspend ticks: done');
  await waitForPhase(cluster.rest, 'Deployment', 'ticks', namespace, 'Suspended', 120_000);
  await page.reload();
  await expect(page.getByTestId('phase').textContent()).resolves.toBe('Suspended');
  await shot(page, '5-suspended');
  expect((await cluster.rest.get<KubeObject & { spec: { state: string } }>({ apiVersion: API, kind: 'Deployment', namespace, name: 'ticks' })).spec.state).toBe('suspended');
}, 600_000);

test('a workspace whose key the bucket refuses: the artifacts page and uploads name the workspace, the bucket and the fix (MinIO answers, no 500)', async () => {
  const { rest } = cluster;
  const base = app!.listeningOrigin;
  const badWorkspace = unique('console-e2e-badws');
  const badNamespace = unique('console-e2e-badns');
  const badSecret = unique('console-e2e-bad-s3');
  // only the console reads these (no test-operator label): a workspace whose Secret has a wrong secret key
  await rest.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: badSecret, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: 'not-the-secret-key' } });
  await rest.create({ apiVersion: API, kind: 'Workspace', metadata: { name: badWorkspace }, spec: { capacityCU: 1, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: badSecret, namespace: OPERATOR_NAMESPACE } } } });
  await rest.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: badNamespace } });
  await rest.create({ apiVersion: API, kind: 'Namespace', metadata: { name: badNamespace }, spec: { workspace: badWorkspace, quotaCU: 1 } });
  await rest.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'editor', namespace: badNamespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'millrace-editor' }, subjects: [{ kind: 'ServiceAccount', name: 'editor', namespace: users }] });
  try {
    const page = await signIn(tokens.editor);
    const expected = new RegExp(`namespace ${badNamespace}: the console cannot read the bucket ${s3.bucket} \\(prefix ${prefix}\\) of workspace ${badWorkspace}: S3 refused the workspace's key \\(SignatureDoesNotMatch.*\\); fix: the Secret ${OPERATOR_NAMESPACE}/${badSecret} \\(spec\\.storage\\.secretRef of Workspace ${badWorkspace}\\) must hold AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of a key that may read and write ${s3.bucket}`);
    const shown = await page.goto(`${base}/namespaces/${badNamespace}/artifacts`);
    expect(shown?.status()).toBe(502);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(new RegExp(`MR_ERR_CONSOLE_STORAGE: ${expected.source}`));
    await shot(page, '6-bucket-refused');
    // the page's upload form (multipart) and the CLI's upload (PUT) get the same coded answer
    const uploads = await page.evaluate(async (ns) => {
      const form = new FormData();
      form.append('file', new Blob(['export default 1;\n']), 'job.mjs');
      const viaForm = await fetch(`/namespaces/${ns}/artifacts`, { method: 'POST', body: form });
      const viaApi = await fetch(`/api/namespaces/${ns}/artifacts/job.mjs`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: 'export default 1;\n' });
      return [{ status: viaForm.status, body: await viaForm.json() as unknown }, { status: viaApi.status, body: await viaApi.json() as unknown }];
    }, badNamespace);
    for (const u of uploads) expect(u).toEqual({ status: 502, body: { error: { code: 'MR_ERR_CONSOLE_STORAGE', message: expect.stringMatching(expected) } } });
    await page.context().close();
  } finally {
    await rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: badNamespace });
    await rest.delete({ apiVersion: API, kind: 'Namespace', name: badNamespace });
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: badWorkspace });
    await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: badSecret });
  }
}, 120_000);
