// Issue 12's end-to-end proof on the node tier: the SQL Deployment of
// examples/connectors/kafka-to-postgres.yaml reads a Kafka topic (the shared broker's SASL_PLAINTEXT
// listener on the cluster's host address, SCRAM-SHA-256) and upserts per-customer totals into a
// PostgreSQL table by primary key (the shared server, on the same host address, scram-sha-256
// logins). Its connectors take their credentials from two Secrets listed in spec.secrets (the
// Kafka user and password, the password of a database role; both made for this test with random
// passwords); checkpoints go to the workspace bucket (MinIO). A TaskManager pod is deleted after a completed checkpoint, while the job
// has records to read; the operator creates a new pod, the JobManager restores the job from the
// checkpoint, and the table ends exactly equal to what the records add up to (a lost record lowers
// a count, a record counted twice raises it). The Deployment is Running again, and neither
// password is in its status, the namespace's Events, the pods' and ConfigMaps' configuration or any
// pod's log. The operator runs in this process (as in sql-deployment.test.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { useNode } from '../cluster/environment.ts';
import { requireNodeImage } from '../cluster/image/node-image.ts';
import { deletePrefix } from '../cluster/s3/bucket.ts';
import { useS3, type S3Connection } from '../cluster/s3/environment.ts';
import { createTopic, produce, uniqueTopic, type TestRecord } from '../connectors/kafka/kafka-admin.ts';
import { useKafka } from '../services/kafka/environment.ts';
import { createScramUser, deleteScramUser, scramLogin, waitForScramLogin } from '../services/kafka/scram-users.ts';
import { createDatabase, dropDatabase, jdbcUrl } from '../services/postgres/environment.ts';
import type { ConnectionSettings } from '../services/postgres/plan.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { API, applyAs, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor, waitForPhase } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { clusterIpJobManagers, jobManagerGet } from './support/cluster-ip-jobmanagers.ts';

const run = promisify(execFile);
const IMAGE = process.env.MILLRACE_E2E_IMAGE ?? 'localhost/millrace:dev';

// The Secrets' values: random, so finding a password anywhere can only mean it leaked.
const KAFKA_USER = `e2e-orders-${randomBytes(4).toString('hex')}`;
const KAFKA_PASSWORD = `kpw-${randomBytes(12).toString('hex')}`;
const GROUP_ID = `orders-${randomBytes(6).toString('hex')}`;
const DB_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const DB_ROLE = `e2e_orders_${randomBytes(4).toString('hex')}`;

// Three batches of orders: before the job starts, just before the pod deletion, after it.
const BATCH = 1500;
const CUSTOMERS = 12;
const order = (id: number) => ({ id, customer: `c${String(id % CUSTOMERS).padStart(2, '0')}`, amount: (id * 7) % 101 + 1 });
const batch = (k: number): TestRecord[] => Array.from({ length: BATCH }, (_, i) => {
  const o = order(k * BATCH + i + 1);
  return { key: String(o.id), value: JSON.stringify(o) };
});
/** The table the three batches must leave: per customer, how many orders and their total. */
function expectedTotals(): Array<{ customer: string; orders: number; total: number }> {
  const by = new Map<string, { orders: number; total: number }>();
  for (let id = 1; id <= 3 * BATCH; id++) {
    const o = order(id);
    const t = by.get(o.customer) ?? { orders: 0, total: 0 };
    by.set(o.customer, { orders: t.orders + 1, total: t.total + o.amount });
  }
  return [...by].map(([customer, t]) => ({ customer, ...t })).sort((a, b) => a.customer.localeCompare(b.customer));
}

// The Secrets and the Deployment of examples/connectors/kafka-to-postgres.yaml, as a user applies
// them, with this machine's addresses, the test's topic, group, user, role and values put in,
// checkpoints every 2 s and restarts after 1 s (the example's 10 s and 5 s would only make the test slower).
const EXAMPLE = fileURLToPath(new URL('../../examples/connectors/kafka-to-postgres.yaml', import.meta.url));
function exampleObjects(o: { namespace: string; bootstrap: string; topic: string; jdbcUrl: string }): KubeObject[] {
  const docs = parseAllDocuments(readFileSync(EXAMPLE, 'utf8')).map((d) => d.toJS() as KubeObject & { stringData?: Record<string, string>; spec?: { source: { sql: string } } & Record<string, unknown> });
  const values: Record<string, Record<string, string>> = { 'orders-kafka': { username: KAFKA_USER, password: KAFKA_PASSWORD }, 'orders-db': { password: DB_PASSWORD } };
  return docs.map((d) => {
    const metadata = { ...d.metadata, namespace: o.namespace };
    if (d.kind === 'Secret') {
      expect(Object.keys(d.stringData ?? {}).sort()).toEqual(Object.keys(values[d.metadata.name]!).sort());
      return { ...d, metadata, stringData: values[d.metadata.name] };
    }
    const sql = [
      ["'topic' = 'orders'", `'topic' = '${o.topic}'`],
      ["'kafka.shop.svc:9093'", `'${o.bootstrap}'`],
      ["'properties.group.id' = 'orders-to-postgres'", `'properties.group.id' = '${GROUP_ID}'`],
      ["'jdbc:postgresql://postgres.shop.svc:5432/shop'", `'${o.jdbcUrl}'`],
      ["'username' = 'orders_job'", `'username' = '${DB_ROLE}'`],
    ].reduce((text, [from, to]) => { expect(text).toContain(from); return text.replace(from!, to!); }, d.spec!.source.sql);
    return { ...d, metadata, spec: { ...d.spec, source: { sql }, checkpoints: { intervalSeconds: 2, retained: 2 }, restartStrategy: { type: 'fixedDelay', attempts: 10, delaySeconds: 1 } } };
  });
}

