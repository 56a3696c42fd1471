// Where each kind the operator touches lives in the REST API. A fixed table rather than
// discovery: the operator only handles these kinds, and a typo fails loudly here.
import { API_VERSION } from '../api/v1alpha1/meta.ts';

export interface ResourceType {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const TYPES: ResourceType[] = [
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true },
  { apiVersion: 'events.k8s.io/v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false },
  { apiVersion: API_VERSION, kind: 'Workspace', plural: 'workspaces', namespaced: false },
  { apiVersion: API_VERSION, kind: 'Namespace', plural: 'millracenamespaces', namespaced: false },
  { apiVersion: API_VERSION, kind: 'Queue', plural: 'queues', namespaced: true },
  { apiVersion: API_VERSION, kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: API_VERSION, kind: 'Savepoint', plural: 'savepoints', namespaced: true },
];

export function resourceType(apiVersion: string, kind: string): ResourceType {
  const t = TYPES.find((r) => r.apiVersion === apiVersion && r.kind === kind);
  if (!t) throw new Error(`no REST mapping for ${apiVersion} ${kind}; add it to operator/kube/resources.ts`);
  return t;
}

/** Collection path (name omitted) or object path of a resource. */
export function resourcePath(ref: { apiVersion: string; kind: string; namespace?: string; name?: string }, subresource?: string): string {
  const t = resourceType(ref.apiVersion, ref.kind);
  const base = t.apiVersion.includes('/') ? `/apis/${t.apiVersion}` : `/api/${t.apiVersion}`;
  const ns = t.namespaced && ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
  return `${base}${ns}/${t.plural}${name}${ref.name && subresource ? `/${subresource}` : ''}`;
}
