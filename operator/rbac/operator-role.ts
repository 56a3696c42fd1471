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
      { apiGroups: [''], resources: ['namespaces', 'resourcequotas', 'services', 'configmaps'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
      // Read the S3 credentials a Workspace names and write their copy (millrace-s3-credentials) into
      // each Namespace's Kubernetes namespace; no list/watch, so no Secret is ever cached.
      // (Removal comes with the namespace; a chart may narrow get with resourceNames.)
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'patch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
      // One NetworkPolicy per Deployment (created by server-side apply, removed with its owner).
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'patch'] },
      // The API server's addresses, which those NetworkPolicies admit (its service proxy): this one object only.
      { apiGroups: [''], resources: ['endpoints'], verbs: ['get'], resourceNames: ['kubernetes'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
      // Binding the member roles requires holding them or the bind verb on them.
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['millrace-viewer', 'millrace-editor', 'millrace-owner'] },
      { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['get', 'list', 'create', 'patch', 'update', 'delete'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ],
  };
}
