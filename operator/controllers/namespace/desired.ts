// Desired Kubernetes objects of a Millrace Namespace (pure).
import type { Member, MemberRole, Namespace } from '../../api/v1alpha1/namespace.ts';
import { MEMBER_ROLES } from '../../api/v1alpha1/namespace.ts';
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { DEFAULT_QUEUE } from '../../api/v1alpha1/queue.ts';
import { cuToQuotaHard } from '../../capacity/compute-units.ts';
import type { KubeObject, OwnerReference } from '../../kube/rest-client.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';
import { POD_SECURITY_LABELS } from './pod-security.ts';
import { TENANT_BINDING_NAME } from '../../rbac/operator-role.ts';
import type { OperatorTenantAccess } from '../../rbac/operator-role.ts';

export const NAMESPACE_QUOTA_NAME = 'millrace-namespace-quota';
/** The namespace's storage credentials (operator/credentials/), mounted by JobManager and TaskManager pods. */
export const S3_SECRET_NAME = 'millrace-s3-credentials';
/** Only these keys are copied; anything else in the workspace Secret stays where it is. */
export const S3_SECRET_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
export const roleBindingName = (role: MemberRole) => `millrace-${role}s`;
export const clusterRoleName = (role: MemberRole) => `millrace-${role}`;

function subject(member: Member, namespace: string) {
  if (member.kind === 'ServiceAccount') return { kind: 'ServiceAccount', name: member.name, namespace: member.namespace ?? namespace };
  return { kind: member.kind, name: member.name, apiGroup: 'rbac.authorization.k8s.io' };
}

/**
 * The RoleBinding that gives the operator its rights (pods, Secrets, Services, ...) in this
 * namespace and nowhere else. Subject and role come from the operator's own identity and
 * configuration, never from the Millrace Namespace.
 */
export function desiredOperatorBinding(namespace: string, labels: Record<string, string>, access: OperatorTenantAccess): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: TENANT_BINDING_NAME, namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: access.tenantRole },
    subjects: [{ kind: 'ServiceAccount', name: access.serviceAccount.name, namespace: access.serviceAccount.namespace }],
  };
}

/**
 * In the order they are applied: the namespace, the operator's RoleBinding (before anything the
 * operator writes inside it), the quota, the members' RoleBindings. Without `operator` (an operator
 * that does not run as a ServiceAccount, e.g. with an admin kubeconfig) there is no operator binding.
 */
export function desiredNamespaceObjects(ns: Namespace, owner: OwnerReference, operator?: OperatorTenantAccess): KubeObject[] {
  const name = ns.metadata.name;
  const labels = { [LABELS.managedBy]: MANAGED_BY, [LABELS.workspace]: ns.spec.workspace, [LABELS.namespace]: name };
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...labels, ...POD_SECURITY_LABELS }, ownerReferences: [owner] } },
    ...(operator ? [desiredOperatorBinding(name, labels, operator)] : []),
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

/**
 * The copy of the workspace Secret in the namespace (owned by the Millrace Namespace), or
 * undefined when the source lacks the two required keys. Values stay base64 as read.
 */
export function desiredS3Secret(ns: Namespace, source: KubeObject | undefined, owner: OwnerReference): KubeObject | undefined {
  const data = (source?.data ?? {}) as Record<string, string>;
  if (!data.AWS_ACCESS_KEY_ID || !data.AWS_SECRET_ACCESS_KEY) return undefined;
  const copied: Record<string, string> = {};
  for (const k of S3_SECRET_KEYS) if (data[k]) copied[k] = data[k];
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: S3_SECRET_NAME, namespace: ns.metadata.name, labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.workspace]: ns.spec.workspace }, ownerReferences: [owner] },
    data: copied,
  };
}
