// SQL Deployments on the node tier: inline spec.source.sql runs in real JobManager and
// TaskManager pods (the project image, rebuilt by `npm run image:build`) through the runtime's SQL
// job module; a Savepoint of it restores into a new Deployment that continues where it stopped
// (the plan-derived operator uids match); an invalid script ends Failed before any pod exists,
// naming line and column; a JAVASCRIPT function whose module is in the namespace's sql-artifacts
// folder runs in the pods (pinned by sha256; another namespace's module is refused before any pod,
// a missing one fails until it is uploaded). The operator runs in this process (as in deployment-on-node.test.ts).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { useNode } from '../cluster/environment.ts';
import { requireNodeImage } from '../cluster/image/node-image.ts';
import { deletePrefix, s3Client } from '../cluster/s3/bucket.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, eventsFor, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { clusterIpJobManagers, jobManagerGet } from './support/cluster-ip-jobmanagers.ts';
import { describeUdfModule } from '../../runtime/sql/udf/udf-loader.ts';
import { formatModuleTypes } from '../../runtime/sql/udf/udf-types.ts';

const run = promisify(execFile);
const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';

// An unbounded, rate-limited sequence: every even id with ten times its value, printed by the TaskManager.
const SQL = `CREATE TABLE ticks (
  id BIGINT,
  label STRING
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '20',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000',
  'fields.label.length' = '4'
);
CREATE TABLE shown (id BIGINT, tenfold BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'sqle2e');
INSERT INTO shown SELECT id, id * 10 FROM ticks WHERE id % 2 = 0;
`;
// Line 3 names a column the table does not have; line 4 is not SQL.
const INVALID_SQL = `CREATE TABLE ticks (id BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE shown (id BIGINT) WITH ('connector' = 'print');
INSERT INTO shown SELECT idd FROM ticks;
`;

// The same job with its tenfold computed by a JAVASCRIPT function from the workspace bucket.
const udfSql = (module: string) => `${SQL.replace("'sqle2e'", "'sqludf'").replace('INSERT INTO shown SELECT id, id * 10 FROM', `CREATE FUNCTION tenfold AS '${module}#tenfold' LANGUAGE JAVASCRIPT;\nINSERT INTO shown SELECT id, tenfold(id) FROM`)}`;
const UDF_MODULE = "export const tenfold = { result: 'BIGINT', eval: (n) => (n === null ? null : n * 10) };\n";
const udfFile = path.join(mkdtempSync(path.join(tmpdir(), 'e2e-sql-udf-')), 'tenfold.mjs');
writeFileSync(udfFile, UDF_MODULE);

type PodView = KubeObject & { status?: { phase?: string } };

let cluster: Cluster;
let kubeconfigPath: string;
let s3: S3Connection;
let operator: Operator | undefined;
const secretName = unique('e2e-s3');
const prefix = `${unique('e2e-sql')}/`;
let workspace = '';

beforeAll(async () => {
  const node = await useNode();
  kubeconfigPath = node.kubeconfigPath;
  await requireNodeImage(IMAGE);
  const { hostAddress } = node;
  cluster = await useOperatorCluster();
  s3 = await useS3({ hostAddress });
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(cluster.rest), defaultImage: IMAGE });
}, 600_000);

afterAll(async () => {
  const { rest } = cluster;
  if (workspace) {
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
    await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
      .catch((err: unknown) => process.stderr.write(`[e2e-sql] cleanup incomplete: ${String(err)}\n`));
  }
  await operator?.stop();
  await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: secretName });
  if (s3) await deletePrefix(s3, prefix);
}, 240_000);

