// Pod Security Admission labels of the Kubernetes namespaces the operator makes: `restricted` is
// enforced, so no pod in a tenant namespace (the operator's or one a member creates) runs as
// root, escalates privileges, keeps capabilities, or mounts host paths. JobManager and
// TaskManager pods satisfy it (controllers/deployment/desired.ts).
export const POD_SECURITY_LABELS: Record<string, string> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'latest',
};
