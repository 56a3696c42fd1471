// The S3 session policy of one namespace's credentials (pure). AssumeRole intersects it with the
// caller's own permissions, so a job holding the result can reach only these prefixes of the
// workspace bucket (DESIGN's layout), whatever the workspace key itself may do.
import { createHash } from 'node:crypto';

export interface NamespacePrefixes {
  /** prefixes jobs read and write: checkpoints, HA records, savepoints, session clusters, logs */
  readWrite: string[];
  /** prefixes jobs only read: artifacts and SQL artifacts (uploaded by members, not by jobs) */
  readOnly: string[];
}

/** The namespace's prefixes in the bucket; `workspacePrefix` is '' or ends in '/'. */
export function namespacePrefixes(workspacePrefix: string, namespace: string): NamespacePrefixes {
  const p = workspacePrefix;
  return {
    readWrite: [`${p}flink-jobs/${namespace}/`, `${p}flink-savepoints/${namespace}/`, `${p}flink-sessionclusters/${namespace}/`, `${p}logs/namespaces/${namespace}/`],
    readOnly: [`${p}artifacts/namespaces/${namespace}/`, `${p}sql-artifacts/namespaces/${namespace}/`],
  };
}

const OBJECT_READ = ['s3:GetObject'];
const OBJECT_WRITE = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];

/**
 * IAM policy JSON (AWS S3 and MinIO read the same grammar). Listing is allowed on the bucket only
 * with a `prefix` inside the namespace's prefixes; a listing of the bucket root or of another
 * namespace's prefix is denied.
 */
export function sessionPolicy(bucket: string, prefixes: NamespacePrefixes): string {
  const objects = (list: string[]) => list.map((p) => `arn:aws:s3:::${bucket}/${p}*`);
  const all = [...prefixes.readWrite, ...prefixes.readOnly];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadNamespace', Effect: 'Allow', Action: OBJECT_READ, Resource: objects(all) },
      { Sid: 'WriteNamespace', Effect: 'Allow', Action: OBJECT_WRITE, Resource: objects(prefixes.readWrite) },
      { Sid: 'ListNamespace', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`], Condition: { StringLike: { 's3:prefix': all.map((p) => `${p}*`) } } },
    ],
  });
}

/**
 * What the minted credentials depend on: when any of it changes (another bucket or prefix, a
 * rotated workspace key, another role or lifetime), the namespace's credentials are minted again.
 * A digest, so the Secret's annotation names no credential.
 */
export function credentialsFingerprint(parts: { policy: string; workspaceAccessKeyId: string; roleArn?: string; durationSeconds: number; stsEndpoint?: string }): string {
  return createHash('sha256').update(JSON.stringify([parts.policy, parts.workspaceAccessKeyId, parts.roleArn ?? '', parts.durationSeconds, parts.stsEndpoint ?? ''])).digest('hex').slice(0, 32);
}