const podsOf = async (namespace: string, name: string) =>
  (await cluster.rest.list<PodView>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;

async function kubectl(...args: string[]): Promise<string> {
  return (await run('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { maxBuffer: 16 << 20 })).stdout;
}

/** The ids the TaskManager of a deployment printed so far (`sqle2e> +I[id, id*10]`), checking each row. */
async function printedIds(namespace: string, name: string, ident = 'sqle2e'): Promise<number[]> {
  const tm = (await podsOf(namespace, name)).find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager');
  if (!tm) return [];
  const ids: number[] = [];
  for (const line of (await kubectl('logs', '-n', namespace, tm.metadata.name)).split('\n')) {
    const m = new RegExp(`^${ident}> \\+I\\[(\\d+), (\\d+)\\]$`).exec(line);
    if (!m) continue;
    const id = Number(m[1]);
    expect([id % 2, Number(m[2])]).toEqual([0, id * 10]);
    ids.push(id);
  }
  return ids;
}

async function diagnostics(namespace: string): Promise<string> {
  const out: string[] = [];
  const tryRun = async (...args: string[]) => { try { out.push(`$ kubectl ${args.join(' ')}`, await kubectl(...args)); } catch (e) { out.push(String(e)); } };
  await tryRun('get', 'deployments.millrace.dev', '-n', namespace, '-o', 'jsonpath={.items[*].status}');
  await tryRun('get', 'pods', '-n', namespace, '-o', 'wide');
  for (const p of (await cluster.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace })).items) await tryRun('logs', '-n', namespace, p.metadata.name, '--tail', '30');
  return out.join('\n');
}

async function waitRunning(namespace: string, name: string): Promise<{ id: string }> {
  const d = await waitFor(`Deployment ${name} Running (or Failed)`, async () => {
    const x = await getWithStatus(cluster.rest, 'Deployment', name, namespace);
    return x?.status?.phase === 'Running' || x?.status?.phase === 'Failed' ? x : undefined;
  }, 180_000, 500).catch(async (err: unknown) => {
    process.stderr.write(`[e2e-sql] ${String(err)}\n${await diagnostics(namespace)}\n`);
    throw err;
  });
  if (d.status?.phase !== 'Running') process.stderr.write(`[e2e-sql] ${name} ${d.status?.phase}: ${String(d.status?.reason)}\n${await diagnostics(namespace)}\n`);
  expect({ phase: d.status?.phase, reason: d.status?.reason }).toEqual({ phase: 'Running', reason: undefined });
  return d.status?.job as { id: string };
}

const sqlDeployment = (namespace: string, name: string, sql: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: API, kind: 'Deployment', metadata: { name, namespace },
  spec: { source: { sql }, parallelism: 1, jobManager: { cu: 0.25 }, taskManager: { cu: 0.5, slots: 1 }, checkpoints: { intervalSeconds: 2, retained: 2 }, ...extra },
});

