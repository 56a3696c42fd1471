// The Deployment's key Secret (`<name>-auth`, auth-secret.ts) kept while pods hold its key (issue 14).
//
// Running pods, the HA records they sign and the data connections between them all use the key
// they mounted at start. A key Secret deleted under them would make the operator's next pod (a
// replaced TaskManager, a JobManager made again) start with a NEW random key that the others
// refuse, and HA records signed with the old key would no longer be trusted. So, like Kubernetes'
// own `kubernetes.io/pvc-protection`:
//
// - While pods of the Deployment exist, the Secret carries the finalizer KEY_FINALIZER. A delete
//   then only marks it (Terminating); it keeps its key, new pods of the same run still mount it,
//   and the Deployment shows condition AuthKeyProblem (reason KeyDeletionPostponed) and one
//   Warning Event saying what happened and how to get a new key (suspend, then resume).
// - Once no pod of the Deployment is left (suspended, failed, deleted), the operator removes the
//   finalizer: a deletion asked for goes through, and the next start (a new run, whose pods never
//   resume the old run's HA records: job-stop.ts) makes a new key. Nothing blocks a namespace.
// - Should the key go anyway (the finalizer removed by hand) or be replaced by a Secret made
//   after the running pods, the operator makes NO pod with another key: condition AuthKeyProblem
//   (reason KeyLost), a Warning Event, and the running pods left alone (their job keeps going on
//   the key they hold). Suspend and resume starts a new run with a new key from the job's last
//   savepoint or checkpoint (spec.restore).
//
// The check costs one metadata GET per pass of a Deployment that has pods (about every 15 s
// while Running, as often as the operator already reads the key to sign its requests), one more
// after its pods are gone and one when it is deleted; none for a Deployment that stays without pods.
import type { ConditionInput } from '../../kube/conditions.ts';
import type { Condition } from '../../api/v1alpha1/meta.ts';
import type { KubeObject, KubeRest } from '../../kube/rest-client.ts';
import { isNotFound, KubeApiError } from '../../kube/rest-client.ts';
import { resourcePath } from '../../kube/resources.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';
import type { ReconcileContext } from '../shared/context.ts';

export const KEY_FINALIZER = 'millrace.dev/key-in-use';
export const KEY_CONDITION = 'AuthKeyProblem';
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** What the check needs of the Secret (its metadata). */
export type KeySecretMeta = Pick<KubeObject['metadata'], 'uid' | 'labels' | 'ownerReferences' | 'finalizers' | 'deletionTimestamp' | 'creationTimestamp' | 'resourceVersion'>;
/** What it needs of a pod of the Deployment (the pod cache's metadata). */
export type KeyPod = { metadata: Pick<KubeObject['metadata'], 'name' | 'ownerReferences' | 'deletionTimestamp' | 'creationTimestamp'> };

export type KeyState =
  /** Nothing to do (no pods and no finalizer, or pods and a protected Secret). */
  | { kind: 'ok' }
  /** Pods hold the key and the Secret has no finalizer (made by an earlier operator, or released before a start): add it. */
  | { kind: 'protect' }
  /** No pod of the Deployment is left: remove the finalizer (a deletion asked for goes through). */
  | { kind: 'release' }
  /** Deleted while pods hold the key: kept until they are gone. */
  | { kind: 'postponed'; deletedAt: string; pods: string[] }
  /** The key the running pods hold is no longer in the Secret: gone, or a Secret made after them. */
  | { kind: 'lost'; why: 'deleted' | 'replaced'; pods: string[] };

const ownedBy = (m: Pick<KubeObject['metadata'], 'ownerReferences'>, uid: string) => m.ownerReferences?.some((o) => o.uid === uid) ?? false;

/**
 * The state of the key Secret for the Deployment with `uid` and its pods (pure). `secret`:
 * undefined when it does not exist. Pods of another Deployment of the same name (being
 * collected) and terminating pods hold no key this Deployment still needs.
 */
