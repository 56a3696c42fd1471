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

export function consoleClusterRole(name = 'millrace-console'): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'millrace', 'app.kubernetes.io/component': 'console' } },
    rules: consoleRules(),
  };
}
