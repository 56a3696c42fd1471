// Who acts in the security tests on the control-plane tier, each with a real token of its own:
// a ServiceAccount's kubeconfig (TokenRequest), the operator running in-process as the chart's
// ServiceAccount with exactly the chart's RBAC (operator/rbac/operator-role.ts) and admission policy, and RBAC's own
// answer to "may this subject do that" (SubjectAccessReview, asked as the admin).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { httpJobManagerClient } from '../../../operator/jobmanager/client.ts';
import { systemClock } from '../../../operator/kube/clock.ts';
import { KubeRest } from '../../../operator/kube/rest-client.ts';
import { Operator } from '../../../operator/manager.ts';
import { operatorTenantAccess } from '../../../operator/rbac/operator-identity.ts';
import { operatorRbacObjects, tenantRoleName } from '../../../operator/rbac/operator-role.ts';
import { createOperatorMetrics } from '../../../operator/server/metrics.ts';
import { s3SavepointFiles } from '../../../operator/storage/savepoint-files.ts';
import { s3WorkspaceStorage } from '../../../operator/storage/workspace-storage.ts';
import { localJobManagers, OPERATOR_NAMESPACE, TEST_MANAGER, TEST_WATCH_SELECTOR, UNREACHABLE_JOBMANAGER } from '../../operator/support/harness.ts';
import type { Cluster } from '../../operator/support/harness.ts';
import { applyChartAdmissionPolicy } from './operator-admission.ts';

export interface Identity { kubeconfigPath: string; rest: KubeRest; username: string }

/** A kubeconfig holding a fresh token of ServiceAccount namespace/name (which must exist). */
export async function serviceAccountIdentity(cluster: Cluster, namespace: string, name: string, contextNamespace = namespace): Promise<Identity> {
  const { rest, kc } = cluster;
  const token = await rest.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const admin = kc.getCurrentCluster();
  if (!admin) throw new Error('admin kubeconfig has no cluster');
  const caData = admin.caData ?? (admin.caFile ? (await readFile(admin.caFile)).toString('base64') : undefined);
  const config = {
    apiVersion: 'v1', kind: 'Config', 'current-context': name,
    clusters: [{ name: 'local', cluster: { server: admin.server, ...(caData ? { 'certificate-authority-data': caData } : { 'insecure-skip-tls-verify': true }) } }],
    users: [{ name, user: { token: token.status.token } }],
    contexts: [{ name, context: { cluster: 'local', user: name, namespace: contextNamespace } }],
  };
  const kubeconfigPath = join(await mkdtemp(join(tmpdir(), `millrace-${name}-`)), 'kubeconfig');
  await writeFile(kubeconfigPath, JSON.stringify(config), { mode: 0o600 });
  const own = new KubeConfig();
  own.loadFromString(JSON.stringify(config));
  return { kubeconfigPath, rest: new KubeRest(own), username: `system:serviceaccount:${namespace}:${name}` };
}

/** The ServiceAccount the in-process operator of the security tests runs as, with the chart's RBAC. */
export const SECURITY_OPERATOR = 'millrace-security-operator';

/**
 * An operator in this process that talks to the API server as SECURITY_OPERATOR: bound to the
 * chart's ClusterRole and its namespace Role, and to nothing in tenant namespaces but what it
 * binds there itself. Which ServiceAccount it is, it asks the API server (as main.ts does).
 */
export async function startOperatorAsServiceAccount(cluster: Cluster, opts: { defaultImage?: string } = {}): Promise<{ operator: Operator; identity: Identity }> {
  await cluster.rest.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SECURITY_OPERATOR, namespace: OPERATOR_NAMESPACE } }, TEST_MANAGER);
  for (const obj of operatorRbacObjects(SECURITY_OPERATOR, OPERATOR_NAMESPACE)) await cluster.rest.apply(obj, TEST_MANAGER);
  const identity = await serviceAccountIdentity(cluster, OPERATOR_NAMESPACE, SECURITY_OPERATOR);
  // And the chart's admission policy, in force before the operator makes anything.
  await applyChartAdmissionPolicy(cluster, identity, { name: SECURITY_OPERATOR, namespace: OPERATOR_NAMESPACE });
  const access = await operatorTenantAccess(identity.rest, tenantRoleName(SECURITY_OPERATOR));
  if (!access) throw new Error(`the API server does not see ${identity.username} as a ServiceAccount`);
  const operator = new Operator({
    rest: identity.rest, clock: systemClock, random: Math.random,
    logger: pino({ level: process.env.MILLRACE_TEST_LOG_LEVEL ?? 'silent' }),
    metrics: createOperatorMetrics({ defaultMetrics: false }),
    jobManagers: ({ namespace, name }) => httpJobManagerClient(localJobManagers.get(`${namespace}/${name}`) ?? UNREACHABLE_JOBMANAGER, 1000),
    storage: s3WorkspaceStorage(), savepointFiles: s3SavepointFiles(), defaultImage: opts.defaultImage ?? 'millrace:test', workers: 4,
    instance: 'jest-rbac', watchSelector: TEST_WATCH_SELECTOR, operatorNamespace: OPERATOR_NAMESPACE, operatorTenantAccess: access,
  });
  await operator.startInformers();
  operator.startControllers();
  return { operator, identity };
}

/** RBAC's answer for `user` (a ServiceAccount's username) on one request, as the API server would decide it. */
export async function allowed(cluster: Cluster, username: string, attrs: { verb: string; resource: string; namespace?: string; group?: string; name?: string; subresource?: string }): Promise<boolean> {
  const sa = /^system:serviceaccount:([^:]+):/.exec(username);
  const groups = ['system:authenticated', ...(sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [])];
  const review = await cluster.rest.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: username, groups, resourceAttributes: { group: attrs.group ?? '', ...attrs } } },
  });
  return review.status?.allowed === true;
}
