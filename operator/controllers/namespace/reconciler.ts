// Namespace reconciler: observe (cache) → validate → decide quota → apply owned objects →
// write status once; now and then sweep the savepoint directories no one owns. Deletion: delete
// the namespace's Deployments first and wait until their pods are gone, sweep its savepoint
// directories, then delete the Kubernetes namespace and the queue PriorityClasses.
import { namespaceSchema } from '../../api/v1alpha1/namespace.ts';
import type { Namespace, NamespaceStatus } from '../../api/v1alpha1/namespace.ts';
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { DEFAULT_QUEUE } from '../../api/v1alpha1/queue.ts';
import { parseResource } from '../../api/v1alpha1/parse.ts';
import { sumCU } from '../../capacity/compute-units.ts';
import { defaultQueueCU } from '../../capacity/queue-quota.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import { KubeApiError } from '../../kube/rest-client.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { MillraceError } from '../../errors.ts';
import { provideNamespaceCredentials } from '../../credentials/namespace-credentials.ts';
import { stsCredentialMinter } from '../../credentials/sts-minter.ts';
import type { CredentialMinter } from '../../credentials/sts-minter.ts';
import { LABELS, ownerReference } from '../shared/context.ts';
import type { ReconcileContext, Raw } from '../shared/context.ts';
import { ensureFinalizer, removeFinalizer, writeStatus } from '../shared/lifecycle.ts';
import { permittedAgain, withForbiddenReport } from '../shared/operator-forbidden.ts';
import { desiredDefaultQueue, desiredNamespaceObjects } from './desired.ts';
import { decideNamespaceQuota } from './quota.ts';
import { DEFAULT_SWEEP, SWEEP_SINCE_ANNOTATION, sweepSavepointDirectories, sweepTimesOf } from './savepoint-sweep.ts';
import type { SweepResult, SweepSettings } from './savepoint-sweep.ts';
import type { SavepointFiles } from '../../storage/savepoint-files.ts';
import type { Workspace } from '../../api/v1alpha1/workspace.ts';
import { namespaceCapacityLock } from '../queue/capacity-lock.ts';
import { releaseOrphanedKeySecrets } from '../deployment/auth-key-protection.ts';
import { priorityClassName } from '../queue/desired.ts';
import { namespaceQuotasInForce, queueQuotasInForce, usableQueueCU } from '../queue/in-force.ts';


export interface NamespaceReconcilerDeps {
  /** Savepoint files in the workspace bucket; without it no sweep runs. */
  files?: SavepointFiles;
  sweep?: SweepSettings;
  /** Mints the namespace's storage credentials (STS AssumeRole); defaults to the AWS SDK's STS client. */
  credentials?: CredentialMinter;
}

const defaultMinter = stsCredentialMinter();

export async function reconcileNamespace(ctx: ReconcileContext, name: string, deps: NamespaceReconcilerDeps = {}): Promise<ReconcileResult> {
  // A lasting RBAC refusal of the operator's own requests shows on the Namespace (operator-forbidden.ts).
  return withForbiddenReport(ctx, `Namespace ${name}`, () => ctx.caches.namespaces.get(name), () => namespacePass(ctx, name, deps));
}

