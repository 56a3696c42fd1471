// The per-Deployment key: a Secret `<name>-auth` the operator creates once (random, 32 bytes as
// hex), owned by the Deployment, mounted read-only into its JobManager and TaskManager pods. The
// runtime signs and verifies every REST request, HA record and data connection with it
// (runtime/auth/), and the operator signs its JobManager requests with it. A Deployment deleted
// and created again under the same name gets a new key, so nothing of the old one is trusted.
import { randomBytes } from 'node:crypto';
import { DeploymentKey } from '../../../runtime/auth/deployment-key.ts';
import type { KubeObject, KubeRest, OwnerReference } from '../../kube/rest-client.ts';
import { isConflict } from '../../kube/rest-client.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';

export const AUTH_KEY_DIR = '/var/run/secrets/millrace/auth';
export const AUTH_KEY_FILE = `${AUTH_KEY_DIR}/key`;
const KEY_FIELD = 'key';

export const authSecretName = (deployment: string) => `${deployment}-auth`;

/** The Secret with a fresh key (pure apart from the key given). */
export function desiredAuthSecret(namespace: string, deployment: string, owner: OwnerReference, key: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: authSecretName(deployment), namespace, labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.deployment]: deployment }, ownerReferences: [owner] },
    immutable: true,
    stringData: { [KEY_FIELD]: key },
  };
}

/**
 * Creates the Secret if it does not exist; an existing key is never replaced (running pods hold
 * it). One request: the create itself, whose 409 says the Secret is there (no GET first: this
 * runs for every Deployment created, and issue 15 allows about 3 requests for that).
 */
export async function ensureAuthSecret(rest: Pick<KubeRest, 'create'>, namespace: string, deployment: string, owner: OwnerReference): Promise<void> {
  try {
    await rest.create(desiredAuthSecret(namespace, deployment, owner, randomBytes(32).toString('hex')));
  } catch (err) {
    if (!isConflict(err)) throw err; // it exists (an earlier pass, another reconcile): that key stands
  }
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
