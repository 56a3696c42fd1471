// The world of the console's browser tests on the real control-plane tier: the CRDs and member
// ClusterRoles (harness), the console's own ServiceAccount bound to its ClusterRole
// (operator/console/rbac.ts, as the chart installs it), two Millrace namespaces with Queues and
// Deployments whose status is written as the operator would, and three users (ServiceAccount
// tokens): an editor and a viewer of team A, an editor of team B. No operator runs: the tests
// check what the console shows and does, and the objects it changes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { API_VERSION } from '../../../operator/api/v1alpha1/meta.ts';
import { StaticKubeConnection } from '../../../operator/kube/kube-connection.ts';
import type { KubeRest, KubeObject } from '../../../operator/kube/rest-client.ts';
import { consoleClusterRole } from '../../../operator/console/rbac.ts';
import { DraftStore } from '../../../operator/console/drafts/draft-store.ts';
import type { JobManagerUrl } from '../../../operator/console/kube/jobmanager-access.ts';
import { createConsoleServer } from '../../../operator/console/server.ts';
import type { OidcOptions } from '../../../operator/console/auth/oidc.ts';
import { openObjectStore } from '../../../runtime/storage/open-object-store.ts';
import { parse } from 'yaml';
import { TEST_MANAGER, unique, useOperatorCluster, waitFor } from '../../operator/support/harness.ts';

export interface ConsoleWorld {
  admin: KubeRest;
  url: string;
  teamA: string;
  teamB: string;
  tokens: { editor: string; viewer: string; outsider: string };
  usersNamespace: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A ServiceAccount and a token for it: the users (and the console itself) of these tests. */
export async function token(admin: KubeRest, namespace: string, name: string): Promise<string> {
  await admin.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  return waitFor(`a token for ${name}`, async () => (await admin.request<{ status?: { token?: string } }>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } })).status?.token);
}