describe('SQL Deployments on the node tier', () => {
  test('inline SQL runs in pods and prints its rows; a Savepoint of it restores into a new Deployment that continues the sequence; an invalid script fails naming line and column, without pods; a .sql artifact runs too; a UDF from the namespace\'s sql-artifacts runs, another namespace\'s is refused', async () => {
    const { rest } = cluster;
    workspace = unique('e2e-sql-ws');
    const namespace = unique('e2e-sql-ns');
    await applyAs(rest, {
      apiVersion: API, kind: 'Workspace', metadata: { name: workspace },
      spec: { capacityCU: 4, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: secretName, namespace: OPERATOR_NAMESPACE } } },
    });
    await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
    await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: 2 } });
    await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);

    // An invalid script: Failed with every problem's line and column, a Warning Event, and no pod.
    await applyAs(rest, sqlDeployment(namespace, 'bad-sql', INVALID_SQL));
    const bad = await waitForPhase(rest, 'Deployment', 'bad-sql', namespace, 'Failed', 30_000);
    expect(bad.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSql', message: expect.stringMatching(/^spec\.source\.sql: line 3, column 26: Column 'idd' not found in any table/) });
    await waitFor('InvalidSql Warning Event', async () => (await eventsFor(rest, namespace, 'bad-sql')).find((e) => e.type === 'Warning' && e.reason === 'InvalidSql' && (e.note ?? '').includes('line 3, column 26')), 30_000);
    expect(await podsOf(namespace, 'bad-sql')).toEqual([]);

    // A valid script runs: the JobManager in the pod runs the SQL job, the TaskManager prints its rows.
    await applyAs(rest, sqlDeployment(namespace, 'ticks-a', SQL));
    const jobA = await waitRunning(namespace, 'ticks-a');
    expect(await jobManagerGet<{ state: string; name: string }>(rest, namespace, 'ticks-a', `/jobs/${jobA.id}`)).toMatchObject({ state: 'RUNNING', name: 'sql' });
    const first = await waitFor('rows printed by ticks-a', async () => {
      const ids = await printedIds(namespace, 'ticks-a');
      return ids.length >= 20 ? ids : undefined;
    }, 60_000, 1000);
    // From the start of the sequence, every even id once, in order.
    expect(first.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * (i + 1)));

    // A user's Savepoint of the running SQL job.
    await applyAs(rest, { apiVersion: API, kind: 'Savepoint', metadata: { name: 'ticks-sp', namespace }, spec: { deployment: 'ticks-a' } });
    const sp = await waitFor('Savepoint Completed', async () => {
      const s = await getWithStatus(rest, 'Savepoint', 'ticks-sp', namespace);
      if (s?.status?.phase === 'Failed') throw new Error(`savepoint failed: ${String(s.status.failureReason)}`);
      return s?.status?.phase === 'Completed' ? s : undefined;
    }, 60_000, 500);
    const savepointPath = String(sp.status?.path);
    expect(savepointPath).toMatch(new RegExp(`^s3://${s3.bucket}/${prefix}flink-savepoints/${namespace}/ticks-a/`));
    // What ticks-a printed up to now: at least up to the savepoint's position.
    const lastA = (await printedIds(namespace, 'ticks-a')).at(-1)!;
    // Stop the first deployment (its pods and CU go), then start a new one from the savepoint.
    await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name: 'ticks-a' }, { spec: { state: 'cancelled' } });
    await waitFor('ticks-a pods gone', async () => (await podsOf(namespace, 'ticks-a')).length === 0, 60_000, 1000);

    await applyAs(rest, sqlDeployment(namespace, 'ticks-b', SQL, { restore: { strategy: 'savepoint', savepointName: 'ticks-sp' } }));
    const jobB = await waitRunning(namespace, 'ticks-b');
    const restored = await waitFor('restore reported by the JobManager', async () => (await jobManagerGet<{ latest?: { restored?: { external_path?: string; is_savepoint?: boolean } | null } }>(rest, namespace, 'ticks-b', `/jobs/${jobB.id}/checkpoints`)).latest?.restored ?? undefined, 30_000, 1000);
    expect(restored).toMatchObject({ is_savepoint: true, external_path: expect.stringContaining(savepointPath.replace(/^s3:\/\/[^/]+\//, '').replace(/\/$/, '')) });
    // The restored source continues the sequence after the savepoint's position: not from 2, and without gaps.
    const continued = await waitFor('rows printed by ticks-b', async () => {
      const ids = await printedIds(namespace, 'ticks-b');
      return ids.length >= 10 ? ids : undefined;
    }, 60_000, 1000);
    const start = continued[0]!;
    expect(start).toBeGreaterThan(first[19]!);
    expect(start).toBeLessThanOrEqual(lastA + 2);
    expect(continued.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => start + 2 * i));

    // The script as a .sql artifact of the namespace: the operator pins it, the pods run it as the SQL job.
    const client = s3Client(s3);
    try {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}artifacts/namespaces/${namespace}/ticks.sql`, Body: SQL.replace("'sqle2e'", "'sqlart'") }));
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}artifacts/namespaces/${namespace}/bad.sql`, Body: INVALID_SQL }));
    } finally { client.destroy(); }
    // a .sql artifact is checked like inline SQL before any pod: Failed naming the file, line and column
    const badArtifact = sqlDeployment(namespace, 'bad-art', '');
    await applyAs(rest, { ...badArtifact, spec: { ...badArtifact.spec, source: { artifact: { uri: 'bad.sql' } } } });
    const badArt = await waitForPhase(rest, 'Deployment', 'bad-art', namespace, 'Failed', 30_000);
    expect(badArt.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'InvalidSql', message: expect.stringMatching(new RegExp(`^spec\\.source\\.artifact\\.uri \\(s3://${s3.bucket}/${prefix}artifacts/namespaces/${namespace}/bad\\.sql\\): line 3, column 26: Column 'idd' not found`)) });
    expect(await podsOf(namespace, 'bad-art')).toEqual([]);
    const fromArtifact = sqlDeployment(namespace, 'ticks-art', '');
    await applyAs(rest, { ...fromArtifact, spec: { ...fromArtifact.spec, source: { artifact: { uri: 'ticks.sql' } } } });
    await waitRunning(namespace, 'ticks-art');
    const art = await waitFor('rows printed by ticks-art', async () => {
      const ids = await printedIds(namespace, 'ticks-art', 'sqlart');
      return ids.length >= 5 ? ids : undefined;
    }, 60_000, 1000);
    expect(art.slice(0, 5)).toEqual([2, 4, 6, 8, 10]);

    // A JAVASCRIPT function from the namespace's sql-artifacts folder. The first two runs free their CU.
    for (const name of ['ticks-b', 'ticks-art']) await rest.mergePatch({ apiVersion: API, kind: 'Deployment', namespace, name }, { spec: { state: 'cancelled' } });
    await waitFor('ticks-b and ticks-art pods gone', async () => (await podsOf(namespace, 'ticks-b')).length + (await podsOf(namespace, 'ticks-art')).length === 0, 60_000, 1000);
    const moduleKey = (ns: string) => `${prefix}sql-artifacts/namespaces/${ns}/udf/tenfold.mjs`;
    // What `npx millrace artifacts upload --kind sql-artifacts --name udf/tenfold.mjs` puts into the bucket: the module and its types file.
    const upload = async (ns: string) => {
      const c = s3Client(s3);
      try {
        await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: moduleKey(ns), Body: UDF_MODULE }));
        await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${moduleKey(ns)}.types.json`, Body: formatModuleTypes(describeUdfModule(udfFile)) }));
      } finally { c.destroy(); }
    };
    // Another namespace's module (it exists) is refused before any pod, naming the function and the fix.
    await upload('e2e-other-team');
    await applyAs(rest, sqlDeployment(namespace, 'udf-foreign', udfSql(`s3://${s3.bucket}/${moduleKey('e2e-other-team')}`)));
    const foreign = await waitForPhase(rest, 'Deployment', 'udf-foreign', namespace, 'Failed', 30_000);
    expect(foreign.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'SqlModuleNotAllowed', message: expect.stringMatching(/^spec\.source\.sql: line 11, column 1: function 'tenfold' .* is outside the namespace's sql-artifacts folder; a Deployment loads function modules only from its own namespace's/) });
    await waitFor('SqlModuleNotAllowed Warning Event', async () => (await eventsFor(rest, namespace, 'udf-foreign')).find((e) => e.type === 'Warning' && e.reason === 'SqlModuleNotAllowed'), 30_000);
    expect(await podsOf(namespace, 'udf-foreign')).toEqual([]);
    // Its own module, not uploaded yet: Failed without pods; once uploaded it starts without a spec change.
    await applyAs(rest, sqlDeployment(namespace, 'ticks-udf', udfSql('udf/tenfold.mjs')));
    const notYet = await waitForPhase(rest, 'Deployment', 'ticks-udf', namespace, 'Failed', 30_000);
    expect(notYet.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'SqlModuleNotFound', message: expect.stringContaining('its module udf/tenfold.mjs does not exist') });
    expect(await podsOf(namespace, 'ticks-udf')).toEqual([]);
    await upload(namespace);
    await waitFor('ticks-udf looked at again (it was Failed)', async () => ((await getWithStatus(rest, 'Deployment', 'ticks-udf', namespace))?.status?.phase !== 'Failed' ? true : undefined), 60_000, 500);
    await waitRunning(namespace, 'ticks-udf');
    const pinned = await getWithStatus(rest, 'Deployment', 'ticks-udf', namespace);
    expect(pinned?.status?.sqlModules).toMatchObject({ modules: [{ module: 'udf/tenfold.mjs', location: `s3://${s3.bucket}/${moduleKey(namespace)}`, sha256: createHash('sha256').update(UDF_MODULE).digest('hex'), functions: [{ export: 'tenfold', kind: 'scalar', result: 'BIGINT' }] }] });
    // The rows the function computed in the TaskManager (printedIds checks each is ten times its id).
    const viaUdf = await waitFor('rows printed by ticks-udf', async () => {
      const ids = await printedIds(namespace, 'ticks-udf', 'sqludf');
      return ids.length >= 5 ? ids : undefined;
    }, 60_000, 1000);
    expect(viaUdf.slice(0, 5)).toEqual([2, 4, 6, 8, 10]);
  }, 600_000);
});
