// The console's own ClusterRole: what it does as itself (everything for a user is done with the
// user's token). It lists Millrace Namespaces and Workspaces (names and capacity, shown only to
// members, see kube/millrace-objects.ts) and reads Deployment key Secrets `<name>-auth` to sign
// JobManager requests after the user's own access review allowed reading that Deployment.
// RBAC cannot name Secrets by pattern, so `get secrets` is cluster-wide: run the console in the
// control plane's namespace and give nobody else its service account. The chart installs these rules.
import { GROUP } from '../api/v1alpha1/meta.ts';
import type { KubeObject } from '../kube/rest-client.ts';

export const consoleRules = () => [
  { apiGroups: [GROUP], resources: ['millracenamespaces', 'workspaces'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
];

/**
 * Only with OpenID Connect sign-in: the console acts as the provider's users by impersonation.
 * RBAC cannot limit impersonation to a name prefix, so the console itself never impersonates a
 * name or group without its configured prefix (auth/oidc.ts refuses `system:` prefixes): this
 * makes the console as trusted as the API server's own OIDC authenticator would be.
 */
export const consoleImpersonationRules = () => [
  { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
];

export function consoleClusterRole(name = 'millrace-console', o: { impersonate?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'millrace', 'app.kubernetes.io/component': 'console' } },
    rules: [...consoleRules(), ...(o.impersonate ? consoleImpersonationRules() : [])],
  };
}