export function keyState(secret: KeySecretMeta | undefined, uid: string, pods: readonly KeyPod[]): KeyState {
  const live = pods.filter((p) => ownedBy(p.metadata, uid) && !p.metadata.deletionTimestamp);
  const finalized = secret?.finalizers?.includes(KEY_FINALIZER) ?? false;
  if (live.length === 0) return finalized ? { kind: 'release' } : { kind: 'ok' };
  const names = live.map((p) => p.metadata.name).sort();
  if (!secret) return { kind: 'lost', why: 'deleted', pods: names };
  // The Secret is made before the pods of a run (reconciler.ts): one made after a live pod, or
  // not this Deployment's, holds another key than that pod.
  const oldest = Math.min(...live.map((p) => Date.parse(p.metadata.creationTimestamp ?? '') || Infinity));
  const made = Date.parse(secret.creationTimestamp ?? '');
  if (!ownedBy(secret, uid) || made > oldest) return { kind: 'lost', why: 'replaced', pods: names };
  if (secret.deletionTimestamp) return { kind: 'postponed', deletedAt: secret.deletionTimestamp, pods: names };
  return finalized ? { kind: 'ok' } : { kind: 'protect' };
}

/** The condition for a state, or the one that clears an earlier problem (pure). */
export function keyConditions(state: KeyState, namespace: string, deployment: string, previous: readonly Condition[] | undefined): ConditionInput[] {
  const secret = `Secret ${namespace}/${deployment}-auth`;
  const pods = (p: string[]) => `${p.slice(0, 3).join(', ')}${p.length > 3 ? ` and ${p.length - 3} more` : ''}`;
  if (state.kind === 'postponed') {
    return [{
      type: KEY_CONDITION, status: 'True', reason: 'KeyDeletionPostponed',
      message: `${secret} (the Deployment's key) was deleted at ${state.deletedAt} while pods ${pods(state.pods)} hold its key; it stays (finalizer ${KEY_FINALIZER}) until they are gone, so the job keeps running. For a new key: suspend the Deployment (the Secret goes once its pods are gone), then resume it (a new run makes a new key)`,
    }];
  }
  if (state.kind === 'lost') {
    const what = state.why === 'deleted' ? `${secret} (the Deployment's key) is gone` : `${secret} was made after the running pods, so it is not the key they hold`;
    return [{
      type: KEY_CONDITION, status: 'True', reason: 'KeyLost',
      message: `${what} while pods ${pods(state.pods)} run; no pod is made with another key (the running ones would refuse it). Suspend the Deployment, then resume it: a new run starts with a new key from the last savepoint or checkpoint (spec.restore)`,
    }];
  }
  const c = previous?.find((x) => x.type === KEY_CONDITION);
  if (c?.status !== 'True') return [];
  return [state.kind === 'release'
    ? { type: KEY_CONDITION, status: 'False', reason: 'KeyReleased', message: `no pod of the Deployment holds the old key any more; the next start makes ${secret} with a new key` }
    : { type: KEY_CONDITION, status: 'False', reason: 'KeyInPlace', message: `${secret} holds the key of the Deployment's pods` }];
}

/** Deployments seen with pods at their last check: their Secret may still hold the finalizer once the pods are gone. */
const held = new WeakMap<ReconcileContext, Set<string>>();
function heldOf(ctx: ReconcileContext): Set<string> {
  let s = held.get(ctx);
  if (!s) held.set(ctx, s = new Set());
  return s;
}