async function namespacePass(ctx: ReconcileContext, name: string, deps: NamespaceReconcilerDeps): Promise<ReconcileResult> {
  const raw = ctx.caches.namespaces.get(name);
  if (!raw) { sweepTimesOf(ctx).forget(name); return {}; }
  const now = new Date(ctx.clock.now());
  const generation = raw.metadata.generation;
  const previous = raw.status;
  // Before parsing: a deletion never waits for a spec the operator cannot read.
  if (raw.metadata.deletionTimestamp) return finalize(ctx, raw, now, deps);

  let ns: Namespace;
  try {
    ns = parseResource(namespaceSchema, raw, `Namespace ${name}`);
  } catch (err) {
    if (!(err instanceof MillraceError)) throw err;
    await writeStatus(ctx, raw, { ...previous, observedGeneration: generation, phase: 'Pending', conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: err.message }], generation, now) });
    if (previous?.conditions?.find((c) => c.type === 'Ready')?.reason !== 'InvalidSpec') await ctx.events.record(raw, 'Warning', 'InvalidSpec', 'Validate', err.message);
    return {};
  }

  await ensureFinalizer(ctx, raw);

  const workspace = ctx.caches.workspaces.get(ns.spec.workspace);
  const conditions: ConditionInput[] = [];
  let phase: NamespaceStatus['phase'] = 'Active';
  let accepted = false;
  let kubernetesNamespaceTerminating = false;
  let acceptedQuotaCU: number | undefined;
  if (!workspace) {
    phase = 'Pending';
    conditions.push({ type: 'QuotaAccepted', status: 'False', reason: 'WorkspaceNotFound', message: `Workspace ${ns.spec.workspace} does not exist; create it or fix spec.workspace` });
  } else {
    // Decide and apply under the workspace's lock: the next namespace's decision reads this
    // one's quota in force (the ResourceQuotas, from the API server).
    await namespaceCapacityLock(ctx).run(`workspace:${ns.spec.workspace}`, async () => {
      const inForce = await namespaceQuotasInForce(ctx, ns.spec.workspace);
      const live = new Set(ctx.caches.namespaces.list().filter((n) => n.spec?.workspace === ns.spec.workspace && !n.metadata.deletionTimestamp).map((n) => n.metadata.name));
      const decision = decideNamespaceQuota(workspace.spec.capacityCU, ns.spec.quotaCU, [...inForce].filter(([n]) => n !== name && live.has(n)).map(([, cu]) => cu));
      acceptedQuotaCU = inForce.get(name);
      if (decision.accepted) {
        accepted = true;
        conditions.push({ type: 'QuotaAccepted', status: 'True', reason: 'FitsWorkspace', message: `${ns.spec.quotaCU} CU reserved in workspace ${ns.spec.workspace}` });
      } else {
        phase = 'QuotaRejected';
        const kept = acceptedQuotaCU === undefined ? 'Nothing is provisioned until then' : `The namespace keeps its accepted ${acceptedQuotaCU} CU`;
        conditions.push({ type: 'QuotaAccepted', status: 'False', reason: 'ExceedsWorkspaceCapacity', message: `spec.quotaCU ${ns.spec.quotaCU} exceeds the free capacity of workspace ${ns.spec.workspace} (${decision.freeCU} of ${workspace.spec.capacityCU} CU free); lower spec.quotaCU or raise the workspace capacity. ${kept}; no other namespace changed` });
      }

      // A refused quota leaves what exists untouched (running work keeps its last accepted quota).
      const existing = accepted ? await ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Namespace', name }) : undefined;
      if (existing && !madeBy(existing, raw)) {
        // Never adopt (and so, on delete, never delete) a Kubernetes namespace someone else made.
        accepted = false;
        phase = 'Pending';
        conditions.unshift({ type: 'KubernetesNamespace', status: 'False', reason: 'KubernetesNamespaceNotOwned', message: `Kubernetes namespace ${name} already exists and was not made by this Namespace; Millrace does not take over existing namespaces. Delete this Namespace and create one with another name` });
      }
      if (!accepted) return;
      try {
        if (existing?.metadata.deletionTimestamp) throw new KubeApiError(403, 'Forbidden', `namespace ${name} is being terminated`);
        for (const obj of desiredNamespaceObjects(ns, ownerReference(raw), ctx.operatorTenantAccess)) await ctx.rest.apply(obj, ctx.fieldManager);
        acceptedQuotaCU = ns.spec.quotaCU;
        // The default-queue gets what the other queues' quotas in force leave (a refused change
        // of theirs never reached their ResourceQuota, so it takes nothing from it).
        await namespaceCapacityLock(ctx).run(name, async () => {
          const queuesInForce = await queueQuotasInForce(ctx, name);
          const liveQueues = new Set(ctx.caches.queues.list(name).filter((q) => !q.metadata.deletionTimestamp).map((q) => q.metadata.name));
          const left = defaultQueueCU(ns.spec.quotaCU, [...queuesInForce].filter(([q]) => q !== DEFAULT_QUEUE && liveQueues.has(q)).map(([, cu]) => cu));
          await ctx.rest.apply(desiredDefaultQueue(name, left, ctx.instanceLabels), ctx.fieldManager);
        });
        await removeOrphanedQueueObjects(ctx, name);
        conditions.push({ type: 'KubernetesNamespace', status: 'True', reason: 'Present', message: `Kubernetes namespace ${name} holds the quota, RoleBindings and queues` });
      } catch (err) {
        if (!isNamespaceTerminating(err)) throw err;
        // Someone deleted the Kubernetes namespace itself: let it go, then make it again.
        kubernetesNamespaceTerminating = true;
        phase = 'Pending';
        conditions.unshift({ type: 'KubernetesNamespace', status: 'False', reason: 'KubernetesNamespaceTerminating', message: `Kubernetes namespace ${name} is being deleted (directly, not through this Namespace); it is created again once it is gone. Delete the Namespace ${name} to remove it for good` });
      }
    });
  }

  // Outside the workspace's lock: minting waits on the S3 provider's STS.
  let credentialsRecheckMs = Infinity;
  if (accepted && workspace && !kubernetesNamespaceTerminating) {
    const provided = await provideNamespaceCredentials(ctx, ns, workspace, ownerReference(raw), deps.credentials ?? defaultMinter);
    conditions.splice(conditions.findIndex((c) => c.type === 'KubernetesNamespace'), 0, provided.condition);
    credentialsRecheckMs = provided.recheckInMs;
  }

  const queues = ctx.caches.queues.list(name);
  const status: NamespaceStatus = {
    observedGeneration: generation,
    phase,
    kubernetesNamespace: accepted || previous?.kubernetesNamespace ? name : undefined,
    acceptedQuotaCU,
    allocatedCU: sumCU(queues.map((q) => usableQueueCU(q) ?? 0)),
    usedCU: sumCU(ctx.caches.deployments.list(name).map((d) => d.status?.cuInUse ?? 0)),
    conditions: setConditions(previous?.conditions, [
      ...conditions,
      phase === 'Active'
        ? { type: 'Ready', status: 'True', reason: 'Active', message: `Kubernetes namespace ${name} with quota ${ns.spec.quotaCU} CU` }
        : { type: 'Ready', status: 'False', reason: conditions[0]?.reason ?? 'Pending', message: conditions[0]?.message ?? '' },
      ...permittedAgain(previous?.conditions),
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
  // Nothing else wakes a settled namespace: look again when its next sweep is due.
  const sweepDueInMs = accepted && workspace && deps.files ? await sweepWhenDue(ctx, deps.files, deps.sweep ?? DEFAULT_SWEEP, raw, workspace, now) : Infinity;
  if (kubernetesNamespaceTerminating) return { requeueAfterMs: TERMINATING_RECHECK_MS };
  // Secrets are not watched (least privilege: no list/watch on Secrets): look again for a rotation.
  // Short-lived credentials are renewed when their renewal is due.
  return accepted ? { requeueAfterMs: Math.min(SECRET_RECHECK_MS, sweepDueInMs, credentialsRecheckMs) } : {};
}

export const SECRET_RECHECK_MS = 5 * 60_000;
/** Kubernetes namespaces are not watched: how often a terminating one is looked at again. */
export const TERMINATING_RECHECK_MS = 2000;

/** A Kubernetes namespace this Millrace Namespace made (owner reference, or our label from a run that lost it). */
function madeBy(kns: KubeObject, ns: KubeObject): boolean {
  return Boolean(kns.metadata.ownerReferences?.some((o) => o.uid === ns.metadata.uid) || kns.metadata.labels?.[LABELS.namespace] === ns.metadata.name);
}

/** The API server refuses new content in a namespace that is being deleted (403 "...is being terminated"). */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 403 && /being terminated/.test(err.message);
}

/**
 * Queues have no finalizer: a deleted Queue's ResourceQuota goes with it (owner reference), and
 * its cluster-scoped PriorityClass — which a namespaced Queue cannot own — is removed here, also
 * when the Queue was deleted while no operator ran. Objects of earlier operator versions without
 * the owner reference are found by their labels too.
 */
async function removeOrphanedQueueObjects(ctx: ReconcileContext, namespace: string): Promise<void> {
  const [classes, quotas] = await Promise.all([
    ctx.rest.list<KubeObject>({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' }, { labelSelector: `${LABELS.namespace}=${namespace},${LABELS.queue}` }),
    ctx.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'ResourceQuota', namespace }, { labelSelector: LABELS.queue }),
  ]);
  // Read after the lists: a Queue is in the cache before its reconciler makes its objects, so a
  // queue created meanwhile is seen here and its fresh PriorityClass is not taken for an orphan.
  const live = new Set(ctx.caches.queues.list(namespace).map((q) => q.metadata.name));
  const orphaned = (o: KubeObject) => { const q = o.metadata.labels?.[LABELS.queue]; return q !== undefined && !live.has(q); };
  // A class named as earlier versions did (millrace-<ns>-<queue>, ambiguous across tenants) goes too.
  const renamed = (o: KubeObject) => o.metadata.name !== priorityClassName(namespace, o.metadata.labels?.[LABELS.queue] ?? '');
  for (const pc of classes.items.filter((o) => orphaned(o) || renamed(o))) await ctx.rest.delete({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: pc.metadata.name });
  for (const q of quotas.items.filter(orphaned)) await ctx.rest.delete({ apiVersion: 'v1', kind: 'ResourceQuota', namespace, name: q.metadata.name });
}

/**
 * Deleting a Namespace: delete its Deployments and Savepoints and wait until they and their pods
 * are gone (Savepoints may dispose their files first), remove the queue PriorityClasses, delete
 * the Kubernetes namespace and wait until it is gone too; only then the finalizer goes. Every
 * step is read again from the API server, so an operator that stopped half-way (or was not
 * running when the delete came) finishes the job when it runs again; Queues carry no finalizer,
 * and the one earlier versions put on them is removed here, so nothing holds the namespace.
 */
/** Sweeps the namespace's unowned savepoint directories every `everyMs`; the outcome is an Event, never a failed reconcile. Returns ms until the next sweep. */
/** When sweeping began for this namespace; marked on its first pass (directories older than that are never swept). */
async function sweepSince(ctx: ReconcileContext, raw: Raw<Namespace>, now: Date): Promise<number> {
  const since = Date.parse(raw.metadata.annotations?.[SWEEP_SINCE_ANNOTATION] ?? '');
  if (!Number.isNaN(since)) return since;
  await ctx.rest.mergePatch({ apiVersion: API_VERSION, kind: 'Namespace', name: raw.metadata.name }, { metadata: { annotations: { [SWEEP_SINCE_ANNOTATION]: now.toISOString() } } });
  return now.getTime();
}

async function sweepWhenDue(ctx: ReconcileContext, files: SavepointFiles, settings: SweepSettings, raw: Raw<Namespace>, workspace: Raw<Workspace>, now: Date): Promise<number> {
  const times = sweepTimesOf(ctx);
  const since = await sweepSince(ctx, raw, now);
  if (times.due(raw.metadata.name, now.getTime(), settings.everyMs)) {
    times.record(raw.metadata.name, now.getTime());
    await reportSweep(ctx, raw, await sweepSavepointDirectories(ctx, files, raw.metadata.name, workspace, settings.graceMs, since));
  }
  return times.dueInMs(raw.metadata.name, ctx.clock.now(), settings.everyMs);
}

async function reportSweep(ctx: ReconcileContext, raw: Raw<Namespace>, result: SweepResult): Promise<void> {
  if (!result.ok) {
    await ctx.events.record(raw, 'Warning', 'SavepointSweepFailed', 'SweepSavepoints', `savepoint directories no Savepoint owns were not looked for: ${result.message}`);
  } else if (result.deleted.length > 0) {
    await ctx.events.record(raw, 'Normal', 'SavepointFilesSwept', 'SweepSavepoints', `deleted ${result.deleted.length} savepoint director${result.deleted.length === 1 ? 'y' : 'ies'} no Savepoint owns: ${result.deleted.slice(0, 5).join(', ')}${result.deleted.length > 5 ? ', ...' : ''}`);
  }
}

async function finalize(ctx: ReconcileContext, raw: Raw<Namespace>, now: Date, deps: NamespaceReconcilerDeps): Promise<ReconcileResult> {
  const name = raw.metadata.name;
  const kns = await ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Namespace', name });
  // Only a Kubernetes namespace this Namespace made is ours to empty and delete.
  const ours = kns !== undefined && madeBy(kns, raw);
  const progress = async (message: string) => {
    const before = raw.status?.conditions?.find((c) => c.type === 'Ready');
    if (raw.status?.phase !== 'Terminating' || before?.message !== message) {
      await writeStatus(ctx, raw, { ...raw.status, phase: 'Terminating', conditions: setConditions(raw.status?.conditions, [{ type: 'Ready', status: 'False', reason: 'Terminating', message }], raw.metadata.generation, now) });
    }
    if (raw.status?.phase !== 'Terminating') await ctx.events.record(raw, 'Normal', 'Terminating', 'Delete', message);
  };

  if (ours) {
    const [deployments, savepoints, pods] = await Promise.all([
      ctx.rest.list<KubeObject>({ apiVersion: API_VERSION, kind: 'Deployment', namespace: name }),
      ctx.rest.list<KubeObject & { status?: { conditions?: Array<{ type: string; status: string; message: string }> } }>({ apiVersion: API_VERSION, kind: 'Savepoint', namespace: name }),
      ctx.rest.list<KubeObject>({ apiVersion: 'v1', kind: 'Pod', namespace: name }, { labelSelector: LABELS.deployment }),
    ]);
    if (deployments.items.length + savepoints.items.length + pods.items.length > 0) {
      for (const d of deployments.items) if (!d.metadata.deletionTimestamp) await ctx.rest.delete({ apiVersion: API_VERSION, kind: 'Deployment', namespace: name, name: d.metadata.name });
      for (const sp of savepoints.items) if (!sp.metadata.deletionTimestamp) await ctx.rest.delete({ apiVersion: API_VERSION, kind: 'Savepoint', namespace: name, name: sp.metadata.name });
      const stuck = savepoints.items.map((sp) => ({ name: sp.metadata.name, c: sp.status?.conditions?.find((c) => c.type === 'Disposed' && c.status === 'False') })).find((x) => x.c);
      await progress(`stopping ${deployments.items.length} deployment(s) (${pods.items.length} pod(s) left) and deleting ${savepoints.items.length} savepoint(s) before removing namespace ${name}${stuck ? `; Savepoint ${stuck.name}: ${stuck.c?.message}` : ''}`);
      return { requeueAfterMs: 1000 };
    }
  }
  const classes = await ctx.rest.list<KubeObject>({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' }, { labelSelector: `${LABELS.namespace}=${name}` });
  for (const pc of classes.items) await ctx.rest.delete({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: pc.metadata.name });
  if (ours && kns) {
    // Queues of earlier operator versions carry our finalizer; without this they would hold the namespace.
    const queues = await ctx.rest.list<KubeObject>({ apiVersion: API_VERSION, kind: 'Queue', namespace: name });
    for (const q of queues.items) { q.apiVersion ??= API_VERSION; q.kind ??= 'Queue'; await removeFinalizer(ctx, q); }
    if (!kns.metadata.deletionTimestamp) {
      // Deployments' key Secrets still held (their Deployments went while no operator ran); once,
      // while its own RoleBinding there still stands.
      await releaseOrphanedKeySecrets(ctx, name);
      // Deployments and Savepoints are gone: whatever savepoint directory is left of this
      // namespace belongs to no one (kept ones carry their marker). Once, before the namespace goes.
      const workspace = ctx.caches.workspaces.get(raw.spec?.workspace ?? '');
      // A namespace never marked (deleted before any sweep began) keeps its directories.
      const since = Date.parse(raw.metadata.annotations?.[SWEEP_SINCE_ANNOTATION] ?? '');
      if (deps.files && workspace && !Number.isNaN(since)) await reportSweep(ctx, raw, await sweepSavepointDirectories(ctx, deps.files, name, workspace, 0, since));
      await ctx.rest.delete({ apiVersion: 'v1', kind: 'Namespace', name });
    }
    const blockers = ((kns.status as { conditions?: Array<{ status: string; message?: string }> } | undefined)?.conditions ?? []).filter((c) => c.status === 'True' && c.message).map((c) => c.message);
    await progress(`waiting for Kubernetes namespace ${name} to be deleted${blockers.length ? `: ${blockers.join('; ')}` : ''}`);
    return { requeueAfterMs: TERMINATING_RECHECK_MS };
  }
  await removeFinalizer(ctx, raw);
  return {};
}
