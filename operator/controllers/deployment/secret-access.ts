// Which Secrets a Deployment's pods may mount (spec.secrets). Members' roles grant no Secret reads,
// so mounting any Secret of the namespace would let an editor read through a job what RBAC denies
// them (and the operator's own Secrets: storage credentials, Deployment keys). A Secret is usable by
// jobs only when someone who may write Secrets in the namespace labelled it for that, and never
// when the operator manages it. Checked before pods exist, from metadata only (no value is read).
import { isNotFound } from '../../kube/rest-client.ts';
import { resourcePath } from '../../kube/resources.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';
import type { ReconcileContext } from '../shared/context.ts';

// Asks the API server for metadata only: no Secret value ever reaches the operator.
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export const JOB_SECRET_LABEL = 'millrace.dev/job-secret';

export interface SecretAccessProblem {
  reason: 'SecretNotFound' | 'SecretNotAllowed';
  message: string;
}

type SecretMetadata = { labels?: Record<string, string> } | undefined;

/** The first listed Secret the pods may not mount, and why (pure). */
export function secretAccessProblem(namespace: string, listed: readonly string[], metadata: ReadonlyMap<string, SecretMetadata>): SecretAccessProblem | undefined {
  for (const [i, name] of listed.entries()) {
    const meta = metadata.get(name);
    const field = `spec.secrets[${i}]`;
    if (!meta) {
      return { reason: 'SecretNotFound', message: `${field}: Secret '${name}' does not exist in namespace ${namespace}; create it (labelled ${JOB_SECRET_LABEL}=true) or remove it from spec.secrets; the Deployment starts once it can` };
    }
    if (meta.labels?.[LABELS.managedBy] === MANAGED_BY) {
      return { reason: 'SecretNotAllowed', message: `${field}: Secret '${name}' is managed by the operator (storage credentials or a Deployment key) and is never mounted for a job; remove it from spec.secrets` };
    }
    if (meta.labels?.[JOB_SECRET_LABEL] !== 'true') {
      return { reason: 'SecretNotAllowed', message: `${field}: Secret '${name}' is not labelled ${JOB_SECRET_LABEL}=true; someone who may write Secrets in namespace ${namespace} decides which ones jobs may read: kubectl label secret ${name} -n ${namespace} ${JOB_SECRET_LABEL}=true` };
    }
  }
  return undefined;
}

/** Reads the listed Secrets' metadata and checks them; nothing listed costs no request. */
export async function checkListedSecrets(ctx: ReconcileContext, namespace: string, listed: readonly string[] | undefined): Promise<SecretAccessProblem | undefined> {
  const names = [...new Set(listed ?? [])];
  if (names.length === 0) return undefined;
  const metadata = new Map<string, SecretMetadata>();
  for (const name of names) {
    try {
      const object = await ctx.rest.request<{ metadata: { labels?: Record<string, string> } }>('GET', resourcePath({ apiVersion: 'v1', kind: 'Secret', namespace, name }), { accept: METADATA_ONLY });
      metadata.set(name, object.metadata);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return secretAccessProblem(namespace, names, metadata);
}
