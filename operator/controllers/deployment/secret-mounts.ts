// spec.secrets (issue 12): the Kubernetes Secrets a Deployment's connectors need. Each is mounted
// read-only into the JobManager and TaskManager pods at /etc/millrace/secrets/<name>/, where the
// connector factory resolves `${secret:<name>/<key>}` (runtime/connectors/factory/secrets.ts);
// only the names travel through the spec and the ConfigMap, never a value. A reference to a Secret
// the spec does not list is refused before any pod exists. Pure.
import type { DeploymentSpec } from '../../api/v1alpha1/deployment.ts';
import { POD_SECRETS_DIR } from '../../../runtime/connectors/factory/secrets.ts';

export interface SecretMounts {
  readonly volumes: Array<{ name: string; secret: { secretName: string; defaultMode: number } }>;
  readonly mounts: Array<{ name: string; mountPath: string; readOnly: true }>;
}

/** Volumes and mounts for the listed Secrets (duplicates once); volume names are DNS labels whatever the Secret's name. */
export function secretMounts(secrets: readonly string[] | undefined): SecretMounts {
  const names = [...new Set(secrets ?? [])];
  return {
    // readable by the runtime's group only (fsGroup), like the storage credentials
    volumes: names.map((secretName, i) => ({ name: `user-secret-${i}`, secret: { secretName, defaultMode: 0o440 } })),
    mounts: names.map((name, i) => ({ name: `user-secret-${i}`, mountPath: `${POD_SECRETS_DIR}/${name}`, readOnly: true as const })),
  };
}

const REFERENCE = /\$\{secret:([^}/]*)\/[^}]*\}/g;

/** Secret names referenced in the job's SQL, pipeline or configuration. */
export function referencedSecrets(spec: Pick<DeploymentSpec, 'source' | 'configuration'>): string[] {
  const texts = [spec.source.sql ?? '', spec.source.pipeline ?? '', ...Object.values(spec.configuration ?? {})];
  const names = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(REFERENCE)) names.add(m[1]!);
  return [...names].sort();
}

/** A problem when the job refers to Secrets spec.secrets does not list (the pods could not read them). */
export function unlistedSecrets(spec: Pick<DeploymentSpec, 'source' | 'configuration' | 'secrets'>): { reason: 'SecretNotListed'; message: string } | undefined {
  const listed = new Set(spec.secrets ?? []);
  const missing = referencedSecrets(spec).filter((n) => !listed.has(n));
  if (missing.length === 0) return undefined;
  return {
    reason: 'SecretNotListed',
    message: `the job refers to Secret${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')} (\${secret:<name>/<key>}) that spec.secrets does not list; add ${missing.length > 1 ? 'them' : 'it'} to spec.secrets so the pods mount ${missing.length > 1 ? 'them' : 'it'}`,
  };
}
