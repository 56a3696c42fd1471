// A Secret the pods mount that is gone (issue 10): deleted after the operator's check before the
// pods were made, or before a pod was replaced (an eviction, a node drain). The kubelet then
// cannot mount the volume: it raises FailedMount Events on the pod, and the pod stays Pending
// with its container waiting in ContainerCreating, with no reason in the pod status. So the
// operator looks itself, without watching Events or Secrets: for a pod that waits for its
// volumes longer than MOUNT_GRACE_MS, it reads the metadata of the Secrets it gave the pod (the
// Deployment's key, the namespace's storage credentials, spec.secrets) and names a missing one.
// A healthy start costs no request: mounting takes well under a second.
//
// Not CreateContainerConfigError: these pods take no env from Secrets or ConfigMaps (literal
// values, the pod IP; podTemplate.env has name and value only), so a missing Secret is always
// this FailedMount case. pod-problems.ts classifies CreateContainerConfigError all the same.
import type { DeploymentSpec } from '../../api/v1alpha1/deployment.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { isNotFound } from '../../kube/rest-client.ts';
import { resourcePath } from '../../kube/resources.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { authSecretName } from './auth-secret.ts';
import type { PodProblem } from './pod-problems.ts';
import { JOB_SECRET_LABEL } from './secret-access.ts';

/** How long a pod may wait for its volumes before its Secrets are looked at. */
export const MOUNT_GRACE_MS = 5_000;

/** A Secret the operator gives the Deployment's pods as a volume, and what it is for. */
export interface PodSecret {
  name: string;
  /** key: the Deployment's key (auth-secret.ts); storage: the namespace's S3 credentials; listed: spec.secrets[index]. */
  kind: 'key' | 'storage' | 'listed';
  index?: number;
}

/** The Secrets desired.ts mounts into every pod of the Deployment (pure; desired test keeps them in step). */
export function podSecrets(deployment: string, spec: Pick<DeploymentSpec, 'secrets'>, storageSecret: string | undefined): PodSecret[] {
  return [
    { name: authSecretName(deployment), kind: 'key' as const },
    ...(storageSecret ? [{ name: storageSecret, kind: 'storage' as const }] : []),
    ...[...new Set(spec.secrets ?? [])].map((name) => ({ name, kind: 'listed' as const, index: (spec.secrets ?? []).indexOf(name) })),
  ];
}

interface Condition { type?: string; status?: string; lastTransitionTime?: string }
interface PodStatus { phase?: string; conditions?: Condition[]; containerStatuses?: Array<{ state?: { waiting?: { reason?: string }; running?: unknown; terminated?: unknown } }> }

/**
 * Since when (epoch ms) the pod waits for its volumes, or undefined if it does not: it is
 * scheduled, Pending, its sandbox is not ready (volumes are mounted before the sandbox is made,
 * so an image pull does not count) and no container has started or reports another reason.
 */
export function waitingForVolumesSince(pod: KubeObject): number | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const status = (pod.status ?? {}) as PodStatus;
  if (status.phase !== 'Pending') return undefined;
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status !== 'True') return undefined;
  if (status.conditions?.some((c) => c.type === 'PodReadyToStartContainers' && c.status === 'True')) return undefined;
  const started = (status.containerStatuses ?? []).some((c) => c.state?.running || c.state?.terminated || (c.state?.waiting?.reason ?? 'ContainerCreating') !== 'ContainerCreating');
  if (started) return undefined;
  const since = Date.parse(scheduled.lastTransitionTime ?? '');
  return Number.isFinite(since) ? since : undefined;
}

/** Which pods to look at now, and when to look again for those still within the grace (pure). */
export function podsToCheck(pods: ReadonlyArray<KubeObject>, now: number, graceMs = MOUNT_GRACE_MS): { due: KubeObject[]; recheckInMs?: number } {
  const due: KubeObject[] = [];
  let recheckInMs: number | undefined;
  for (const pod of pods) {
    const since = waitingForVolumesSince(pod);
    if (since === undefined) continue;
    if (now - since >= graceMs) due.push(pod);
    else recheckInMs = Math.min(recheckInMs ?? Infinity, since + graceMs - now);
  }
  return recheckInMs === undefined ? { due } : { due, recheckInMs };
}

/** The problem of a pod that cannot mount a missing Secret: what the Secret is for, and the fix (pure). */
export function missingSecretProblem(pod: { name: string; role?: string }, secret: PodSecret, namespace: string): PodProblem {
  const what = secret.kind === 'listed' ? `Secret '${secret.name}' (spec.secrets[${secret.index ?? 0}])`
    : secret.kind === 'storage' ? `the namespace's storage credentials Secret '${secret.name}'`
    : `the Deployment's key Secret '${secret.name}'`;
  const fix = secret.kind === 'listed' ? `create it again (labelled ${JOB_SECRET_LABEL}=true) or remove it from spec.secrets`
    : secret.kind === 'storage' ? `the operator copies it again from the Workspace's Secret at the Namespace's next pass (within 5 min; any change to Namespace ${namespace} brings it now)`
    : `the operator makes a new key when the Deployment starts again (change its spec, or set spec.state suspended and then running)`;
  return {
    pod: pod.name, ...(pod.role ? { role: pod.role } : {}), reason: 'SecretMissing', permanent: false,
    message: `pod ${pod.name} cannot start: ${what} does not exist in namespace ${namespace}, so the kubelet cannot mount it (FailedMount) and the pod stays ContainerCreating; ${fix}`,
  };
}

// Metadata only: no Secret value ever reaches the operator.
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/**
 * For the Deployment's pods that wait for their volumes past the grace: the missing Secret of
 * each, as a pod problem by pod name. One metadata GET per Secret, only when a pod waits.
 */
export async function secretMountProblems(ctx: Pick<ReconcileContext, 'rest' | 'clock'>, namespace: string, secrets: PodSecret[], pods: ReadonlyArray<KubeObject>): Promise<{ problems: Map<string, PodProblem>; recheckInMs?: number }> {
  const { due, recheckInMs } = podsToCheck(pods, ctx.clock.now());
  const problems = new Map<string, PodProblem>();
  if (due.length > 0) {
    let missing: PodSecret | undefined;
    for (const secret of secrets) {
      try {
        await ctx.rest.request('GET', resourcePath({ apiVersion: 'v1', kind: 'Secret', namespace, name: secret.name }), { accept: METADATA_ONLY });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        missing = secret;
        break;
      }
    }
    if (missing) for (const pod of due) problems.set(pod.metadata.name, missingSecretProblem({ name: pod.metadata.name, role: pod.metadata.labels?.['app.kubernetes.io/component'] }, missing, namespace));
  }
  return recheckInMs === undefined ? { problems } : { problems, recheckInMs };
}
