// Namespace reconciler: observe (cache) → validate → decide quota → apply owned objects →
// write status once. Deletion: delete the namespace's Deployments first and wait until their
// pods are gone, then delete the Kubernetes namespace and the queue PriorityClasses.
import { namespaceSchema } from '../../api/v1alpha1/namespace.ts';
import type { Namespace, NamespaceStatus } from '../../api/v1alpha1/namespace.ts';
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { DEFAULT_QUEUE } from '../../api/v1alpha1/queue.ts';
import { parseResource } from '../../api/v1alpha1/parse.ts';
import { CU_STEP, quarters, sumCU } from '../../capacity/compute-units.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { MillraceError } from '../../errors.ts';
import { LABELS, ownerReference } from '../shared/context.ts';
import type { ReconcileContext, Raw } from '../shared/context.ts';
import { ensureFinalizer, removeFinalizer, writeStatus } from '../shared/lifecycle.ts';
import { desiredDefaultQueue, desiredNamespaceObjects, desiredS3Secret, S3_SECRET_NAME } from './desired.ts';
import { decideNamespaceQuotas } from './quota.ts';

const ts = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v ?? ''));

export async function reconcileNamespace(ctx: ReconcileContext, name: string): Promise<ReconcileResult> {
  const raw = ctx.caches.namespaces.get(name);
  if (!raw) return {};
  const now = new Date(ctx.clock.now());
  const generation = raw.metadata.generation;
  const previous = raw.status;

  let ns: Namespace;
  try {
    ns = parseResource(namespaceSchema, raw, `Namespace ${name}`);
  } catch (err) {
    if (!(err instanceof MillraceError)) throw err;
    await writeStatus(ctx, raw, { ...previous, observedGeneration: generation, phase: 'Pending', conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: err.message }], generation, now) });
    if (previous?.conditions?.find((c) => c.type === 'Ready')?.reason !== 'InvalidSpec') await ctx.events.record(raw, 'Warning', 'InvalidSpec', 'Validate', err.message);
    return {};
  }

  if (raw.metadata.deletionTimestamp) return finalize(ctx, raw, ns, now);
  await ensureFinalizer(ctx, raw);

  const workspace = ctx.caches.workspaces.get(ns.spec.workspace);
  const conditions: ConditionInput[] = [];
  let phase: NamespaceStatus['phase'] = 'Active';
  let accepted = false;
  if (!workspace) {
    phase = 'Pending';
    conditions.push({ type: 'QuotaAccepted', status: 'False', reason: 'WorkspaceNotFound', message: `Workspace ${ns.spec.workspace} does not exist; create it or fix spec.workspace` });
  } else {
    const views = ctx.caches.namespaces.list()
      .filter((n) => n.spec?.workspace === ns.spec.workspace)
      .map((n) => ({ name: n.metadata.name, creationTimestamp: ts(n.metadata.creationTimestamp), quotaCU: n.spec.quotaCU, deleting: Boolean(n.metadata.deletionTimestamp), accepted: n.status?.phase === 'Active' }));
    const decision = decideNamespaceQuotas(workspace.spec.capacityCU, views).decisions.get(name);
    if (decision?.accepted) {
      accepted = true;
      conditions.push({ type: 'QuotaAccepted', status: 'True', reason: 'FitsWorkspace', message: `${ns.spec.quotaCU} CU reserved in workspace ${ns.spec.workspace}` });
    } else {
      phase = 'QuotaRejected';
      const free = decision && !decision.accepted ? decision.freeCU : 0;
      conditions.push({ type: 'QuotaAccepted', status: 'False', reason: 'ExceedsWorkspaceCapacity', message: `spec.quotaCU ${ns.spec.quotaCU} exceeds the free capacity of workspace ${ns.spec.workspace} (${free} of ${workspace.spec.capacityCU} CU free); lower spec.quotaCU or raise the workspace capacity` });
    }
  }

  // A refused quota leaves what exists untouched (running work keeps its last accepted quota).
  if (accepted && workspace) {
    for (const obj of desiredNamespaceObjects(ns, ownerReference(raw))) await ctx.rest.apply(obj, ctx.fieldManager);
    conditions.push(await copyStorageSecret(ctx, ns, workspace.spec.storage.secretRef, ownerReference(raw)));
    const otherQueues = ctx.caches.queues.list(name).filter((q) => q.metadata.name !== DEFAULT_QUEUE && !q.metadata.deletionTimestamp);
    const left = Math.max(0, quarters(ns.spec.quotaCU) - quarters(sumCU(otherQueues.map((q) => q.spec.cu)))) * CU_STEP;
    await ctx.rest.apply(desiredDefaultQueue(name, left, ctx.instanceLabels), ctx.fieldManager);
  }

  const queues = ctx.caches.queues.list(name);
  const status: NamespaceStatus = {
    observedGeneration: generation,
    phase,
    kubernetesNamespace: accepted || previous?.kubernetesNamespace ? name : undefined,
    allocatedCU: sumCU(queues.map((q) => q.spec.cu)),
    usedCU: sumCU(ctx.caches.deployments.list(name).map((d) => d.status?.cuInUse ?? 0)),
    conditions: setConditions(previous?.conditions, [
      ...conditions,
      phase === 'Active'
        ? { type: 'Ready', status: 'True', reason: 'Active', message: `Kubernetes namespace ${name} with quota ${ns.spec.quotaCU} CU` }
        : { type: 'Ready', status: 'False', reason: conditions[0]?.reason ?? 'Pending', message: conditions[0]?.message ?? '' },
    ], generation, now),
  };
  await writeStatus(ctx, raw, status);
  const storage = conditions.find((c) => c.type === 'StorageCredentials');
  const prevStorage = previous?.conditions?.find((c) => c.type === 'StorageCredentials');
  if (storage && storage.status === 'False' && prevStorage?.message !== storage.message) await ctx.events.record(raw, 'Warning', storage.reason, 'CopySecret', storage.message);
  if (previous?.phase !== phase) {
    await ctx.events.record(raw, phase === 'Active' ? 'Normal' : 'Warning', phase === 'Active' ? 'Provisioned' : (conditions[0]?.reason ?? phase), 'Reconcile',
      phase === 'Active' ? `namespace ${name} provisioned with ${ns.spec.quotaCU} CU` : conditions[0]?.message ?? phase);
  }
  // Secrets are not watched (least privilege: no list/watch on Secrets): look again for a rotation.
  return accepted ? { requeueAfterMs: SECRET_RECHECK_MS } : {};
}

