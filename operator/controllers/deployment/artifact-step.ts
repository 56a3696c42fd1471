// The reconciler's artifact step (I/O edge of artifact-resolution.ts): finds the namespace's
// workspace bucket, reads the object's digest with the workspace credentials when the plan says
// so, and returns what the pods run, what status records, or why the Deployment fails.
import type { Deployment, DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { MillraceError } from '../../errors.ts';
import { workspaceStorageTarget } from '../../storage/storage-target.ts';
import type { ReconcileContext } from '../shared/context.ts';
import type { ArtifactDigests } from './artifact-digest.ts';
import { s3ArtifactDigests } from './artifact-digest.ts';
import { completeResolution, planArtifact } from './artifact-resolution.ts';
import type { Resolution } from './artifact-resolution.ts';

let defaultDigests: ArtifactDigests | undefined;

export async function resolveDeploymentArtifact(ctx: ReconcileContext, d: Deployment, previous: DeploymentStatus | undefined, specHash: string, digests?: ArtifactDigests): Promise<Resolution> {
  const namespace = d.metadata.namespace ?? '';
  const workspaceName = ctx.caches.namespaces.get(namespace)?.spec?.workspace;
  const storage = workspaceName ? ctx.caches.workspaces.get(workspaceName)?.spec?.storage : undefined;
  const scope = storage ? { bucket: storage.bucket, prefix: storage.prefix ?? '', namespace } : undefined;
  const plan = planArtifact({ spec: d.spec, namespace, specHash, previous, scope });
  switch (plan.kind) {
    case 'none': return {};
    case 'direct': return { job: plan.job };
    case 'problem': return { problem: plan.problem };
    case 'reuse': return { job: plan.job, status: plan.status };
    case 'resolve': break;
  }
  if (!storage) return {};
  const target = await workspaceStorageTarget(storage, (ns, name) => ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name }));
  // Credentials the Workspace controller reports on; retried with backoff until they are readable.
  if (!target.ok) throw new MillraceError('MR_ERR_STORAGE', `cannot resolve spec.source.artifact of ${namespace}/${d.metadata.name}: ${target.message}`, { transient: true });
  let digest;
  try {
    digest = await (digests ?? (defaultDigests ??= s3ArtifactDigests())).digest(target.target, plan.key);
  } catch (err) {
    // The bucket did not answer: retried with backoff (the Deployment keeps its phase meanwhile);
    // a Warning Event says why, at most every few minutes per Deployment.
    await warnUnavailable(ctx, d, (err as Error).message);
    throw err;
  }
  return completeResolution(d.spec, plan, digest, specHash, new Date(ctx.clock.now()).toISOString());
}

const WARN_EVERY_MS = 5 * 60_000;
const lastWarned = new Map<string, number>();

async function warnUnavailable(ctx: ReconcileContext, d: Deployment, message: string): Promise<void> {
  const key = `${d.metadata.namespace}/${d.metadata.name}`;
  const now = ctx.clock.now();
  if (now - (lastWarned.get(key) ?? -Infinity) < WARN_EVERY_MS) return;
  lastWarned.set(key, now);
  if (lastWarned.size > 10_000) lastWarned.delete(lastWarned.keys().next().value as string);
  await ctx.events.record(d as unknown as KubeObject, 'Warning', 'ArtifactUnavailable', 'ResolveArtifact', `spec.source.artifact: the workspace bucket could not be read (${message}); retrying`);
}
