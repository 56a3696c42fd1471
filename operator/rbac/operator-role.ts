// Least-privilege RBAC of the operator itself (the Helm chart renders the same rules): exactly
// the verbs its reconcilers, informers, events and leader election use, split by where it needs
// them (issue 14 point 7):
// - operatorClusterRole(): what is cluster-wide by nature, plus the rules of its own namespace
//   (isOwnNamespaceRule: the leader Lease, the workspace keys), which the chart grants there only;
// - operatorTenantClusterRole(): pods, Secrets and the other objects of a Deployment, bound by the
//   operator itself with a RoleBinding in each namespace it makes (controllers/namespace/desired.ts),
//   so it holds them nowhere else (not in kube-system, not in a namespace someone else made).
import { GROUP } from '../api/v1alpha1/meta.ts';
import type { KubeObject } from '../kube/rest-client.ts';

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }

/** The tenant ClusterRole's name for an operator ClusterRole's name (the chart: `<fullname>-tenant`). */
export const tenantRoleName = (operatorRole = 'millrace-operator') => `${operatorRole}-tenant`;
/** Name of the RoleBinding in each tenant namespace that binds the tenant ClusterRole to the operator. */
export const TENANT_BINDING_NAME = 'millrace-operator';

/** Who the operator runs as and the ClusterRole of its rights inside a tenant namespace. */
export interface OperatorTenantAccess {
  serviceAccount: { name: string; namespace: string };
  tenantRole: string;
}

/** Rules the operator needs only in its own namespace (the chart puts them in a Role there). */
export const isOwnNamespaceRule = (r: { apiGroups?: string[]; resources?: string[] }) =>
  (r.apiGroups ?? []).includes('coordination.k8s.io') || ((r.resources ?? []).includes('secrets'));

/** The bind rule naming the tenant ClusterRole, whose name depends on the operator's (the chart templates it). */
export const isTenantBindRule = (r: { resources?: string[]; verbs: string[]; resourceNames?: string[] }) =>
  (r.resources ?? []).includes('clusterroles') && r.verbs.includes('bind') && (r.resourceNames ?? []).some((n) => n.endsWith('-tenant'));

export function operatorClusterRole(name = 'millrace-operator'): KubeObject {
  const rules: Rule[] = [
    // Delete: a Workspace's Namespaces as it is deleted, a Namespace's Deployments, Queues and
    // Savepoints as it is deleted, replaced Savepoints; never a Workspace (the admission policy
    // confines the rest to the namespaces it made).
    { apiGroups: [GROUP], resources: ['workspaces'], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
    { apiGroups: [GROUP], resources: ['millracenamespaces', 'queues', 'deployments', 'savepoints'], verbs: ['get', 'list', 'watch', 'patch', 'update', 'delete'] },
    { apiGroups: [GROUP], resources: ['workspaces/status', 'millracenamespaces/status', 'queues/status', 'deployments/status', 'savepoints/status'], verbs: ['get', 'patch', 'update'] },
    // The default-queue of each namespace, the Savepoint objects recording suspend/upgrade savepoints, and periodic Savepoints.
    { apiGroups: [GROUP], resources: ['queues', 'savepoints'], verbs: ['create'] },
    // Owner references with blockOwnerDeletion need update on the owner's finalizers.
    { apiGroups: [GROUP], resources: ['millracenamespaces/finalizers', 'queues/finalizers', 'deployments/finalizers'], verbs: ['update'] },
    // Kubernetes namespaces it makes (read back to check they are its own, deleted with their Namespace).
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'create', 'patch', 'delete'] },
    // The quotas in force of a workspace's namespaces, listed across namespaces (writing them is a tenant right).
    { apiGroups: [''], resources: ['resourcequotas'], verbs: ['list'] },
    // Its pod informer (pods hold no secret; the keys are in Secrets). Creating and deleting pods is a tenant right.
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    // Events about Workspaces (cluster-scoped) must go to the default namespace; events carry no rights.
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    // The API server's addresses, which those NetworkPolicies admit (its service proxy): this one object only.
    { apiGroups: [''], resources: ['endpoints'], verbs: ['get'], resourceNames: ['kubernetes'] },
    // The member RoleBindings and its own tenant RoleBinding in the namespaces it makes: server-side applied only (they go with the namespace).
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create', 'patch'] },
    // Binding a role requires holding its rights or the bind verb on it: the member roles and its
    // own tenant role only (isTenantBindRule), never escalate.
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['millrace-viewer', 'millrace-editor', 'millrace-owner'] },
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: [tenantRoleName(name)] },
    // Queue PriorityClasses: applied, listed to find orphans, deleted with their queue.
    { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['list', 'create', 'patch', 'delete'] },
    // Own namespace only (isOwnNamespaceRule): the workspace keys Workspaces name (no list/watch, so
    // no Secret is ever cached), and the leader Lease.
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  ];
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: { 'app.kubernetes.io/part-of': 'millrace' } }, rules };
}

/** What the operator does inside a namespace it made; bound there by the operator, nowhere by the chart. */
export function operatorTenantClusterRole(name = tenantRoleName()): KubeObject {
  const rules: Rule[] = [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'create', 'delete'] },
    // Each namespace's short-lived storage credentials (millrace-s3-credentials, read back to decide
    // renewal), each Deployment's key (<name>-auth: read to sign requests; its finalizer patched
    // while pods hold it; a stale one left by a deleted Deployment of the same name is deleted;
    // listed, metadata only, as the namespace is emptied to let go of those still held),
    // Secrets listed in spec.secrets (metadata read).
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'patch', 'delete'] },
    // A Deployment's Service and ConfigMap: server-side applied only (they go with their owner).
    { apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['create', 'patch'] },
    // The namespace quota and queue quotas; orphaned queue quotas deleted.
    { apiGroups: [''], resources: ['resourcequotas'], verbs: ['create', 'patch', 'delete'] },
    // One NetworkPolicy per Deployment (created by server-side apply, removed with its owner).
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'patch'] },
  ];
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'millrace' }, annotations: { 'millrace.dev/description': 'The operator\'s rights inside the namespaces it makes; bound there by the operator (RoleBinding millrace-operator).' } },
    rules,
  };
}

/**
 * Every RBAC object the chart makes for an operator running as ServiceAccount `namespace/serviceAccount`
 * (tests apply these to run an operator with exactly the chart's rights).
 */
export function operatorRbacObjects(serviceAccount: string, namespace: string, name = serviceAccount): KubeObject[] {
  const all = operatorClusterRole(name);
  const rules = all.rules as Rule[];
  const subjects = [{ kind: 'ServiceAccount', name: serviceAccount, namespace }];
  const labels = { 'app.kubernetes.io/part-of': 'millrace' };
  return [
    { ...all, rules: rules.filter((r) => !isOwnNamespaceRule(r)) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace, labels }, rules: rules.filter(isOwnNamespaceRule) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects },
    operatorTenantClusterRole(tenantRoleName(name)),
  ];
}
