// The per-Deployment key: a Secret `<name>-auth` the operator creates once (random, 32 bytes as
// hex), owned by the Deployment, mounted read-only into its JobManager and TaskManager pods. The
// runtime signs and verifies every REST request, HA record and data connection with it
// (runtime/auth/), and the operator signs its JobManager requests with it. A Deployment deleted
// and created again under the same name gets a new key, so nothing of the old one is trusted.
import { randomBytes } from 'node:crypto';
import { DeploymentKey } from '../../../runtime/auth/deployment-key.ts';
import type { KubeObject, KubeRest, OwnerReference } from '../../kube/rest-client.ts';
import { isConflict, isNotFound } from '../../kube/rest-client.ts';
import { resourcePath } from '../../kube/resources.ts';
import { MillraceError } from '../../errors.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';
import { KEY_FINALIZER, releaseKeySecret } from './auth-key-protection.ts';

export const AUTH_KEY_DIR = '/var/run/secrets/millrace/auth';
export const AUTH_KEY_FILE = `${AUTH_KEY_DIR}/key`;
const KEY_FIELD = 'key';

export const authSecretName = (deployment: string) => `${deployment}-auth`;

/** The Secret with a fresh key (pure apart from the key given). */
export function desiredAuthSecret(namespace: string, deployment: string, owner: OwnerReference, key: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    // Kept while pods hold the key (auth-key-protection.ts).
    metadata: { name: authSecretName(deployment), namespace, labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.deployment]: deployment }, ownerReferences: [owner], finalizers: [KEY_FINALIZER] },
    immutable: true,
    stringData: { [KEY_FIELD]: key },
  };
}

/**
 * What to do with a `<name>-auth` Secret that is already there (pure): keep this Deployment's own
 * key (running pods hold it; also while its deletion waits for them: `inUse`); let go of one
 * being deleted that no pod holds any more (the new run gets a new key); replace one the operator
 * made for another Deployment of the same name, deleted moments ago, that the garbage collector
 * has not removed yet (its key is not this Deployment's, and the collector would delete it under
 * the new pods); refuse anything else.
 */
export function existingAuthSecretAction(existing: Pick<KubeObject, 'metadata'>, owner: Pick<OwnerReference, 'uid'>, inUse = false): 'keep' | 'wait' | 'replace' | 'foreign' {
  if (existing.metadata.ownerReferences?.some((o) => o.uid === owner.uid)) return !existing.metadata.deletionTimestamp || inUse ? 'keep' : 'wait';
  return existing.metadata.labels?.[LABELS.managedBy] === MANAGED_BY ? 'replace' : 'foreign';
}

/**
 * Creates the Secret if it does not exist (runs when pods are to be made). At a Deployment's
 * creation that is one request; a 409 costs a GET to see whose key it is (existingAuthSecretAction).
 * `inUse`: live pods of the Deployment hold the key (a Secret being deleted is then kept).
 */
export async function ensureAuthSecret(rest: Pick<KubeRest, 'create' | 'getOrUndefined' | 'request' | 'mergePatch'>, namespace: string, deployment: string, owner: OwnerReference, inUse = false): Promise<'created' | 'kept' | 'replaced'> {
  const name = authSecretName(deployment);
  const create = () => rest.create(desiredAuthSecret(namespace, deployment, owner, randomBytes(32).toString('hex')));
  try {
    await create();
    return 'created';
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
  const existing = await rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  if (!existing) return create().then(() => 'created' as const); // gone meanwhile (the collector)
  const action = existingAuthSecretAction(existing, owner, inUse);
  if (action === 'keep') {
    // Made by an earlier operator, or let go of after the last pods: kept while the new ones run.
    if (!existing.metadata.deletionTimestamp && !existing.metadata.finalizers?.includes(KEY_FINALIZER)) {
      await rest.mergePatch({ apiVersion: 'v1', kind: 'Secret', namespace, name }, { metadata: { finalizers: [...(existing.metadata.finalizers ?? []), KEY_FINALIZER], resourceVersion: existing.metadata.resourceVersion } });
    }
    return 'kept';
  }
  if (action === 'wait') {
    // Deleted by someone while no pod holds it: it goes, and this start makes a new key.
    await releaseKeySecret(rest, namespace, name, existing.metadata);
    throw new MillraceError('MR_ERR_KUBE_API', `Secret ${namespace}/${name} (the Deployment's old key) is being deleted; the pods are made with a new key once it is gone`, { transient: true });
  }
  if (action === 'foreign') {
    throw new MillraceError('MR_ERR_AUTH_SECRET_FOREIGN', `Secret ${namespace}/${name} exists but was not made by the operator for Deployment ${deployment}; it would be mounted as the Deployment's key. Delete or rename that Secret`);
  }
  // Only that very Secret (uid precondition), never one made since; then this Deployment's own.
  await releaseKeySecret(rest, namespace, name, existing.metadata);
  await rest.request('DELETE', resourcePath({ apiVersion: 'v1', kind: 'Secret', namespace, name }), {
    body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: existing.metadata.uid } },
  }).catch((err: unknown) => { if (!isNotFound(err) && !isConflict(err)) throw err; });
  await create();
  return 'replaced';
}

/** The pod parts: where the key is mounted and the variable that names it. */
export const authEnv = [{ name: 'MILLRACE_AUTH_KEY_FILE', value: AUTH_KEY_FILE }];
export const authVolumeMount = { name: 'auth', mountPath: AUTH_KEY_DIR, readOnly: true };
// readable by the runtime's group only (fsGroup), like the storage credentials
export const authVolume = (deployment: string) => ({ name: 'auth', secret: { secretName: authSecretName(deployment), defaultMode: 0o440 } });

/**
 * The keys of Deployments, read from their Secrets for the operator's JobManager client; cached
 * briefly so a reconcile burst costs one read. undefined when the Secret does not exist (yet).
 */
export function deploymentKeys(rest: Pick<KubeRest, 'getOrUndefined'>, ttlMs = 10_000, now = () => Date.now()): (d: { namespace: string; name: string }) => Promise<DeploymentKey | undefined> {
  const cache = new Map<string, { key: DeploymentKey; at: number; uid: string | undefined }>();
  return async ({ namespace, name }) => {
    const k = `${namespace}/${name}`;
    const hit = cache.get(k);
    if (hit && now() - hit.at < ttlMs) return hit.key;
    const secret = await rest.getOrUndefined<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace, name: authSecretName(name) });
    const data = secret?.data?.[KEY_FIELD];
    if (!data) {
      cache.delete(k);
      return undefined;
    }
    const key = new DeploymentKey(Buffer.from(data, 'base64').toString('utf8').trim(), `Secret ${namespace}/${authSecretName(name)}`);
    cache.set(k, { key, at: now(), uid: secret.metadata.uid });
    return key;
  };
}
