// Storage credentials per namespace (issue 14 point 5), against the real API server (control-plane
// tier) and the real S3 server (MinIO): the operator keeps the workspace key and gives each
// namespace STS credentials limited to its own prefixes. A job of namespace B, holding what the
// kubelet would mount from B's Secret, can neither read, write, delete nor list A's prefixes, and
// A's objects are untouched afterwards. Renewal: credentials are minted again once half their
// lifetime has passed (manual clock), and a runtime S3 client reading the mounted files picks the
// renewed ones up without a restart.
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { s3Client } from '../cluster/s3/bucket.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';
import { provideNamespaceCredentials } from '../../operator/credentials/namespace-credentials.ts';
import { stsCredentialMinter } from '../../operator/credentials/sts-minter.ts';
import type { ReconcileContext } from '../../operator/controllers/shared/context.ts';
import type { Namespace } from '../../operator/api/v1alpha1/namespace.ts';
import { workspaceSchema } from '../../operator/api/v1alpha1/workspace.ts';
import type { KubeObject } from '../../operator/kube/rest-client.ts';
import type { Operator } from '../../operator/manager.ts';
import { createS3Client } from '../../runtime/storage/open-object-store.ts';
import { resolveS3Settings } from '../../runtime/storage/s3-settings.ts';
import { API, applyAs, getWithStatus, OPERATOR_NAMESPACE, startInProcessOperator, TEST_MANAGER, unique, useOperatorCluster, waitFor } from '../operator/support/harness.ts';
import type { Cluster } from '../operator/support/harness.ts';
import { stopOperatorAfterCleanup } from './support/operator-run.ts';

let cluster: Cluster;
let s3: S3Connection;
let admin: S3Client;
let operator: Operator | undefined;
const dirs: string[] = [];
const prefix = `test/security-storage/${randomUUID().slice(0, 8)}/`;

beforeAll(async () => {
  [cluster, s3] = await Promise.all([useOperatorCluster(), useS3()]);
  admin = s3Client(s3);
}, 600_000);

afterAll(async () => {
  await stopOperatorAfterCleanup(cluster, operator);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  if (!admin) return;
  const listed = await admin.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  for (const o of listed.Contents ?? []) await admin.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: o.Key }));
  admin.destroy();
}, 200_000);

/** The workspace key in the operator's namespace, as a cluster admin puts it there. */
async function workspaceSecret(): Promise<string> {
  const name = unique('ws-key');
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: OPERATOR_NAMESPACE }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } }, TEST_MANAGER);
  return name;
}

/** What the kubelet mounts from a namespace's Secret: one file per key. */
async function mountSecret(secret: KubeObject): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'millrace-mounted-s3-'));
  dirs.push(dir);
  for (const [k, v] of Object.entries((secret.data ?? {}) as Record<string, string>)) await writeFile(path.join(dir, k), Buffer.from(v, 'base64'));
  return dir;
}

/** The runtime's S3 client over a mounted credentials directory (runtime/storage/open-object-store.ts). */
function runtimeClient(dir: string, credentialsRereadMs = 300_000): S3Client {
  return createS3Client(resolveS3Settings({}, { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentialsDir: dir, credentialsRereadMs }));
}

