// Where the operator may delete a savepoint's files itself (pure). Only one directory is ever
// allowed: `<prefix>flink-savepoints/<namespace>/<deployment>/savepoint-<id>/` in the workspace
// bucket, the savepoint's own, as the runtime lays it out (runtime/storage/layout.ts). Anything
// else — another bucket, another prefix, a local path, a parent directory — is refused.
import { SAVEPOINTS_ROOT } from '../../runtime/storage/layout.ts';

export interface SavepointOwner {
  /** Workspace bucket and key prefix ('' or ending in '/'). */
  bucket: string;
  prefix: string;
  /** Kubernetes namespace and Deployment the Savepoint belongs to. */
  namespace: string;
  deployment: string;
}

export type SavepointDirectory =
  | { allowed: true; bucket: string; /** key of the directory, ending in '/' */ key: string }
  | { allowed: false; reason: string };

const SAVEPOINT_DIR = /^savepoint-[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The savepoint directory the operator may delete, or why it may not. */
export function savepointDirectory(path: string, owner: SavepointOwner): SavepointDirectory {
  const allowedDir = `s3://${owner.bucket}/${owner.prefix}${SAVEPOINTS_ROOT}${owner.namespace}/${owner.deployment}/savepoint-<id>/`;
  const refuse = (why: string): SavepointDirectory => ({ allowed: false, reason: `${why}; the operator deletes savepoint files only under ${allowedDir}` });
  const m = /^s3a?:\/\/([^/]+)\/(.*)$/.exec(path.trim());
  if (!m) return refuse(`${path} is not in an S3 bucket`);
  const [, bucket = '', rawKey = ''] = m;
  if (bucket !== owner.bucket) return refuse(`${path} is in bucket ${bucket}, not in the workspace bucket ${owner.bucket}`);
  const key = rawKey.endsWith('/') ? rawKey : `${rawKey}/`;
  const segments = key.slice(0, -1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) return refuse(`${path} has empty, '.' or '..' path segments`);
  const expectedParent = `${owner.prefix}${SAVEPOINTS_ROOT}${owner.namespace}/${owner.deployment}/`;
  if (!key.startsWith(expectedParent)) return refuse(`${path} is outside the savepoint directory of deployment ${owner.namespace}/${owner.deployment}`);
  const dir = key.slice(expectedParent.length, -1);
  if (!SAVEPOINT_DIR.test(dir)) return refuse(`${path} is not a savepoint-<id> directory directly under ${expectedParent}`);
  return { allowed: true, bucket, key };
}