type PodView = KubeObject & { status?: { phase?: string; containerStatuses?: Array<{ ready?: boolean }> } };
interface CheckpointsView { counts: { completed: number; restored: number }; latest: { completed: { id: number } | null; restored: { id: number; is_savepoint: boolean } | null } }

let cluster: Cluster;
let kubeconfigPath: string;
let hostAddress: string;
let s3: S3Connection;
let bootstrap: string;
let saslBootstrap: string;
let db: ConnectionSettings | undefined;
let admin: pg.Client | undefined;
let kafkaUser = false;
let operator: Operator | undefined;
const storageSecret = unique('k2p-s3');
const prefix = `${unique('e2e-k2p')}/`;
let workspace = '';

beforeAll(async () => {
  const node = await useNode();
  ({ kubeconfigPath, hostAddress } = node);
  await requireNodeImage(IMAGE);
  cluster = await useOperatorCluster();
  s3 = await useS3({ hostAddress });
  const kafka = await useKafka({ hostAddress });
  bootstrap = kafka.bootstrap;
  if (!kafka.saslBootstrap) throw new Error('the Kafka broker has no SASL listener for pods: with MILLRACE_KAFKA_BOOTSTRAP set, also set MILLRACE_KAFKA_SASL_BOOTSTRAP (SASL_PLAINTEXT, SCRAM-SHA-256)');
  saslBootstrap = kafka.saslBootstrap;
  // A Kafka user of this test's own (SCRAM-SHA-256); the job reads with its password. The SASL
  // listener refuses a wrong password, so the job's reads prove the Secret's password was used.
  await createScramUser(bootstrap, KAFKA_USER, KAFKA_PASSWORD);
  kafkaUser = true;
  await waitForScramLogin(saslBootstrap, KAFKA_USER, KAFKA_PASSWORD);
  await expect(scramLogin(saslBootstrap, KAFKA_USER, `${KAFKA_PASSWORD}-wrong`)).rejects.toThrow();
  // A database and a login role of this test's own, on the host address where pods connect; the
  // job writes with the role's password.
  db = await createDatabase('e2e_k2p', { hostAddress });
  expect(db.host).toBe(hostAddress);
  admin = new pg.Client(db);
  await admin.connect();
  await admin.query(`CREATE ROLE ${DB_ROLE} LOGIN PASSWORD '${DB_PASSWORD}'`);
  await admin.query(`CREATE TABLE totals (customer TEXT PRIMARY KEY, orders BIGINT NOT NULL, total BIGINT NOT NULL); GRANT SELECT, INSERT, UPDATE ON totals TO ${DB_ROLE}`);
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: storageSecret, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  operator = await startInProcessOperator(cluster, { jobManagers: clusterIpJobManagers(cluster.rest), defaultImage: IMAGE });
}, 600_000);

afterAll(async () => {
  const rest = cluster?.rest;
  if (rest && workspace) {
    // The Workspace finalizer deletes the Namespace and its Deployment (pods, Secrets) first.
    await rest.delete({ apiVersion: API, kind: 'Workspace', name: workspace });
    await waitFor('workspace deleted', async () => !(await getWithStatus(rest, 'Workspace', workspace)), 180_000, 1000)
      .catch((err: unknown) => process.stderr.write(`[e2e-k2p] cleanup incomplete: ${String(err)}\n`));
  }
  await operator?.stop();
  if (rest) await rest.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: storageSecret });
  if (kafkaUser) await deleteScramUser(bootstrap, KAFKA_USER).catch((err: unknown) => process.stderr.write(`[e2e-k2p] Kafka user not deleted: ${String(err)}\n`));
  await admin?.end();
  if (db) {
    await dropDatabase(db);
    const base = new pg.Client({ ...db, database: 'postgres' });
    await base.connect();
    try { await base.query(`DROP ROLE IF EXISTS ${DB_ROLE}`); } finally { await base.end(); }
  }
  if (s3) await deletePrefix(s3, prefix);
}, 240_000);