const binding = (namespace: string, role: string, sa: { namespace: string; name: string }): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${sa.name}-${role}`, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }],
});

export async function withStatus(admin: KubeRest, obj: KubeObject, status: Record<string, unknown>): Promise<void> {
  await admin.create(obj);
  await admin.mergePatch({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name }, { status }, 'status');
}

const deployment = (namespace: string, name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: API_VERSION, kind: 'Deployment', metadata: { name, namespace },
  spec: { source: { pipeline: 'source: {}' }, parallelism: 2, state: 'running', ...spec },
});

export interface ConsoleWorldOptions {
  /** Where the console reaches a Deployment's JobManager; default nowhere (this tier runs no pods). */
  jobManagerUrl?: (d: { namespace: string; name: string }) => string;
}

export async function startConsoleWorld(options: ConsoleWorldOptions = {}): Promise<ConsoleWorld> {
  const cluster = await useOperatorCluster();
  const admin = cluster.rest;
  const teamA = unique('team-a');
  const teamB = unique('team-b');
  const usersNamespace = unique('console-users');
  const workspace = unique('ws');
  for (const ns of [teamA, teamB, usersNamespace]) await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

  // the console as the chart runs it: its own ServiceAccount with the console ClusterRole only
  const roleName = `millrace-console-${usersNamespace}`;
  await admin.apply(consoleClusterRole(roleName), TEST_MANAGER);
  const consoleToken = await token(admin, usersNamespace, 'console');
  await admin.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: roleName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: 'console', namespace: usersNamespace }] });

  const tokens = { editor: await token(admin, usersNamespace, 'editor'), viewer: await token(admin, usersNamespace, 'viewer'), outsider: await token(admin, usersNamespace, 'outsider') };
  // what the operator makes of Namespace.spec.members: RoleBindings to the member ClusterRoles
  await admin.create(binding(teamA, 'millrace-editor', { namespace: usersNamespace, name: 'editor' }));
  await admin.create(binding(teamA, 'millrace-viewer', { namespace: usersNamespace, name: 'viewer' }));
  await admin.create(binding(teamB, 'millrace-editor', { namespace: usersNamespace, name: 'outsider' }));

  await withStatus(admin, { apiVersion: API_VERSION, kind: 'Workspace', metadata: { name: workspace }, spec: { capacityCU: 8, storage: { bucket: 'console-test', secretRef: { name: 's3', namespace: usersNamespace } } } }, { capacityCU: 8, allocatedCU: 6, usedCU: 2.5 });
  await withStatus(admin, { apiVersion: API_VERSION, kind: 'Namespace', metadata: { name: teamA }, spec: { workspace, quotaCU: 4 } }, { phase: 'Active', kubernetesNamespace: teamA, acceptedQuotaCU: 4, allocatedCU: 4, usedCU: 2.5 });
  await withStatus(admin, { apiVersion: API_VERSION, kind: 'Namespace', metadata: { name: teamB }, spec: { workspace, quotaCU: 2 } }, { phase: 'Active', kubernetesNamespace: teamB, acceptedQuotaCU: 2, allocatedCU: 2, usedCU: 0 });
  await withStatus(admin, { apiVersion: API_VERSION, kind: 'Queue', metadata: { name: 'default-queue', namespace: teamA }, spec: { cu: 3 } }, { phase: 'Active', acceptedCU: 3, usedCU: 2.5, queuedDeployments: 2 });
  await withStatus(admin, { apiVersion: API_VERSION, kind: 'Queue', metadata: { name: 'batch', namespace: teamA }, spec: { cu: 1 } }, { phase: 'Active', acceptedCU: 1, usedCU: 0, queuedDeployments: 0 });
  await withStatus(admin, { apiVersion: API_VERSION, kind: 'Queue', metadata: { name: 'default-queue', namespace: teamB }, spec: { cu: 2 } }, { phase: 'Active', acceptedCU: 2, usedCU: 0 });

  // the operator records the (defaulted) spec its pods were made from; the job ran with parallelism 1
  const running = deployment(teamA, 'orders');
  await admin.create(running);
  const created = await admin.get<KubeObject & { spec: Record<string, unknown> }>({ apiVersion: API_VERSION, kind: 'Deployment', namespace: teamA, name: 'orders' });
  await admin.mergePatch({ apiVersion: API_VERSION, kind: 'Deployment', namespace: teamA, name: 'orders' }, { status: {
    phase: 'Running', cuInUse: 2.5, requiredCU: 2.5, taskManagers: 2,
    job: { id: '00000000000000000000000000000001', state: 'RUNNING', startTime: new Date().toISOString(), restarts: 0 },
    lastReconciledSpec: JSON.stringify({ ...created.spec, parallelism: 1 }),
  } }, 'status');
  // queued first, then second: the waiting list shows them in this order whatever their names
  await withStatus(admin, deployment(teamA, 'zeta-report'), { phase: 'Queued', requiredCU: 1.5, queuedSince: '2026-01-01T10:00:00Z', reason: 'waiting for 1.5 CU in default-queue' });
  await withStatus(admin, deployment(teamA, 'alpha-report'), { phase: 'Queued', requiredCU: 2, queuedSince: '2026-01-01T10:05:00Z', reason: 'waiting for 2 CU in default-queue' });
  await withStatus(admin, deployment(teamB, 'secret-b'), { phase: 'Suspended' });
  await admin.create({
    apiVersion: 'v1', kind: 'Event', metadata: { name: `orders.${Date.now()}`, namespace: teamA },
    involvedObject: { apiVersion: API_VERSION, kind: 'Deployment', name: 'orders', namespace: teamA },
    type: 'Normal', reason: 'JobRunning', message: 'job 00000000000000000000000000000001 is RUNNING', count: 1,
    firstTimestamp: new Date().toISOString(), lastTimestamp: new Date().toISOString(), source: { component: 'millrace-operator' },
  });

  // An API server that just started serves a CRD's kind with 429 "storage is (re)initializing" for a
  // while after the CRD is Established (its watch cache still filling): wait until the kinds the
  // pages read are served, as a user would reload.
  for (const kind of ['Deployment', 'Savepoint', 'Queue']) await waitFor(`${kind} objects served`, async () => { await admin.list({ apiVersion: API_VERSION, kind, namespace: teamA }); return true; }, 60_000, 250);

  const draftsDir = mkdtempSync(join(tmpdir(), 'millrace-console-drafts-'));
  const app = await startConsole(cluster.kubeconfigPath, consoleToken, { drafts: new DraftStore(openObjectStore(draftsDir), Date.now), jobManagerUrl: options.jobManagerUrl ?? (() => 'http://127.0.0.1:9') });
  const url = app.listeningOrigin;
  return {
    admin, url, teamA, teamB, tokens, usersNamespace, app,
    async close() {
      await app.close();
      for (const ns of [teamA, teamB, usersNamespace]) await admin.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
      for (const ns of [teamA, teamB]) await admin.delete({ apiVersion: API_VERSION, kind: 'Namespace', name: ns });
      await admin.delete({ apiVersion: API_VERSION, kind: 'Workspace', name: workspace });
      await admin.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: roleName });
      await admin.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: roleName });
    },
  };
}

/**
 * The console process as tests run it: in-process fastify on a free port of 127.0.0.1, connected to
 * the API server of `kubeconfigPath` as the ServiceAccount whose token is given (not as admin).
 */
export async function startConsole(kubeconfigPath: string, consoleToken: string, o: { drafts?: DraftStore; jobManagerUrl?: JobManagerUrl; oidc?: OidcOptions; sessionKey?: string; now?: () => number; port?: number }): Promise<FastifyInstance> {
  const kubeconfig = parse(readFileSync(kubeconfigPath, 'utf8')) as { clusters: Array<{ cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }> };
  const c = kubeconfig.clusters[0]!.cluster;
  const ca = c['certificate-authority-data'] ? Buffer.from(c['certificate-authority-data'], 'base64') : readFileSync(c['certificate-authority']!);
  const app = await createConsoleServer({
    connection: new StaticKubeConnection({ server: c.server, ca, token: consoleToken }),
    log: pino({ level: process.env.MILLRACE_TEST_LOG_LEVEL ?? 'silent' }), secureCookies: false,
    drafts: o.drafts, jobManagerUrl: o.jobManagerUrl, oidc: o.oidc, sessionKey: o.sessionKey, now: o.now,
  });
  await app.listen({ host: '127.0.0.1', port: o.port ?? 0 });
  return app;
}

/** The console's own identity in a test namespace: a ServiceAccount bound to exactly the chart's console rules (with OIDC: and impersonation). */
export async function consoleServiceAccount(admin: KubeRest, namespace: string, o: { name?: string; impersonate?: boolean } = {}): Promise<{ token: string; cleanup(): Promise<void> }> {
  const sa = o.name ?? 'console';
  const roleName = `millrace-${sa}-${namespace}`;
  await admin.apply(consoleClusterRole(roleName, { impersonate: o.impersonate }), TEST_MANAGER);
  const t = await token(admin, namespace, sa);
  await admin.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: roleName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace }] });
  return {
    token: t,
    async cleanup() {
      await admin.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: roleName });
      await admin.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: roleName });
    },
  };
}
