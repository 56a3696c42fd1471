// Issue 12 point 4 on the node tier: a SQL Deployment names a Kubernetes Secret in spec.secrets;
// the operator mounts it read-only into the JobManager pod (which plans the job and resolves the
// options) and the TaskManager pod (which runs the print sink); `${secret:<name>/<key>}` in a
// connector option reads the mounted key. The value is in neither the ConfigMap nor the
// Deployment's status. A Deployment that refers to a Secret it does not list, or lists a Secret
// that is missing or not labelled for jobs (millrace.dev/job-secret=true: members cannot read
// Secrets, so a job must not read one for them), fails before any pod exists; labelling the
// Secret lets the same Deployment start. The operator runs in this process (as in test/e2e/sql-deployment.test.ts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { useNode } from '../../cluster/environment.ts';
import { requireNodeImage } from '../../cluster/image/node-image.ts';
import { useS3, type S3Connection } from '../../cluster/s3/environment.ts';
import type { KubeObject } from '../../../operator/kube/rest-client.ts';
import type { Operator } from '../../../operator/manager.ts';
import { API, applyAs, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor, waitForPhase } from '../../operator/support/harness.ts';
import type { Cluster } from '../../operator/support/harness.ts';
import { clusterIpJobManagers } from '../../e2e/support/cluster-ip-jobmanagers.ts';

const run = promisify(execFile);
const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';
const IDENT = `tok-${randomBytes(6).toString('hex')}`;

const sql = (secret: string) => `CREATE TABLE ticks (id BIGINT) WITH (
  'connector' = 'datagen', 'rows-per-second' = '20',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000'
);
CREATE TABLE shown (id BIGINT) WITH ('connector' = 'print', 'print-identifier' = '\${secret:${secret}/ident}');
INSERT INTO shown SELECT id FROM ticks;
`;

let cluster: Cluster;
let kubeconfigPath: string;
let s3: S3Connection;
let operator: Operator | undefined;
const storageSecret = unique('conn-s3');
let workspace = '';

beforeAll(async () => {
  const node = await useNode();
  kubeconfigPath = node.kubeconfigPath;
  await requireNodeImage(IMAGE);
  cluster = await useOperatorCluster();
  s3 = await useS3({ hostAddress: node.hostAddress });
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: storageSecret, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(cluster.rest), defaultImage: IMAGE });
}, 600_000);

afterAll(async () => {
  const { rest } = cluster;
  if (workspace) {
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
    await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
      .catch((err: unknown) => process.stderr.write(`[secrets] cleanup incomplete: ${String(err)}\n`));
  }
  await operator?.stop();
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: storageSecret });
}, 240_000);

async function kubectl(...args: string[]): Promise<string> {
  return (await run('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { maxBuffer: 16 << 20 })).stdout;
}

const podsOf = async (namespace: string, name: string) =>
  (await cluster.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;

const deployment = (namespace: string, name: string, secretRef: string, secrets?: string[]) => ({
  apiVersion: API, kind: 'Deployment', metadata: { name, namespace },
  spec: { source: { sql: sql(secretRef) }, parallelism: 1, jobManager: { cu: 0.25 }, taskManager: { cu: 0.5, slots: 1 }, ...(secrets ? { secrets } : {}) },
});

test('a Secret named in spec.secrets is mounted into the pods and read by ${secret:...}; its value stays out of the pod configuration and status; an unlisted, missing or unlabelled one is refused', async () => {
  const { rest } = cluster;
  workspace = unique('conn-sec-ws');
  const namespace = unique('conn-sec-ns');
  await applyAs(rest, {
    apiVersion: API, kind: 'Workspace', metadata: { name: workspace },
    spec: { capacityCU: 4, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix: `${unique('conn-sec')}/`, secretRef: { name: storageSecret, namespace: OPERATOR_NAMESPACE } } },
  });
  await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
  await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: 2 } });
  await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);
  await rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'print-cfg', namespace }, stringData: { ident: IDENT } }, TEST_MANAGER);

  // refers to the Secret without listing it: Failed before any pod exists
  await applyAs(rest, deployment(namespace, 'unlisted', 'print-cfg'));
  const refused = await waitForPhase(rest, 'Deployment', 'unlisted', namespace, 'Failed', 30_000);
  expect(refused.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SecretNotListed', message: expect.stringContaining("'print-cfg'") });
  expect(await podsOf(namespace, 'unlisted')).toEqual([]);

  // lists a Secret that does not exist: Failed naming the field
  await applyAs(rest, deployment(namespace, 'missing', 'no-such', ['no-such']));
  const missing = await waitForPhase(rest, 'Deployment', 'missing', namespace, 'Failed', 30_000);
  expect(missing.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'SecretNotFound', message: expect.stringContaining("spec.secrets[0]: Secret 'no-such' does not exist") });

  // lists the Secret before anyone allowed jobs to read it: Failed, no pods
  await applyAs(rest, deployment(namespace, 'listed', 'print-cfg', ['print-cfg']));
  const notAllowed = await waitForPhase(rest, 'Deployment', 'listed', namespace, 'Failed', 30_000);
  expect(notAllowed.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'SecretNotAllowed', message: expect.stringContaining('kubectl label secret print-cfg') });
  expect(await podsOf(namespace, 'listed')).toEqual([]);
  // whoever may write Secrets labels it; the unchanged Deployment starts
  await kubectl('label', 'secret', 'print-cfg', '-n', namespace, 'millrace.dev/job-secret=true');
  const lines = await waitFor('rows printed with the identifier read from the Secret', async () => {
    const tm = (await podsOf(namespace, 'listed')).find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager');
    if (!tm) return undefined;
    const printed = (await kubectl('logs', '-n', namespace, tm.metadata.name).catch(() => '')).split('\n').filter((l) => l.startsWith(`${IDENT}> +I[`));
    return printed.length >= 5 ? printed : undefined;
  }, 120_000, 1000).catch(async (err: unknown) => {
    const d = await getWithStatus(rest, 'Deployment', 'listed', namespace);
    throw new Error(`${String(err)}; deployment status: ${JSON.stringify(d?.status)}`);
  });
  expect(lines.slice(0, 5)).toEqual([1, 2, 3, 4, 5].map((i) => `${IDENT}> +I[${i}]`));

  const pods = await podsOf(namespace, 'listed');
  expect(pods.map((p) => p.metadata.labels?.['app.kubernetes.io/component']).sort()).toEqual(['jobmanager', 'taskmanager']);
  for (const p of pods) {
    const spec = p.spec as { containers: Array<{ volumeMounts: Array<{ mountPath: string; readOnly?: boolean }> }> };
    expect(spec.containers[0]!.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/etc/millrace/secrets/print-cfg', readOnly: true }));
  }
  // The pods' configuration (their annotations, or a ConfigMap when large) holds the reference, never the value.
  const configuration = `${await kubectl('get', 'pods', '-n', namespace, '-o', 'json')}${await kubectl('get', 'configmaps', '-n', namespace, '-o', 'json')}`;
  expect(configuration).toContain('${secret:print-cfg/ident}');
  expect(configuration).not.toContain(IDENT);
  expect(JSON.stringify(await getWithStatus(rest, 'Deployment', 'listed', namespace))).not.toContain(IDENT);
}, 300_000);