async function kubectl(...args: string[]): Promise<string> {
  return (await run('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { maxBuffer: 32 << 20 })).stdout;
}

const podsOf = async (namespace: string, name: string) =>
  (await cluster.rest.list<PodView>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` })).items;
const taskManagers = async (namespace: string, name: string) =>
  (await podsOf(namespace, name)).filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager');

async function tableRows(): Promise<Array<{ customer: string; orders: number; total: number }>> {
  const r = await admin!.query<{ customer: string; orders: string; total: string }>('SELECT customer, orders, total FROM totals ORDER BY customer');
  return r.rows.map((x) => ({ customer: x.customer, orders: Number(x.orders), total: Number(x.total) }));
}

/** What a person would look at when the job does not recover: status, pods, their logs. */
async function diagnostics(namespace: string): Promise<string> {
  const out: string[] = [];
  const tryRun = async (...args: string[]) => { try { out.push(`$ kubectl ${args.join(' ')}`, await kubectl(...args)); } catch (e) { out.push(String(e)); } };
  await tryRun('get', 'deployments.millrace.dev', '-n', namespace, '-o', 'jsonpath={.items[*].status}');
  await tryRun('get', 'pods', '-n', namespace, '-o', 'wide');
  for (const p of (await cluster.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace })).items) await tryRun('logs', '-n', namespace, p.metadata.name, '--tail', '40');
  out.push(`table: ${JSON.stringify(await tableRows().catch((e: unknown) => String(e)))}`);
  return out.join('\n');
}

test('Kafka (SASL/SCRAM) → PostgreSQL upsert with Secrets for both survives a TaskManager pod deletion: the table ends exact, the Deployment Running, no password anywhere', async () => {
  const { rest } = cluster;
  workspace = unique('e2e-k2p-ws');
  const namespace = unique('e2e-k2p-ns');
  const name = 'orders-to-postgres';
  await applyAs(rest, {
    apiVersion: API, kind: 'Workspace', metadata: { name: workspace },
    spec: { capacityCU: 4, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: storageSecret, namespace: OPERATOR_NAMESPACE } } },
  });
  await waitForPhase(rest, 'Workspace', workspace, undefined, 'Ready', 60_000);
  await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: 2 } });
  await waitForPhase(rest, 'Queue', 'default-queue', namespace, 'Active', 60_000);

  const topic = uniqueTopic('e2e-orders');
  await createTopic(bootstrap, topic, 2);
  await produce(bootstrap, topic, batch(0));
  const objects = exampleObjects({ namespace, bootstrap: saslBootstrap, topic, jdbcUrl: jdbcUrl(db!) });
  expect(objects.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual(['Secret/orders-kafka', 'Secret/orders-db', `Deployment/${name}`]);
  for (const x of objects) {
    if (x.kind === 'Secret') await rest.apply(x, TEST_MANAGER); // as whoever may write Secrets in the namespace
    else await applyAs(rest, x);
  }
  const running = await waitFor(`Deployment ${name} Running (or Failed)`, async () => {
    const d = await getWithStatus(rest, 'Deployment', name, namespace);
    return d?.status?.phase === 'Running' || d?.status?.phase === 'Failed' ? d : undefined;
  }, 180_000, 500).catch(async (err: unknown) => { throw new Error(`${String(err)}\n${await diagnostics(namespace)}`); });
  expect({ phase: running.status?.phase, reason: running.status?.reason }).toEqual({ phase: 'Running', reason: undefined });
  const jobId = (running.status?.job as { id: string }).id;

  // Mid-stream: a checkpoint completed after the first rows reached the table, then more records.
  const checkpointed = await waitFor('first rows in the table, then a completed checkpoint', async () => {
    const counted = (await tableRows()).reduce((n, r) => n + r.orders, 0);
    if (counted === 0) return undefined;
    const c = await jobManagerGet<CheckpointsView>(rest, namespace, name, `/jobs/${jobId}/checkpoints`);
    return c.counts.completed >= 1 ? c : undefined;
  }, 120_000, 500).catch(async (err: unknown) => { throw new Error(`${String(err)}\n${await diagnostics(namespace)}`); });
  expect(checkpointed.latest.completed).not.toBeNull();
  await produce(bootstrap, topic, batch(1));
  const [victim] = await taskManagers(namespace, name);
  expect(victim).toBeDefined();
  const logsBefore = await kubectl('logs', '-n', namespace, victim!.metadata.name);
  const countedAtDeletion = (await tableRows()).reduce((n, r) => n + r.orders, 0);
  await rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: victim!.metadata.name });
  await produce(bootstrap, topic, batch(2));

  // The operator creates a new TaskManager pod; the JobManager restores the same job from a checkpoint.
  const replacement = await waitFor('a new TaskManager pod ready', async () => {
    const tms = await taskManagers(namespace, name);
    const fresh = tms.find((p) => p.metadata.uid !== victim!.metadata.uid && p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready));
    return fresh && tms.length === 1 ? fresh : undefined;
  }, 120_000, 500).catch(async (err: unknown) => { throw new Error(`${String(err)}\n${await diagnostics(namespace)}`); });
  const restored = await waitFor('the job restored from a checkpoint', async () => {
    const c = await jobManagerGet<CheckpointsView>(rest, namespace, name, `/jobs/${jobId}/checkpoints`);
    return c.latest.restored ?? undefined;
  }, 120_000, 500).catch(async (err: unknown) => { throw new Error(`${String(err)}\n${await diagnostics(namespace)}`); });
  expect(restored.is_savepoint).toBe(false);
  expect(restored.id).toBeGreaterThanOrEqual(checkpointed.latest.completed!.id);

  // Exact output: every order counted once. Then still exact after one more completed checkpoint.
  const expected = expectedTotals();
  await waitFor('the table equal to the three batches', async () => JSON.stringify(await tableRows()) === JSON.stringify(expected), 120_000, 500)
    .catch(async (err: unknown) => { throw new Error(`${String(err)}\n${await diagnostics(namespace)}`); });
  const after = (await jobManagerGet<CheckpointsView>(rest, namespace, name, `/jobs/${jobId}/checkpoints`)).counts.completed;
  await waitFor('one more completed checkpoint', async () => (await jobManagerGet<CheckpointsView>(rest, namespace, name, `/jobs/${jobId}/checkpoints`)).counts.completed > after, 60_000, 500);
  const rows = await tableRows();
  expect(rows).toEqual(expected);
  expect(rows.reduce((n, r) => n + r.orders, 0)).toBe(3 * BATCH);

  // Running again, the same job, as status and the JobManager say.
  // (the operator's status follows the JobManager's job state by polling, so it may still say RESTARTING)
  const final = await waitFor('status: Running with the job RUNNING', async () => {
    const d = await getWithStatus(rest, 'Deployment', name, namespace);
    return d?.status?.phase === 'Running' && (d.status.job as { state?: string } | undefined)?.state === 'RUNNING' ? d : undefined;
  }, 120_000, 500).catch(async (err: unknown) => { throw new Error(`${String(err)}\n${await diagnostics(namespace)}`); });
  expect(final.status?.job).toMatchObject({ id: jobId, state: 'RUNNING' });
  const job = await jobManagerGet<{ state: string; restarts: number; exceptions: Array<{ message: string }> }>(rest, namespace, name, `/jobs/${jobId}`);
  process.stderr.write(`[e2e-k2p] orders in the table at the deletion: ${countedAtDeletion}; restored checkpoint ${restored.id} (first completed ${checkpointed.latest.completed!.id}); restarts ${job.restarts}: ${job.exceptions.map((e) => e.message).join(' | ')}\n`);
  // restarted because its TaskManager went away, not for another reason
  expect(job).toMatchObject({ state: 'RUNNING', restarts: expect.any(Number) });
  expect(job.restarts).toBeGreaterThanOrEqual(1);
  expect(job.exceptions.map((e) => e.message)).toContainEqual(expect.stringContaining('TaskManager'));

  // No Secret value in status, Events, pod and ConfigMap configuration, or any pod's log.
  // the deleted TaskManager's log (read before the deletion), its replacement's, the JobManager's
  const logs = [logsBefore];
  for (const p of await podsOf(namespace, name)) logs.push(await kubectl('logs', '-n', namespace, p.metadata.name));
  expect((await podsOf(namespace, name)).map((p) => p.metadata.uid)).toContain(replacement.metadata.uid);
  const places = {
    status: JSON.stringify(final),
    events: await kubectl('get', 'events', '-n', namespace, '-o', 'json'),
    configuration: `${await kubectl('get', 'pods', '-n', namespace, '-o', 'json')}${await kubectl('get', 'configmaps', '-n', namespace, '-o', 'json')}`,
    logs: logs.join('\n'),
  };
  expect(places.configuration).toContain('${secret:orders-db/password}');
  expect(places.configuration).toContain('${secret:orders-kafka/password}');
  for (const [where, text] of Object.entries(places)) {
    expect({ where, kafkaPassword: text.includes(KAFKA_PASSWORD), dbPassword: text.includes(DB_PASSWORD) }).toEqual({ where, kafkaPassword: false, dbPassword: false });
  }
}, 600_000);