/** The key Secret's metadata, undefined when it does not exist. */
export async function keySecretMeta(rest: Pick<KubeRest, 'request'>, namespace: string, deployment: string): Promise<(KeySecretMeta & { name: string }) | undefined> {
  try {
    const o = await rest.request<KubeObject>('GET', resourcePath({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${deployment}-auth` }), { accept: METADATA_ONLY });
    return o.metadata;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Removes KEY_FINALIZER from the Secret (resourceVersion: a Secret that moved is looked at again). */
export async function releaseKeySecret(rest: Pick<KubeRest, 'mergePatch'>, namespace: string, name: string, meta: KeySecretMeta): Promise<void> {
  if (!meta.finalizers?.includes(KEY_FINALIZER)) return;
  await rest.mergePatch({ apiVersion: 'v1', kind: 'Secret', namespace, name },
    { metadata: { finalizers: (meta.finalizers ?? []).filter((f) => f !== KEY_FINALIZER), resourceVersion: meta.resourceVersion } })
    .catch((err: unknown) => { if (!isNotFound(err)) throw err; });
}

/**
 * Looks at the key Secret of a Deployment (uid) whose pods are given, protects or releases it,
 * and returns its state. `uid` undefined: the Deployment is gone or being deleted, so its key is
 * released whatever pods are left (they go with it).
 */
export async function checkKeySecret(ctx: ReconcileContext, namespace: string, deployment: string, uid: string | undefined, pods: readonly KeyPod[]): Promise<KeyState> {
  const k = `${namespace}/${deployment}`;
  const seen = heldOf(ctx);
  // A live Deployment without pods, none seen since this operator started: nothing to look at
  // (also where the operator holds no rights). A key still held from before a restart is let
  // go of at the next start (ensureAuthSecret) or when the Deployment goes.
  if (uid !== undefined && pods.length === 0 && !seen.has(k)) return { kind: 'ok' };
  let meta: (KeySecretMeta & { name: string }) | undefined;
  try {
    meta = await keySecretMeta(ctx.rest, namespace, deployment);
  } catch (err) {
    // A Deployment gone from a namespace the operator holds no rights in had no key there.
    if (uid === undefined && err instanceof KubeApiError && err.status === 403) return { kind: 'ok' };
    throw err;
  }
  // Gone Deployment: only a Secret the operator made for a Deployment no longer there.
  const state: KeyState = uid === undefined
    ? (meta?.finalizers?.includes(KEY_FINALIZER) && meta.labels?.[LABELS.managedBy] === MANAGED_BY ? { kind: 'release' } : { kind: 'ok' })
    : keyState(meta, uid, pods);
  if (state.kind === 'release' && meta) await releaseKeySecret(ctx.rest, namespace, `${deployment}-auth`, meta);
  if (state.kind === 'protect' && meta) {
    await ctx.rest.mergePatch({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${deployment}-auth` },
      { metadata: { finalizers: [...(meta.finalizers ?? []), KEY_FINALIZER], resourceVersion: meta.resourceVersion } });
  }
  if (pods.length > 0 && uid !== undefined) seen.add(k);
  else seen.delete(k);
  return state;
}

/**
 * In a namespace being emptied (no Deployment or pod left): removes KEY_FINALIZER from every key
 * Secret still carrying it, so the namespace's deletion never waits for the operator. The
 * Deployment's own pass does this as it goes; this covers Deployments deleted while no operator ran.
 */
export async function releaseOrphanedKeySecrets(ctx: ReconcileContext, namespace: string): Promise<void> {
  // Refused (the chart's RBAC of an earlier version): the namespace's deletion names what holds it.
  const list = await ctx.rest.request<{ items?: Array<{ metadata: KeySecretMeta & { name: string } }> }>('GET', resourcePath({ apiVersion: 'v1', kind: 'Secret', namespace }), {
    query: { labelSelector: `${LABELS.managedBy}=${MANAGED_BY},${LABELS.deployment}` }, accept: METADATA_LIST,
  }).catch((err: unknown) => { if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) return { items: [] }; throw err; });
  // An empty PartialObjectMetadataList comes with items null.
  for (const s of list.items ?? []) await releaseKeySecret(ctx.rest, namespace, s.metadata.name, s.metadata);
}
