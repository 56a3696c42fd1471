// Where a namespace's files live in its workspace bucket (the seed layout of docs/architecture.md):
//   artifacts/namespaces/<namespace>/<file>        job code (bundled ES modules) and SQL files
//   sql-artifacts/namespaces/<namespace>/<path>    files of registered UDFs and connectors
//   logs/namespaces/<namespace>/<deployment>/<jobId>/...   archived JobManager/TaskManager logs
// Pure: which keys a name or an s3:// URI means, and whether they belong to the namespace.
// The operator (resolving a Deployment's artifact), the console's routes and the runtime share it.
import { RuntimeError } from '../errors/runtime-error.ts';

export const ARTIFACTS_DIR = 'artifacts/namespaces/';
export const SQL_ARTIFACTS_DIR = 'sql-artifacts/namespaces/';
export const LOGS_DIR = 'logs/namespaces/';

export type ArtifactKind = 'artifacts' | 'sql-artifacts';

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A file name users type: letters, digits, '.', '_', '-' (no spaces, no leading dot). */
const FILE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

/** A '/'-separated relative path of plain file names (sql-artifacts may have sub-directories). */
export function isArtifactPath(path: string, allowDirs: boolean): boolean {
  const parts = path.split('/');
  if (!allowDirs && parts.length > 1) return false;
  return parts.length <= 8 && parts.every((p) => FILE.test(p) && p !== '.' && p !== '..');
}

/** `<prefix>artifacts/namespaces/<ns>/` (or sql-artifacts); prefix is '' or ends with '/'. */
export function namespaceArtifactsDir(prefix: string, namespace: string, kind: ArtifactKind = 'artifacts'): string {
  if (!NAMESPACE.test(namespace)) throw new RuntimeError('MR_ERR_ARTIFACT_NAME', `namespace '${namespace}' is not a Kubernetes name`);
  return `${prefix}${kind === 'artifacts' ? ARTIFACTS_DIR : SQL_ARTIFACTS_DIR}${namespace}/`;
}

/** `<prefix>logs/namespaces/<ns>/<deployment>/` (and `<jobId>/` when given). */
export function logsDir(prefix: string, namespace: string, deployment: string, jobId?: string): string {
  if (!NAMESPACE.test(namespace) || !NAMESPACE.test(deployment)) throw new RuntimeError('MR_ERR_ARTIFACT_NAME', `'${namespace}/${deployment}' is not a Kubernetes namespace/name pair`);
  if (jobId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(jobId)) throw new RuntimeError('MR_ERR_ARTIFACT_NAME', `job id '${jobId}' is not a plain id`);
  return `${prefix}${LOGS_DIR}${namespace}/${deployment}/${jobId === undefined ? '' : `${jobId}/`}`;
}

export interface BucketScope {
  bucket: string;
  /** The workspace's key prefix: '' or ending with '/'. */
  prefix: string;
  namespace: string;
}

export type ResolvedRef = { ok: true; bucket: string; key: string; kind: ArtifactKind; name: string } | { ok: false; message: string };

/** True for a URI the runtime fetches from the workspace bucket, or a bare artifact name. */
export function isBucketArtifactRef(uri: string): boolean {
  return /^s3:\/\//i.test(uri) || !/^[a-z][a-z0-9+.-]+:/i.test(uri) && !uri.startsWith('/');
}

/**
 * The object an artifact reference means: `s3://<bucket>/<key>` or a bare name (`job.js`, in the
 * namespace's artifacts directory). Only the workspace bucket and only the namespace's own
 * artifacts and sql-artifacts directories: a Deployment never loads another namespace's code.
 */
export function resolveArtifactRef(ref: string, scope: BucketScope, field = 'spec.source.artifact.uri'): ResolvedRef {
  const dirs: Array<[ArtifactKind, string]> = [['artifacts', namespaceArtifactsDir(scope.prefix, scope.namespace)], ['sql-artifacts', namespaceArtifactsDir(scope.prefix, scope.namespace, 'sql-artifacts')]];
  const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(ref);
  if (!m) {
    if (!isArtifactPath(ref, false)) return { ok: false, message: `${field}: '${ref}' is neither an s3:// URI nor an artifact file name (letters, digits, '.', '_', '-'); use a name from npx millrace artifacts list, or s3://${scope.bucket}/${dirs[0]![1]}<file>` };
    return { ok: true, bucket: scope.bucket, key: `${dirs[0]![1]}${ref}`, kind: 'artifacts', name: ref };
  }
  const [, bucket = '', key = ''] = m;
  if (bucket !== scope.bucket) return { ok: false, message: `${field}: ${ref} is in bucket ${bucket}, not in the workspace bucket ${scope.bucket}; upload it with npx millrace artifacts upload` };
  for (const [kind, dir] of dirs) {
    if (key.startsWith(dir) && isArtifactPath(key.slice(dir.length), kind === 'sql-artifacts')) return { ok: true, bucket, key, kind, name: key.slice(dir.length) };
  }
  return { ok: false, message: `${field}: ${ref} is outside the namespace's artifacts (s3://${scope.bucket}/${dirs[0]![1]}<file> or s3://${scope.bucket}/${dirs[1]![1]}<path>); a Deployment loads only its own namespace's artifacts` };
}