export const SECRET_RECHECK_MS = 5 * 60_000;

/** Copies the workspace's S3 Secret into the namespace; the condition never carries a value. */
async function copyStorageSecret(ctx: ReconcileContext, ns: Namespace, ref: { name: string; namespace: string }, owner: ReturnType<typeof ownerReference>): Promise<ConditionInput> {
  const source = `${ref.namespace}/${ref.name}`;
  let secret: KubeObject | undefined;
  try {
    secret = await ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: ref.namespace, name: ref.name });
  } catch (err) {
    return { type: 'StorageCredentials', status: 'False', reason: 'SecretUnreadable', message: `cannot read the workspace Secret ${source}: HTTP ${(err as { status?: number }).status ?? 'error'}` };
  }
  const copy = desiredS3Secret(ns, secret, owner);
  if (!copy) return { type: 'StorageCredentials', status: 'False', reason: 'SecretInvalid', message: `the workspace Secret ${source} is missing or lacks AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; pods of this namespace wait for Secret ${S3_SECRET_NAME}` };
  await ctx.rest.apply(copy, ctx.fieldManager);
  return { type: 'StorageCredentials', status: 'True', reason: 'Copied', message: `S3 credentials of Secret ${source} copied to Secret ${S3_SECRET_NAME}` };
}

async function finalize(ctx: ReconcileContext, raw: Raw<Namespace>, ns: Namespace, now: Date): Promise<ReconcileResult> {
  const name = ns.metadata.name;
  const deployments = await ctx.rest.list<KubeObject>({ apiVersion: API_VERSION, kind: 'Deployment', namespace: name }).catch(() => ({ items: [] }));
  const pods = await ctx.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace: name }, { labelSelector: LABELS.deployment }).catch(() => ({ items: [] }));
  if (raw.status?.phase !== 'Terminating') {
    await writeStatus(ctx, raw, { ...raw.status, phase: 'Terminating', conditions: setConditions(raw.status?.conditions, [{ type: 'Ready', status: 'False', reason: 'Terminating', message: `stopping ${deployments.items.length} deployment(s) before removing namespace ${name}` }], raw.metadata.generation, now) });
    await ctx.events.record(raw, 'Normal', 'Terminating', 'Delete', `stopping ${deployments.items.length} deployment(s) before removing namespace ${name}`);
  }
  if (deployments.items.length > 0 || pods.items.length > 0) {
    for (const d of deployments.items) if (!d.metadata.deletionTimestamp) await ctx.rest.delete({ apiVersion: API_VERSION, kind: 'Deployment', namespace: name, name: d.metadata.name });
    return { requeueAfterMs: 1000 };
  }
  const classes = await ctx.rest.list<KubeObject>({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' }, { labelSelector: `${LABELS.namespace}=${name}` });
  for (const pc of classes.items) await ctx.rest.delete({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: pc.metadata.name });
  // Queues carry our finalizer too; drop theirs so the namespace can go.
  const queues = await ctx.rest.list<KubeObject>({ apiVersion: API_VERSION, kind: 'Queue', namespace: name }).catch(() => ({ items: [] }));
  for (const q of queues.items) { q.apiVersion ??= API_VERSION; q.kind ??= 'Queue'; await removeFinalizer(ctx, q).catch(() => undefined); }
  await ctx.rest.delete({ apiVersion: 'v1', kind: 'Namespace', name });
  await removeFinalizer(ctx, raw);
  return {};
}
