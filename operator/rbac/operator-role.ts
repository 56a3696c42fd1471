// Least-privilege ClusterRole of the operator itself (the Helm chart renders the same rules):
// exactly the verbs its reconcilers, informers, events and leader election use.
import { GROUP } from '../api/v1alpha1/meta.ts';
import type { KubeObject } from '../kube/rest-client.ts';

export function operatorClusterRole(name = 'millrace-operator'): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'millrace' } },
    rules: [
      { apiGroups: [GROUP], resources: ['workspaces', 'millracenamespaces', 'queues', 'deployments', 'savepoints'], verbs: ['get', 'list', 'watch', 'patch', 'update', 'delete'] },
      { apiGroups: [GROUP], resources: ['workspaces/status', 'millracenamespaces/status', 'queues/status', 'deployments/status', 'savepoints/status'], verbs: ['get', 'patch', 'update'] },
      // The default-queue of each namespace, the Savepoint objects recording suspend/upgrade savepoints, and periodic Savepoints.
      { apiGroups: [GROUP], resources: ['queues', 'savepoints'], verbs: ['create'] },
      // Owner references with blockOwnerDeletion need update on the owner's finalizers.
      { apiGroups: [GROUP], resources: ['millracenamespaces/finalizers', 'queues/finalizers', 'deployments/finalizers'], verbs: ['update'] },
      // Kubernetes namespaces it makes (read back to check they are its own, deleted with their Namespace).
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'create', 'patch', 'delete'] },
      // Namespace and queue quotas: listed to know the quotas in force; orphaned queue quotas deleted.
      { apiGroups: [''], resources: ['resourcequotas'], verbs: ['list', 'create', 'patch', 'delete'] },
      // A Deployment's Service and ConfigMap: server-side applied only (they go with their owner).
      { apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['create', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
      // Read the workspace key a Workspace names, write each namespace's short-lived storage
      // credentials (millrace-s3-credentials, read back to decide renewal) and each Deployment's key
      // (<name>-auth, read to sign requests); no list/watch, so no Secret is ever cached.
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'patch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
      // One NetworkPolicy per Deployment (created by server-side apply, removed with its owner).
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'patch'] },
      // The API server's addresses, which those NetworkPolicies admit (its service proxy): this one object only.
      { apiGroups: [''], resources: ['endpoints'], verbs: ['get'], resourceNames: ['kubernetes'] },
      // The member RoleBindings of the namespaces it makes: server-side applied only (they go with the namespace).
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create', 'patch'] },
      // Binding the member roles requires holding them or the bind verb on them.
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['millrace-viewer', 'millrace-editor', 'millrace-owner'] },
      // Queue PriorityClasses: applied, listed to find orphans, deleted with their queue.
      { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['list', 'create', 'patch', 'delete'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ],
  };
}
