// Who the operator runs as, asked of the API server (SelfSubjectReview, which every authenticated
// client may create): the subject of the RoleBinding that grants the operator its rights in each
// namespace it makes. Taken from the operator's own credentials, never from a Millrace object.
import type { KubeRest } from '../kube/rest-client.ts';
import type { OperatorTenantAccess } from './operator-role.ts';

/** `system:serviceaccount:<namespace>:<name>` → the ServiceAccount, anything else → undefined (pure). */
export function serviceAccountOf(username: string | undefined): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([a-z0-9][a-z0-9.-]*):([a-z0-9][a-z0-9.-]*)$/.exec(username ?? '');
  return m ? { namespace: m[1] as string, name: m[2] as string } : undefined;
}

/**
 * The access to bind in tenant namespaces, or undefined when the operator does not run as a
 * ServiceAccount (an admin kubeconfig in development and tests: it holds every right already).
 */
export async function operatorTenantAccess(rest: Pick<KubeRest, 'request'>, tenantRole: string): Promise<OperatorTenantAccess | undefined> {
  const review = await rest.request<{ status?: { userInfo?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  const serviceAccount = serviceAccountOf(review.status?.userInfo?.username);
  return serviceAccount ? { serviceAccount, tenantRole } : undefined;
}
