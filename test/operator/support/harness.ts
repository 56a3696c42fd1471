// Shared set-up of the operator integration tests: a real control plane (test/cluster),
// the generated CRDs and member ClusterRoles installed, and helpers to run the operator
// in-process or as a child process and to wait for the world to converge.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parse } from 'yaml';
import { useControlPlane } from '../../cluster/environment.ts';
import { httpJobManagerClient } from '../../../operator/jobmanager/client.ts';
import type { JobManagerClientFactory } from '../../../operator/jobmanager/client.ts';
import { systemClock } from '../../../operator/kube/clock.ts';
import { KubeRest } from '../../../operator/kube/rest-client.ts';
import type { KubeObject } from '../../../operator/kube/rest-client.ts';
import { Operator } from '../../../operator/manager.ts';
import { memberClusterRoles } from '../../../operator/rbac/member-roles.ts';
import { operatorClusterRole, operatorTenantClusterRole, tenantRoleName } from '../../../operator/rbac/operator-role.ts';
import { createOperatorMetrics } from '../../../operator/server/metrics.ts';
import type { WorkspaceStorage } from '../../../operator/storage/workspace-storage.ts';
import { s3WorkspaceStorage } from '../../../operator/storage/workspace-storage.ts';
import { s3SavepointFiles } from '../../../operator/storage/savepoint-files.ts';

export { waitFor } from './wait.ts';
import { waitFor } from './wait.ts';

export const TEST_MANAGER = 'millrace-tests';
export const OPERATOR_NAMESPACE = 'millrace-system';
const CRD_DIR = new URL('../../../crds/', import.meta.url);

export interface Cluster { kubeconfigPath: string; kc: KubeConfig; rest: KubeRest }

/** Unique DNS-label names, so reruns against a reused control plane never collide. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

let clusterPromise: Promise<Cluster> | undefined;
export function useOperatorCluster(): Promise<Cluster> {
  clusterPromise ??= (async () => {
    const { kubeconfigPath } = await useControlPlane();
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const rest = new KubeRest(kc);
    for (const file of (await readdir(CRD_DIR)).filter((f) => f.endsWith('.yaml'))) {
      const crd = parse(await readFile(new URL(file, CRD_DIR), 'utf8')) as KubeObject;
      await rest.apply(crd, TEST_MANAGER);
      await waitFor(`CRD ${crd.metadata.name} established`, async () => {
        const c = await rest.get<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>({ apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name });
        return c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
      });
    }
    for (const role of memberClusterRoles()) await rest.apply(role, TEST_MANAGER);
    await rest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATOR_NAMESPACE } }, TEST_MANAGER);
    return { kubeconfigPath, kc, rest };
  })();
  return clusterPromise;
}

/** A JobManager address where nothing listens: the control-plane tier runs no pods. */
export const UNREACHABLE_JOBMANAGER = 'http://127.0.0.1:9';
/**
 * Deployments (namespace/name) whose JobManager is a local runtime process, by URL. The control-plane
 * tier runs no kubelet and the operator asks no JobManager whose pod is not Running, so while a
 * Deployment is in this map its JobManager pods are marked Running, as a kubelet would.
 */
export const localJobManagers = new (class extends Map<string, string> {
  override set(key: string, url: string): this {
    const fresh = !this.has(key);
    super.set(key, url);
    if (fresh) void (async () => {
      const { rest } = await useOperatorCluster();
      const [namespace, name] = key.split('/') as [string, string];
      while (this.has(key)) {
        const pods = await rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `millrace.dev/deployment=${name}` }).catch(() => ({ items: [] as KubeObject[] }));
        for (const p of pods.items) {
          if (p.metadata.name.startsWith(`${name}-jm-`) && !p.metadata.deletionTimestamp && (p.status as { phase?: string } | undefined)?.phase !== 'Running') {
            await rest.mergePatch({ apiVersion: 'v1', kind: 'Pod', namespace, name: p.metadata.name }, { status: { phase: 'Running' } }, 'status').catch(() => undefined);
          }
        }
        await new Promise((r) => setTimeout(r, 250).unref());
      }
    })();
    return this;
  }
})();

/**
 * Operators started by this test process reconcile only objects labelled with this process's
 * instance label (applyAs stamps it), so test runs and benchmarks sharing a cluster stay apart.
 */
export const TEST_INSTANCE_LABEL = 'millrace.dev/test-instance';
export const TEST_WATCH_SELECTOR = `${TEST_INSTANCE_LABEL}=${unique('run')}`;

export async function startInProcessOperator(cluster: Cluster, opts: { storage?: WorkspaceStorage; workers?: number; jobManagers?: JobManagerClientFactory; defaultImage?: string; watchSelector?: string } = {}): Promise<Operator> {
  const op = new Operator({
    rest: cluster.rest, clock: systemClock, random: Math.random,
    logger: pino({ level: process.env.MILLRACE_TEST_LOG_LEVEL ?? 'silent' }),
    metrics: createOperatorMetrics({ defaultMetrics: false }),
    jobManagers: opts.jobManagers ?? (({ namespace, name }) => httpJobManagerClient(localJobManagers.get(`${namespace}/${name}`) ?? UNREACHABLE_JOBMANAGER, 1000)),
    storage: opts.storage ?? s3WorkspaceStorage(), savepointFiles: s3SavepointFiles(), defaultImage: opts.defaultImage ?? 'millrace:test', workers: opts.workers ?? 4,
    instance: 'jest', watchSelector: opts.watchSelector ?? TEST_WATCH_SELECTOR,
  });
  await op.startInformers();
  op.startControllers();
  return op;
}

