// End to end on the node tier: a team's job as a bundled artifact in the workspace bucket. An
// editor bundles examples/artifacts/word-lengths.ts (with its npm dependency) and uploads it with
// `npx millrace artifacts upload` through the console (a viewer may list but not upload, a member
// of another namespace may not even list); a Deployment naming it runs it in real pods (entry
// and args honoured) with its sha256 in status, and finishes; its pods are removed, and the
// archived log (the job's printed lines from the TaskManager) and exception history are still
// readable with `npx millrace logs` as a viewer. A wrong pin and a missing object fail at once
// with the reason, and no pod is ever made for them.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { useNode } from '../cluster/environment.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import { API_VERSION } from '../../operator/api/v1alpha1/meta.ts';
import { StaticKubeConnection } from '../../operator/kube/kube-connection.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { consoleClusterRole } from '../../operator/console/rbac.ts';
import { createConsoleServer } from '../../operator/console/server.ts';
import { bundleJob } from '../../runtime/artifacts/bundle.ts';
import { runArtifactsCommand } from '../../runtime/artifacts/cli.ts';
import { runLogsCommand } from '../../runtime/logging/logs-cli.ts';
import { applyAs, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { clusterIpJobManagers } from '../e2e/support/cluster-ip-jobmanagers.ts';

const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';
type Live = KubeObject & { status?: { phase?: string; artifact?: { sha256: string; location: string }; job?: { id: string }; conditions?: Array<{ type: string; reason: string; message: string }> } };

let cluster: Cluster;
let s3: S3Connection;
let operator: Operator | undefined;
let consoleApp: FastifyInstance | undefined;
let consoleUrl = '';
let dir = '';
let stopFollowing: (() => void) | undefined;
const secretName = unique('art-s3');
const usersNamespace = unique('art-users');
const roleName = `millrace-console-${usersNamespace}`;
let workspace = '';
let namespace = '';
let other = '';
const tokens: Record<'editor' | 'viewer' | 'outsider' | 'console', string> = { editor: '', viewer: '', outsider: '', console: '' };

async function token(name: string): Promise<string> {
  await cluster.rest.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: usersNamespace } });
  return waitFor(`a token for ${name}`, async () => (await cluster.rest.request<{ status?: { token?: string } }>('POST', `/api/v1/namespaces/${usersNamespace}/serviceaccounts/${name}/token`, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } })).status?.token);
}
const binding = (ns: string, role: string, sa: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${sa}-${role}`, namespace: ns },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: usersNamespace }],
});

/** The CLI as a user runs it (`npx millrace ...`), its output collected. */
async function cli(user: keyof typeof tokens, run: typeof runArtifactsCommand, args: string[]): Promise<string> {
  let out = '';
  await run(args, { out: (s) => { out += s; }, env: { MILLRACE_CONSOLE_URL: consoleUrl, MILLRACE_TOKEN: tokens[user], MILLRACE_NAMESPACE: namespace } });
  return out;
}

beforeAll(async () => {
  const { hostAddress } = await useNode();
  cluster = await useOperatorCluster();
  s3 = await useS3({ hostAddress });
  dir = await mkdtemp(path.join(os.tmpdir(), 'mr-artifact-e2e-'));
  const { rest } = cluster;
  await rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(rest), defaultImage: IMAGE });

  workspace = unique('art-ws');
  namespace = unique('art-team');
  other = unique('art-other');
  await rest.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: usersNamespace } });
  await applyAs(rest, { apiVersion: API_VERSION, kind: 'Workspace', metadata: { name: workspace }, spec: { capacityCU: 4, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix: `${workspace}/`, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } } } });
  await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
  for (const ns of [namespace, other]) await applyAs(rest, { apiVersion: API_VERSION, kind: 'Namespace', metadata: { name: ns }, spec: { workspace, quotaCU: 2 } });
  await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);

  // users as the operator binds members, and the console with its own account (as the chart runs it)
  await rest.apply(consoleClusterRole(roleName), TEST_MANAGER);
  for (const name of ['editor', 'viewer', 'outsider', 'console'] as const) tokens[name] = await token(name);
  await rest.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: roleName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: 'console', namespace: usersNamespace }] });
  await rest.create(binding(namespace, 'millrace-editor', 'editor'));
  await rest.create(binding(namespace, 'millrace-viewer', 'viewer'));
  await rest.create(binding(other, 'millrace-editor', 'outsider'));
  const kubeconfig = parse(readFileSync(cluster.kubeconfigPath, 'utf8')) as { clusters: Array<{ cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }> };
  const c = kubeconfig.clusters[0]!.cluster;
  const ca = c['certificate-authority-data'] ? Buffer.from(c['certificate-authority-data'], 'base64') : readFileSync(c['certificate-authority']!);
  consoleApp = await createConsoleServer({ connection: new StaticKubeConnection({ server: c.server, ca, token: tokens.console }), log: pino({ level: 'silent' }), secureCookies: false });
  consoleUrl = await consoleApp.listen({ host: '127.0.0.1', port: 0 });
}, 600_000);

afterAll(async () => {
  const { rest } = cluster;
  stopFollowing?.();
  await consoleApp?.close();
  if (workspace) {
    await rest.delete({ apiVersion: API_VERSION, kind: 'Workspace', name: workspace });
    await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000).catch((err: unknown) => process.stderr.write(`[artifacts] cleanup incomplete: ${String(err)}\n`));
  }
  await operator?.stop();
  for (const [kind, name, apiVersion] of [['ClusterRoleBinding', roleName, 'rbac.authorization.k8s.io/v1'], ['ClusterRole', roleName, 'rbac.authorization.k8s.io/v1'], ['Namespace', usersNamespace, 'v1']] as const) await rest.delete({ apiVersion, kind, name });
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  if (dir) await rm(dir, { recursive: true, force: true });
}, 240_000);

/** A console page as a browser gets it (signed in with the user's token). */
async function page(user: keyof typeof tokens, url: string): Promise<string> {
  const res = await fetch(`${consoleUrl}${url}`, { headers: { accept: 'text/html', authorization: `Bearer ${tokens[user]}` } });
  expect(res.status).toBe(200);
  return res.text();
}

const pods = async (name: string) => (await cluster.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;
const ready = (d: Live | undefined) => d?.status?.conditions?.find((c) => c.type === 'Ready');

test('a bundled artifact uploaded by an editor runs from the bucket pinned by sha256; wrong pins and missing objects fail without pods, a missing one starts once uploaded; a SQL function module is uploaded with its types file; its logs outlive the pods', async () => {
  const { rest } = cluster;
  const bundle = await bundleJob(path.join(import.meta.dirname, '../../examples/artifacts/word-lengths.ts'), path.join(dir, 'word-lengths.mjs'));
  const bundleBytes = await readFile(bundle.file);

  // RBAC through the console: the editor uploads, the viewer lists but may not upload, an outsider may not list
  const uploaded = await cli('editor', runArtifactsCommand, ['upload', bundle.file]);
  expect(uploaded).toContain(`sha256: ${bundle.sha256}`);
  expect(uploaded).toContain(`uri:    s3://${s3.bucket}/${workspace}/artifacts/namespaces/${namespace}/word-lengths.mjs`);
  expect(await cli('viewer', runArtifactsCommand, ['list'])).toMatch(new RegExp(`word-lengths\\.mjs\\s+${(await readFile(bundle.file)).byteLength}\\s+\\S+\\s+${bundle.sha256}`));
  await expect(cli('viewer', runArtifactsCommand, ['upload', bundle.file, '--name', 'evil.mjs'])).rejects.toMatchObject({ code: 'MR_ERR_CONSOLE_FORBIDDEN', message: expect.stringContaining('may not create artifacts.millrace.dev') });
  await expect(cli('outsider', runArtifactsCommand, ['list'])).rejects.toMatchObject({ code: 'MR_ERR_CONSOLE_FORBIDDEN', status: 403 });
  // the console's page: the viewer sees the artifact and its digest, with Delete disabled; the editor may delete
  const viewerPage = await page('viewer', `/namespaces/${namespace}/artifacts`);
  expect(viewerPage).toContain(bundle.sha256);
  expect(viewerPage).toContain('disabled title="your role may not delete artifacts"');
  expect(await page('editor', `/namespaces/${namespace}/artifacts`)).not.toContain('may not delete');
  // the page's forms (no script): the editor uploads a copy and deletes it; the viewer's upload is refused
  const form = () => { const f = new FormData(); f.append('file', new Blob([bundleBytes]), 'copy.mjs'); return f; };
  const post = (user: keyof typeof tokens, url: string, body: FormData | URLSearchParams) => fetch(`${consoleUrl}${url}`, { method: 'POST', body, redirect: 'manual', headers: { accept: 'text/html', authorization: `Bearer ${tokens[user]}` } });
  expect((await post('viewer', `/namespaces/${namespace}/artifacts`, form())).status).toBe(403);
  const posted = await post('editor', `/namespaces/${namespace}/artifacts`, form());
  expect({ status: posted.status, location: posted.headers.get('location') }).toEqual({ status: 303, location: `/namespaces/${namespace}/artifacts?uploaded=copy.mjs` });
  expect(await page('editor', posted.headers.get('location')!)).toContain(`uploaded copy.mjs: sha256 ${bundle.sha256}`);
  expect((await post('editor', `/namespaces/${namespace}/artifacts/delete`, new URLSearchParams({ name: 'copy.mjs' }))).status).toBe(303);
  expect(await cli('viewer', runArtifactsCommand, ['list'])).not.toContain('copy.mjs');

  // a SQL function module: the CLI also uploads its types file, made on the user's machine (what the operator checks SQL with)
  const udfFile = path.join(dir, 'tenfold.mjs');
  await writeFile(udfFile, "export const tenfold = { result: 'BIGINT', eval: (n) => n * 10 };\nexport const words = { kind: 'table', result: 'ROW<w STRING>', eval: (s) => s.split(' ').map((w) => [w]) };\n");
  expect(await cli('editor', runArtifactsCommand, ['upload', udfFile, '--kind', 'sql-artifacts', '--name', 'udf/tenfold.mjs'])).toContain("uploaded udf/tenfold.mjs.types.json (its functions' types for the operator's check: tenfold, words)");
  await cli('viewer', runArtifactsCommand, ['download', 'udf/tenfold.mjs.types.json', '--kind', 'sql-artifacts', '-o', path.join(dir, 'types.json')]);
  expect(JSON.parse(await readFile(path.join(dir, 'types.json'), 'utf8'))).toEqual({ format: 'millrace.sql-udf-types/v1', module: { sha256: createHash('sha256').update(await readFile(udfFile)).digest('hex'), size: (await readFile(udfFile)).byteLength }, functions: { tenfold: { kind: 'scalar', result: 'BIGINT' }, words: { kind: 'table', result: 'ROW<w STRING>' } } });

  // a viewer follows the deployment's log before it exists (`millrace logs words --follow`)
  const follow = new AbortController();
  stopFollowing = () => follow.abort();
  let followed = '';
  const following = runLogsCommand(['words', '--follow', '--interval-ms', '500'], { out: (t) => { followed += t; if (followed.includes('wl> BETA,4')) follow.abort(); }, env: { MILLRACE_CONSOLE_URL: consoleUrl, MILLRACE_TOKEN: tokens.viewer, MILLRACE_NAMESPACE: namespace }, signal: follow.signal });
  following.catch(() => undefined); // awaited below; a failure before that must not go unhandled

  const deploy = (name: string, artifact: Record<string, unknown>) => applyAs(rest, { apiVersion: API_VERSION, kind: 'Deployment', metadata: { name, namespace }, spec: { source: { artifact }, parallelism: 1, jobManager: { cu: 0.25 }, taskManager: { cu: 0.25, slots: 1 }, progressDeadlineSeconds: 90 } });
  await Promise.all([
    deploy('words', { uri: 'word-lengths.mjs', entry: 'shouted', args: ['--words', 'alpha beta', '--prefix=wl'] }),
    deploy('wrong-pin', { uri: 'word-lengths.mjs', sha256: '0'.repeat(64) }),
    deploy('missing', { uri: `s3://${s3.bucket}/${workspace}/artifacts/namespaces/${namespace}/nope.mjs` }),
  ]);

  // failed before any pod, with the reason
  const wrong = await waitForPhase(rest, 'Deployment', 'wrong-pin', namespace, 'Failed', 30_000) as Live;
  expect(ready(wrong)).toMatchObject({ reason: 'ArtifactDigestMismatch', message: expect.stringContaining(`has sha256 ${bundle.sha256}, not ${'0'.repeat(64)}`) });
  const missing = await waitForPhase(rest, 'Deployment', 'missing', namespace, 'Failed', 30_000) as Live;
  expect(ready(missing)).toMatchObject({ reason: 'ArtifactNotFound', message: expect.stringContaining('nope.mjs does not exist') });
  expect([...await pods('wrong-pin'), ...await pods('missing')]).toEqual([]);
  // the missing object uploaded: the same Deployment starts without a spec change (looked at again every 15 s)
  await cli('editor', runArtifactsCommand, ['upload', bundle.file, '--name', 'nope.mjs']);

  // the good one runs in real pods from the bucket and finishes (a bounded job)
  const finished = await waitForPhase(rest, 'Deployment', 'words', namespace, 'Finished', 120_000) as Live;
  expect(finished.status?.artifact).toMatchObject({ sha256: bundle.sha256, location: `s3://${s3.bucket}/${workspace}/artifacts/namespaces/${namespace}/word-lengths.mjs` });
  await waitFor('pods of words gone', async () => (await pods('words')).length === 0, 90_000, 500);
  const recovered = await waitForPhase(rest, 'Deployment', 'missing', namespace, 'Finished', 120_000) as Live;
  expect({ generation: recovered.metadata.generation, artifact: recovered.status?.artifact }).toMatchObject({ generation: 1, artifact: { sha256: bundle.sha256, location: `s3://${s3.bucket}/${workspace}/artifacts/namespaces/${namespace}/nope.mjs` } });

  // the archived log, after the pods are gone, as a viewer: the job's lines printed in the TaskManager
  const logs = await waitFor('the TaskManager\'s archived lines', async () => {
    const out = await cli('viewer', runLogsCommand, ['words']);
    return out.includes('wl> ALPHA,5') && out.includes('wl> BETA,4') ? out : undefined;
  }, 30_000, 1000);
  expect(logs).toMatch(/\[taskmanager words-tm-\w+-0\] wl> ALPHA,5/);
  expect(logs).toMatch(/INFO \[jobmanager words-jm-\w+\] job state/);
  // the follower saw the new job and its lines as they were archived
  await expect(following).resolves.toBe(0);
  expect(followed).toMatch(/--- job [0-9a-f]{32}\n/);
  expect(followed).toContain('wl> ALPHA,5');
  const jobs = (await cli('viewer', runLogsCommand, ['words', '--jobs'])).trim().split('\n').map((l) => l.split(/\s+/)[0]);
  expect(jobs).toHaveLength(1);
  if (finished.status?.job?.id) expect(jobs).toEqual([finished.status.job.id]);
  expect(await cli('viewer', runLogsCommand, ['words', '--exceptions'])).toContain(`job ${jobs[0]} FINISHED`);
  await expect(cli('outsider', runLogsCommand, ['words'])).rejects.toMatchObject({ code: 'MR_ERR_CONSOLE_FORBIDDEN' });
  expect(await page('viewer', `/namespaces/${namespace}/deployments/words/logs`)).toContain('wl&gt; ALPHA,5');
}, 300_000);
