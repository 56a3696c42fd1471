// Desired Kubernetes objects of a Millrace Namespace (pure).
import type { Member, MemberRole, Namespace } from '../../api/v1alpha1/namespace.ts';
import { MEMBER_ROLES } from '../../api/v1alpha1/namespace.ts';
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { DEFAULT_QUEUE } from '../../api/v1alpha1/queue.ts';
import { cuToQuotaHard } from '../../capacity/compute-units.ts';
import type { KubeObject, OwnerReference } from '../../kube/rest-client.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';

export const NAMESPACE_QUOTA_NAME = 'millrace-namespace-quota';
export const roleBindingName = (role: MemberRole) => `millrace-${role}s`;
export const clusterRoleName = (role: MemberRole) => `millrace-${role}`;

function subject(member: Member, namespace: string) {
  if (member.kind === 'ServiceAccount') return { kind: 'ServiceAccount', name: member.name, namespace: member.namespace ?? namespace };
  return { kind: member.kind, name: member.name, apiGroup: 'rbac.authorization.k8s.io' };
}

export function desiredNamespaceObjects(ns: Namespace, owner: OwnerReference): KubeObject[] {
  const name = ns.metadata.name;
  const labels = { [LABELS.managedBy]: MANAGED_BY, [LABELS.workspace]: ns.spec.workspace, [LABELS.namespace]: name };
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, ownerReferences: [owner] } },
    {
      apiVersion: 'v1', kind: 'ResourceQuota',
      metadata: { name: NAMESPACE_QUOTA_NAME, namespace: name, labels },
      spec: { hard: cuToQuotaHard(ns.spec.quotaCU) },
    },
  ];
  for (const role of MEMBER_ROLES) {
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
      metadata: { name: roleBindingName(role), namespace: name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName(role) },
      subjects: ns.spec.members.filter((m) => m.role === role).map((m) => subject(m, name)),
    });
  }
  return objects;
}

/** The default-queue gets whatever CU the namespace's other queues leave. */
export function desiredDefaultQueue(namespace: string, cu: number, instanceLabels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: API_VERSION, kind: 'Queue',
    metadata: { name: DEFAULT_QUEUE, namespace, labels: { ...instanceLabels, [LABELS.managedBy]: MANAGED_BY } },
    spec: { cu },
  };
}