export const API = 'millrace.dev/v1alpha1';

/** A valid inline pipeline: what test Deployments run unless they say otherwise. */
export const TEST_PIPELINE = 'source: { type: nexmark, rate: 50 }\nsink: { type: blackhole }\n';

/** Server-side apply as the test user; Millrace objects get this process's instance label. */
export async function applyAs(rest: KubeRest, obj: KubeObject): Promise<KubeObject> {
  if (obj.apiVersion !== API) return rest.apply(obj, TEST_MANAGER);
  const [key, value] = TEST_WATCH_SELECTOR.split('=') as [string, string];
  return rest.apply({ ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [key]: value } } }, TEST_MANAGER);
}

type WithStatus = KubeObject & { status?: { phase?: string; conditions?: Array<{ type: string; status: string; reason: string; message: string }> } & Record<string, unknown> };
export async function getWithStatus(rest: KubeRest, kind: string, name: string, namespace?: string): Promise<WithStatus | undefined> {
  return rest.getOrUndefined<WithStatus>({ apiVersion: API, kind, name, namespace });
}

export async function waitForPhase(rest: KubeRest, kind: string, name: string, namespace: string | undefined, phase: string, timeoutMs = 60_000): Promise<WithStatus> {
  return waitFor(`${kind} ${namespace ? `${namespace}/` : ''}${name} in phase ${phase}`, async () => {
    const o = await getWithStatus(rest, kind, name, namespace);
    return o?.status?.phase === phase ? o : undefined;
  }, timeoutMs);
}

export async function eventsFor(rest: KubeRest, namespace: string, name: string): Promise<Array<{ reason: string; note?: string; type: string }>> {
  const list = await rest.list<KubeObject & { reason: string; note?: string; type: string; regarding?: { name?: string } }>({ apiVersion: 'events.k8s.io/v1', kind: 'Event', namespace });
  return list.items.filter((e) => e.regarding?.name === name).map((e) => ({ reason: e.reason, note: e.note, type: e.type }));
}

/** A Workspace, a Namespace of it and its Kubernetes namespace, ready for queues and deployments. */
export async function createWorkspaceAndNamespace(rest: KubeRest, opts: { capacityCU: number; quotaCU: number; members?: unknown[]; storage?: Record<string, unknown> }): Promise<{ workspace: string; namespace: string }> {
  const workspace = unique('ws');
  const namespace = unique('ns');
  await applyAs(rest, {
    apiVersion: API, kind: 'Workspace', metadata: { name: workspace },
    spec: { capacityCU: opts.capacityCU, storage: opts.storage ?? { bucket: 'millrace-tests', endpoint: 'http://127.0.0.1:9', secretRef: { name: 's3', namespace: OPERATOR_NAMESPACE } } },
  });
  await applyAs(rest, { apiVersion: API, kind: 'Namespace', metadata: { name: namespace }, spec: { workspace, quotaCU: opts.quotaCU, members: opts.members ?? [] } });
  return { workspace, namespace };
}

/**
 * A kubeconfig for the operator's own ServiceAccount, bound only to operatorClusterRole():
 * operator processes in tests run with the least privilege the chart gives them.
 */
export async function operatorKubeconfig(cluster: Cluster): Promise<string> {
  const { rest, kc } = cluster;
  const sa = 'millrace-operator';
  await rest.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: OPERATOR_NAMESPACE } }, TEST_MANAGER);
  await rest.apply(operatorClusterRole(sa), TEST_MANAGER);
  // Its rights in tenant namespaces: bound there by the operator itself (RoleBinding millrace-operator).
  await rest.apply(operatorTenantClusterRole(tenantRoleName(sa)), TEST_MANAGER);
  await rest.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: sa },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: sa }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: OPERATOR_NAMESPACE }],
  }, TEST_MANAGER);
  const token = await rest.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${OPERATOR_NAMESPACE}/serviceaccounts/${sa}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const current = kc.getCurrentCluster();
  if (!current) throw new Error('admin kubeconfig has no cluster');
  const caData = current.caData ?? (current.caFile ? (await readFile(current.caFile)).toString('base64') : undefined);
  const config = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'operator',
    clusters: [{ name: 'local', cluster: { server: current.server, ...(caData ? { 'certificate-authority-data': caData } : { 'insecure-skip-tls-verify': true }) } }],
    users: [{ name: sa, user: { token: token.status.token } }],
    contexts: [{ name: 'operator', context: { cluster: 'local', user: sa } }],
  };
  const path = join(await mkdtemp(join(tmpdir(), 'millrace-operator-')), 'kubeconfig');
  await writeFile(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}
