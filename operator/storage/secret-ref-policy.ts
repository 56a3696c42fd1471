// Which Secrets a Workspace may name as its storage credentials (pure). The operator copies
// that Secret's keys into every namespace of the workspace, so a Workspace naming an arbitrary
// Secret (another tenant's, kube-system's) would leak it to every job there. Allowed: a Secret in
// the operator's own namespace, or one the cluster admin labelled for Millrace (who must then
// also let the operator read it: the chart grants `get` on Secrets only in its own namespace).
import type { KubeObject } from '../kube/rest-client.ts';

export const DEFAULT_OPERATOR_NAMESPACE = 'millrace-system';
/** The label a cluster admin puts on a Secret outside the operator's namespace to allow it. */
export const WORKSPACE_CREDENTIALS_LABEL = 'millrace.dev/workspace-credentials';

/** Why the Secret may not be used (a message naming the field and the fix), or undefined. */
export function secretRefRefusal(ref: { namespace: string; name: string }, secret: KubeObject | undefined, operatorNamespace = DEFAULT_OPERATOR_NAMESPACE): string | undefined {
  if (ref.namespace === operatorNamespace) return undefined;
  if (secret?.metadata.labels?.[WORKSPACE_CREDENTIALS_LABEL] === 'true') return undefined;
  return `spec.storage.secretRef: Secret ${ref.namespace}/${ref.name} is outside the operator's namespace ${operatorNamespace} and not labelled ${WORKSPACE_CREDENTIALS_LABEL}=true; put the credentials in a Secret in ${operatorNamespace}, or have the cluster admin label this one (and let the operator read it)`;
}

/** secretRefRefusal, reading the Secret only when it lies outside the operator's namespace. */
export async function checkSecretRef(ref: { namespace: string; name: string }, operatorNamespace: string | undefined, getSecret: (namespace: string, name: string) => Promise<KubeObject | undefined>): Promise<string | undefined> {
  const own = operatorNamespace ?? DEFAULT_OPERATOR_NAMESPACE;
  if (ref.namespace === own) return undefined;
  return secretRefRefusal(ref, await getSecret(ref.namespace, ref.name).catch(() => undefined), own);
}