const errorName = (p: Promise<unknown>) => p.then(() => 'allowed', (e: { name?: string }) => e.name ?? String(e));
const body = async (client: S3Client, key: string) => (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body?.transformToString();

describe('storage credentials per namespace (STS AssumeRole with a session policy)', () => {
  test('a job of namespace B cannot read, write, delete or list the prefixes of namespace A; its own prefixes work; A loses nothing', async () => {
    operator = await startInProcessOperator(cluster);
    const secretRef = { name: await workspaceSecret(), namespace: OPERATOR_NAMESPACE };
    const workspace = unique('ws');
    const [a, b] = [unique('team-a'), unique('team-b')];
    await applyAs(cluster.rest, { apiVersion: API, kind: 'Workspace', metadata: { name: workspace }, spec: { capacityCU: 4, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef } } });
    for (const ns of [a, b]) await applyAs(cluster.rest, { apiVersion: API, kind: 'Namespace', metadata: { name: ns }, spec: { workspace, quotaCU: 1, members: [] } });
    for (const ns of [a, b]) {
      const condition = await waitFor(`StorageCredentials of ${ns}`, async () => (await getWithStatus(cluster.rest, 'Namespace', ns))?.status?.conditions?.find((c) => c.type === 'StorageCredentials' && c.status === 'True'), 60_000);
      expect(condition).toMatchObject({ reason: 'Issued' });
      expect(condition.message).toContain(`${prefix}flink-jobs/${ns}/`);
    }
    const bSecret = await cluster.rest.get<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: b, name: 'millrace-s3-credentials' });
    const bData = bSecret.data as Record<string, string>;
    // The workspace key never reaches the tenant namespace.
    expect(Buffer.from(bData.AWS_ACCESS_KEY_ID ?? '', 'base64').toString()).not.toBe(s3.accessKeyId);
    expect(Buffer.from(bData.AWS_SECRET_ACCESS_KEY ?? '', 'base64').toString()).not.toBe(s3.secretAccessKey);
    expect(bData.AWS_SESSION_TOKEN).toBeTruthy();

    // A's state, written with the workspace key.
    const aKeys = [
      `${prefix}flink-jobs/${a}/orders/ha/job.json`,
      `${prefix}flink-jobs/${a}/orders/job-1/chk-1/_metadata`,
      `${prefix}flink-savepoints/${a}/orders/savepoint-1/_metadata`,
      `${prefix}flink-sessionclusters/${a}/session/ha/job.json`,
      `${prefix}artifacts/namespaces/${a}/job.js`,
      `${prefix}sql-artifacts/namespaces/${a}/udf.js`,
      `${prefix}logs/namespaces/${a}/orders/job-1/jobmanager.log`,
    ];
    for (const Key of aKeys) await admin.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: `state of ${a}` }));
    await admin.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}artifacts/namespaces/${b}/job.js`, Body: 'job of b' }));

    const asB = runtimeClient(await mountSecret(bSecret));
    try {
      for (const Key of aKeys) {
        expect([Key, await errorName(asB.send(new GetObjectCommand({ Bucket: s3.bucket, Key })))]).toEqual([Key, 'AccessDenied']);
        expect([Key, await errorName(asB.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: 'planted by b' })))]).toEqual([Key, 'AccessDenied']);
        expect([Key, await errorName(asB.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key })))]).toEqual([Key, 'AccessDenied']);
        const dir = Key.slice(0, Key.lastIndexOf('/') + 1);
        expect([dir, await errorName(asB.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: dir })))]).toEqual([dir, 'AccessDenied']);
      }
      // Nor the whole bucket, the workspace prefix or another namespace's directory by a prefix that is not B's.
      for (const Prefix of [undefined, prefix, `${prefix}flink-jobs/`, `${prefix}flink-jobs/${b}-not-b/`]) {
        expect([Prefix, await errorName(asB.send(new ListObjectsV2Command({ Bucket: s3.bucket, ...(Prefix !== undefined ? { Prefix } : {}) })))]).toEqual([Prefix, 'AccessDenied']);
      }

      // B's own prefixes: checkpoints and savepoints read-write, artifacts read-only.
      const own = `${prefix}flink-jobs/${b}/orders/job-1/chk-1/_metadata`;
      await asB.send(new PutObjectCommand({ Bucket: s3.bucket, Key: own, Body: 'state of b' }));
      expect(await body(asB, own)).toBe('state of b');
      const listed = await asB.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}flink-jobs/${b}/` }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual([own]);
      await asB.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: own }));
      await asB.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}flink-savepoints/${b}/orders/savepoint-1/_metadata`, Body: 'sp' }));
      expect(await body(asB, `${prefix}artifacts/namespaces/${b}/job.js`)).toBe('job of b');
      expect(await errorName(asB.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}artifacts/namespaces/${b}/job.js`, Body: 'replaced by job code' })))).toBe('AccessDenied');
    } finally {
      asB.destroy();
    }
    for (const Key of aKeys) expect(await body(admin, Key)).toBe(`state of ${a}`);
  }, 120_000);

  test('renewed once half the lifetime has passed (manual clock), and a runtime client reading the mounted files picks the new credentials up', async () => {
    const ns = unique('team-r');
    const kns = await cluster.rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, TEST_MANAGER);
    const owner = { apiVersion: 'v1', kind: 'Namespace', name: ns, uid: kns.metadata.uid ?? '' };
    const workspace = workspaceSchema.parse({
      apiVersion: API, kind: 'Workspace', metadata: { name: unique('ws') },
      spec: { capacityCU: 1, storage: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, prefix, secretRef: { name: await workspaceSecret(), namespace: OPERATOR_NAMESPACE }, namespaceCredentials: { durationSeconds: 900 } } },
    });
    const namespace = { apiVersion: API, kind: 'Namespace', metadata: { name: ns }, spec: { workspace: workspace.metadata.name, quotaCU: 1, members: [] } } as unknown as Namespace;
    let now = Date.now();
    const minted: string[] = [];
    const minter = stsCredentialMinter();
    const countingMinter = { mint: async (r: Parameters<typeof minter.mint>[0]) => { const c = await minter.mint(r); minted.push(c.accessKeyId); return c; } };
    const ctx = { rest: cluster.rest, clock: { now: () => now }, fieldManager: TEST_MANAGER, operatorNamespace: OPERATOR_NAMESPACE } as unknown as ReconcileContext;
    const secretOf = () => cluster.rest.get<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: 'millrace-s3-credentials' });

    const first = await provideNamespaceCredentials(ctx, namespace, workspace, owner, countingMinter);
    const mintMs = Date.now() - now;
    expect(first.condition).toMatchObject({ status: 'True', reason: 'Issued' });
    expect(minted).toHaveLength(1);
    // MinIO grants the 15 minutes asked for, counted from when it minted (up to mintMs after
    // `now`, a second or more on a loaded machine; its expiry has whole seconds): renewal is due
    // in about 7.5 minutes.
    expect(first.recheckInMs).toBeGreaterThan(7 * 60_000);
    expect(first.recheckInMs).toBeLessThanOrEqual(7.5 * 60_000 + mintMs / 2 + 500);
    const dir = await mountSecret(await secretOf());
    const runtime = runtimeClient(dir, 500);
    try {
      const key = `${prefix}flink-jobs/${ns}/d/job-1/chk-1/_metadata`;
      await runtime.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'first' }));

      now += 60_000; // nothing is due yet: no new credentials
      expect((await provideNamespaceCredentials(ctx, namespace, workspace, owner, countingMinter)).condition.reason).toBe('Issued');
      expect(minted).toHaveLength(1);

      now += first.recheckInMs; // half the lifetime has passed
      const renewed = await provideNamespaceCredentials(ctx, namespace, workspace, owner, countingMinter);
      expect(renewed.condition).toMatchObject({ status: 'True', reason: 'Issued' });
      expect(minted).toHaveLength(2);
      const secret = await secretOf();
      const renewedKey = Buffer.from((secret.data as Record<string, string>).AWS_ACCESS_KEY_ID ?? '', 'base64').toString();
      expect(renewedKey).toBe(minted[1]);
      expect(renewedKey).not.toBe(minted[0]);

      // The kubelet updates the mounted files in place; the runtime client reads them again.
      for (const [k, v] of Object.entries(secret.data as Record<string, string>)) await writeFile(path.join(dir, k), Buffer.from(v, 'base64'));
      await waitFor('runtime client on the renewed credentials', async () => {
        await runtime.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'second' }));
        return (await runtime.config.credentials()).accessKeyId === renewedKey;
      }, 10_000, 200);
      expect(await body(runtime, key)).toBe('second');
    } finally {
      runtime.destroy();
      await cluster.rest.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    }
  }, 120_000);
});
