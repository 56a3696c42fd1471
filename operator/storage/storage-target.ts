// The S3 target of a Workspace: its storage settings plus the credentials of the Secret it
// names. Shared by the storage check and savepoint disposal; never puts a credential in a message.
import type { WorkspaceSpec } from '../api/v1alpha1/workspace.ts';
import type { KubeObject } from '../kube/rest-client.ts';
import type { StorageTarget } from './workspace-storage.ts';

export type TargetResult =
  | { ok: true; target: StorageTarget }
  | { ok: false; reason: 'SecretUnreadable' | 'SecretInvalid'; message: string };

export async function workspaceStorageTarget(storage: WorkspaceSpec['storage'], getSecret: (namespace: string, name: string) => Promise<KubeObject | undefined>): Promise<TargetResult> {
  const ref = `${storage.secretRef.namespace}/${storage.secretRef.name}`;
  let secret: KubeObject | undefined;
  try {
    secret = await getSecret(storage.secretRef.namespace, storage.secretRef.name);
  } catch (err) {
    return { ok: false, reason: 'SecretUnreadable', message: `cannot read Secret ${ref}: ${(err as Error).message}` };
  }
  const data = (secret?.data ?? {}) as Record<string, string>;
  const get = (k: string) => (data[k] ? Buffer.from(data[k], 'base64').toString('utf8') : undefined);
  const accessKeyId = get('AWS_ACCESS_KEY_ID');
  const secretAccessKey = get('AWS_SECRET_ACCESS_KEY');
  if (!secret || !accessKeyId || !secretAccessKey) {
    return { ok: false, reason: 'SecretInvalid', message: `Secret ${ref} is missing or lacks AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY` };
  }
  return {
    ok: true,
    target: { bucket: storage.bucket, endpoint: storage.endpoint, region: storage.region, forcePathStyle: storage.forcePathStyle, prefix: storage.prefix, credentials: { accessKeyId, secretAccessKey } },
  };
}
