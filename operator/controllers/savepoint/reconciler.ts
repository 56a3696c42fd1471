// Savepoint reconciler: triggers a savepoint of the referenced running deployment through
// the JobManager REST API, follows it to Completed or Failed, records the path, and on
// delete disposes the files when spec.disposeOnDelete asks for it, or marks them kept
// (finalizer).
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { savepointSchema } from '../../api/v1alpha1/savepoint.ts';
import type { Savepoint, SavepointStatus } from '../../api/v1alpha1/savepoint.ts';
import { parseResource } from '../../api/v1alpha1/parse.ts';
import { MillraceError } from '../../errors.ts';
import type { DisposalStatus, JobManagerClientFactory, SavepointTriggerStatus } from '../../jobmanager/client.ts';
import { isConflict } from '../../kube/rest-client.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { savepointDirectory } from '../../storage/savepoint-location.ts';
import type { SavepointFiles } from '../../storage/savepoint-files.ts';
import { workspaceStorageTarget } from '../../storage/storage-target.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import { FINALIZER, LABELS, podsOfDeployment } from '../shared/context.ts';
import type { ReconcileContext, Raw } from '../shared/context.ts';
import { ensureFinalizer, removeFinalizer, writeStatus } from '../shared/lifecycle.ts';
import { permittedAgain, rbacRefusalOf, withForbiddenReport } from '../shared/operator-forbidden.ts';
import { lostSavepoint, nextSavepointStep, phaseAfterPoll } from './decide.ts';

export interface SavepointReconcilerDeps {
  jobManagers: JobManagerClientFactory;
  /** Deletes savepoint files from the workspace bucket when no JobManager can. */
  files: SavepointFiles;
}

export async function reconcileSavepoint(ctx: ReconcileContext, deps: SavepointReconcilerDeps, namespace: string, name: string): Promise<ReconcileResult> {
  // A lasting RBAC refusal of the operator's own requests shows on the Savepoint (operator-forbidden.ts).
  return withForbiddenReport(ctx, `Savepoint ${namespace}/${name}`, () => ctx.caches.savepoints.get(name, namespace), () => savepointPass(ctx, deps, namespace, name));
}

async function savepointPass(ctx: ReconcileContext, deps: SavepointReconcilerDeps, namespace: string, name: string): Promise<ReconcileResult> {
  const raw = ctx.caches.savepoints.get(name, namespace);
  if (!raw) return {};
  const now = new Date(ctx.clock.now());
  const generation = raw.metadata.generation;
  const previous = raw.status;
  let sp: Savepoint;
  try {
    sp = parseResource(savepointSchema, raw, `Savepoint ${namespace}/${name}`);
  } catch (err) {
    if (!(err instanceof MillraceError)) throw err;
    if (raw.metadata.deletionTimestamp) {
      // Unreadable, so not disposable: never hold the deletion (of a namespace, say) on it.
      if (previous?.path) await ctx.events.record(raw, 'Warning', 'DisposalSkipped', 'Delete', `savepoint files at ${previous.path} not deleted: ${err.message}`);
      await removeFinalizer(ctx, raw);
      return {};
    }
    await writeStatus(ctx, raw, { ...previous, observedGeneration: generation, phase: 'Failed', failureReason: err.message, conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: err.message }], generation, now) });
    return {};
  }
  const client = deps.jobManagers({ namespace, name: sp.spec.deployment });

  if (raw.metadata.deletionTimestamp) return deleteSavepoint(ctx, deps, raw, sp, now);
  // Every Savepoint gets the finalizer: with disposeOnDelete its files are deleted on delete;
  // without, the kept marker is written, so the sweep of unowned directories leaves them alone.
  await ensureFinalizer(ctx, raw);

  const dep = ctx.caches.deployments.get(sp.spec.deployment, namespace);
  const step = nextSavepointStep({ status: previous, origin: sp.spec.origin, deployment: { exists: Boolean(dep), phase: dep?.status?.phase, jobId: dep?.status?.job?.id, jobState: dep?.status?.job?.state } });
  // A refusal reported on an earlier pass is over once a pass gets this far.
  const permitted = permittedAgain(previous?.conditions);
  let status: SavepointStatus = { ...previous, observedGeneration: generation, ...(permitted.length ? { conditions: setConditions(previous?.conditions, permitted, generation, now) } : {}) };
  let requeueAfterMs: number | undefined;
  switch (step.action) {
    case 'done':
      if (permitted.length === 0) return {};
      break;
    case 'wait':
      status = { ...status, phase: 'Pending', conditions: setConditions(status.conditions, [{ type: 'Ready', status: 'False', reason: 'WaitingForRunningJob', message: step.reason }], generation, now) };
      requeueAfterMs = step.retryMs;
      break;
    case 'trigger': {
      // Claim the trigger before asking the JobManager: a status write that holds only if the
      // object is still the one this pass read. A pass reading a cache older than the previous
      // pass's writes (or a second pass in flight) gets a conflict and triggers nothing; without
      // this, such a pass saw Pending, triggered a second savepoint whose files no Savepoint
      // recorded, and overwrote the first trigger id.
      if (!await claimTrigger(ctx, raw, step.jobId, now)) return { requeueAfterMs: CLAIM_RECHECK_MS };
      let triggerId: string;
      try {
        triggerId = await client.triggerSavepoint(step.jobId, { formatType: sp.spec.formatType, cancelJob: false });
      } catch (err) {
        // An RBAC refusal (reading the Deployment's key, say) is transient: retried and reported, never Failed.
        if (!(err instanceof MillraceError) || err.transient || rbacRefusalOf(err)) throw err;
        const reason = `savepoint of job ${step.jobId} could not be triggered: ${err.message}`;
        await writeStatus(ctx, raw, { ...status, phase: 'Failed', jobId: step.jobId, failureReason: reason, completedAt: now.toISOString(), conditions: setConditions(status.conditions, [{ type: 'Ready', status: 'False', reason: 'TriggerFailed', message: reason }], generation, now) });
        await ctx.events.record(raw, 'Warning', 'TriggerFailed', 'Savepoint', reason);
        return {};
      }
      status = { ...status, phase: 'InProgress', jobId: step.jobId, triggerId, triggeredAt: now.toISOString(), conditions: setConditions(status.conditions, [{ type: 'Ready', status: 'False', reason: 'InProgress', message: `savepoint of job ${step.jobId} triggered (${triggerId})` }], generation, now) };
      await ctx.events.record(raw, 'Normal', 'Triggered', 'Savepoint', `savepoint of job ${step.jobId} triggered`);
      requeueAfterMs = 1000;
      break;
    }
    case 'poll': {
      let result: SavepointTriggerStatus;
      try {
        result = await client.savepointStatus(step.jobId, step.triggerId);
      } catch (err) {
        if (!(err instanceof MillraceError)) throw err;
        const jobManagerUp = podsOfDeployment(ctx, namespace, sp.spec.deployment).some((p) => p.metadata.labels?.[LABELS.component] === 'jobmanager' && !p.metadata.deletionTimestamp);
        const lost = lostSavepoint(err, jobManagerUp);
        if (!lost) throw err;
        result = { state: 'FAILED', reason: lost };
      }
      const phase = phaseAfterPoll(result);
      status = {
        ...status, phase,
        path: result.state === 'COMPLETED' ? result.location : undefined,
        failureReason: result.state === 'FAILED' ? result.reason : undefined,
        completedAt: phase === 'InProgress' ? undefined : now.toISOString(),
        conditions: setConditions(status.conditions, [
          phase === 'Completed' ? { type: 'Ready', status: 'True', reason: 'Completed', message: `savepoint stored at ${result.state === 'COMPLETED' ? result.location : ''}` }
            : phase === 'Failed' ? { type: 'Ready', status: 'False', reason: 'Failed', message: result.state === 'FAILED' ? result.reason : '' }
              : { type: 'Ready', status: 'False', reason: 'InProgress', message: `waiting for trigger ${step.triggerId}` },
        ], generation, now),
      };
      if (phase === 'InProgress') { requeueAfterMs = 1000; break; }
      // The end is written once: a pass reading an older copy (still InProgress) loses here
      // instead of recording the end, and its Event, a second time.
      if (!await writeStatusIfCurrent(ctx, raw, status)) return { requeueAfterMs: CLAIM_RECHECK_MS };
      await ctx.events.record(raw, phase === 'Completed' ? 'Normal' : 'Warning', phase, 'Savepoint', phase === 'Completed' ? `savepoint stored at ${status.path}` : `savepoint failed: ${status.failureReason}`);
      return {};
    }
  }
  await writeStatus(ctx, raw, status);
  return requeueAfterMs !== undefined ? { requeueAfterMs } : {};
}

/** How soon a pass that lost the claim looks again (by then the cache shows the winner's writes). */
export const CLAIM_RECHECK_MS = 500;

/**
 * Marks the Savepoint InProgress for `jobId` (without a trigger id yet) with a merge patch that
 * carries the resourceVersion read from the cache: the API server refuses it (409) when the
 * object changed since. False when the claim was lost. A pass that claimed and then failed to
 * trigger (an error, a crash) leaves InProgress without a trigger id, which the next pass claims
 * and triggers again.
 */
function claimTrigger(ctx: ReconcileContext, raw: Raw<Savepoint>, jobId: string, now: Date): Promise<boolean> {
  return writeStatusIfCurrent(ctx, raw, { phase: 'InProgress', jobId, triggerId: null, triggeredAt: now.toISOString() });
}

/** A merge patch of the status that holds only if the object is still at `raw`'s resourceVersion; false on a conflict. */
async function writeStatusIfCurrent(ctx: ReconcileContext, raw: Raw<Savepoint>, status: Record<string, unknown>): Promise<boolean> {
  try {
    await ctx.rest.mergePatch({ apiVersion: API_VERSION, kind: 'Savepoint', namespace: raw.metadata.namespace, name: raw.metadata.name },
      { metadata: { resourceVersion: raw.metadata.resourceVersion }, status }, 'status');
    return true;
  } catch (err) {
    if (isConflict(err)) return false;
    throw err;
  }
}

/**
 * On delete with disposeOnDelete: a running JobManager of the deployment deletes the files (it
 * holds the storage credentials); otherwise — suspended, cancelled, deleted, or the JobManager
 * failed at it — the operator deletes them from the workspace bucket itself, only inside the
 * savepoint's own directory under the workspace's flink-savepoints/ prefix. The finalizer stays
 * while the files cannot be deleted: a refused path waits for the user (disposeOnDelete false
 * lets the object go and keeps the files), an unreachable store is retried with backoff.
 */
async function deleteSavepoint(ctx: ReconcileContext, deps: SavepointReconcilerDeps, raw: Raw<Savepoint>, sp: Savepoint, now: Date): Promise<ReconcileResult> {
  const namespace = sp.metadata.namespace ?? '';
  const previous = raw.status;
  if (!sp.spec.disposeOnDelete || !previous?.path) {
    if (previous?.path && raw.metadata.finalizers?.includes(FINALIZER)) {
      await markKept(ctx, deps, raw, sp, previous.path, now);
      await ctx.events.record(raw, 'Normal', 'FilesKept', 'Delete', `savepoint files at ${previous.path} kept (spec.disposeOnDelete is false)`);
    }
    await removeFinalizer(ctx, raw);
    return {};
  }
  const path = previous.path;
  const disposed = async (how: string) => {
    await ctx.events.record(raw, 'Normal', 'Disposed', 'Delete', `savepoint files at ${path} deleted ${how}`);
    await removeFinalizer(ctx, raw);
    return {};
  };
  const jobManagerUp = podsOfDeployment(ctx, namespace, sp.spec.deployment).some((p) => p.metadata.labels?.[LABELS.component] === 'jobmanager' && !p.metadata.deletionTimestamp);
  if (jobManagerUp) {
    const client = deps.jobManagers({ namespace, name: sp.spec.deployment });
    if (!previous.disposalRequestId) {
      try {
        const requestId = await client.disposeSavepoint(path);
        await writeStatus(ctx, raw, { ...previous, disposalRequestId: requestId, conditions: setConditions(previous.conditions, [{ type: 'Disposed', status: 'False', reason: 'Disposing', message: `the JobManager of deployment ${sp.spec.deployment} is deleting the files at ${path}` }], raw.metadata.generation, now) });
        return { requeueAfterMs: 500 };
      } catch (err) {
        if (!(err instanceof MillraceError) || err.transient) throw err;
        // The JobManager cannot do it (an old runtime, for example): the operator does.
      }
    } else {
      let result: DisposalStatus | undefined;
      try {
        result = await client.disposalStatus(previous.disposalRequestId);
      } catch (err) {
        if (!(err instanceof MillraceError) || err.transient) throw err;
      }
      if (result?.state === 'IN_PROGRESS') return { requeueAfterMs: 500 };
      if (result?.state === 'COMPLETED') return disposed(`by the JobManager of deployment ${sp.spec.deployment}`);
      // FAILED, or the JobManager forgot the request (restarted): the operator does it.
    }
  }
  return disposeFromWorkspaceBucket(ctx, deps, raw, sp, path, now, disposed);
}

/**
 * Leaves KEPT_MARKER in the kept savepoint's directory, when it is one of the workspace bucket's
 * savepoint directories (elsewhere no sweep looks). An unreachable store is reported and retried
 * with backoff, as for disposal: without the marker the sweep would take the files for a leak.
 */
async function markKept(ctx: ReconcileContext, deps: SavepointReconcilerDeps, raw: Raw<Savepoint>, sp: Savepoint, path: string, now: Date): Promise<void> {
  const namespace = sp.metadata.namespace ?? '';
  const workspaceName = ctx.caches.namespaces.get(namespace)?.spec?.workspace;
  const storage = workspaceName ? ctx.caches.workspaces.get(workspaceName)?.spec?.storage : undefined;
  if (!storage) return; // no workspace: no bucket to mark, and no sweep either
  const dir = savepointDirectory(path, { bucket: storage.bucket, prefix: storage.prefix ?? '', namespace, deployment: sp.spec.deployment });
  if (!dir.allowed) return;
  const resolved = await workspaceStorageTarget(storage, (ns, name) => ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name }));
  try {
    if (!resolved.ok) throw new MillraceError('MR_ERR_STORAGE', resolved.message, { transient: true });
    await deps.files.markKept(resolved.target, dir.key, `kept when Savepoint ${namespace}/${sp.metadata.name} was deleted with spec.disposeOnDelete false, ${now.toISOString()}\n`);
  } catch (err) {
    const why = err instanceof MillraceError ? err.message : String(err);
    await reportDisposalProblem(ctx, raw, 'StorageUnavailable', `cannot mark the savepoint files at ${path} as kept: ${why}; retrying with backoff`, now);
    throw err instanceof MillraceError ? err : new MillraceError('MR_ERR_STORAGE', why, { transient: true, cause: err });
  }
}

/** Why the files are not deleted yet: a Disposed condition, and an Event when the reason changes. */
async function reportDisposalProblem(ctx: ReconcileContext, raw: Raw<Savepoint>, reason: string, message: string, now: Date): Promise<void> {
  const before = raw.status?.conditions?.find((c) => c.type === 'Disposed');
  await writeStatus(ctx, raw, { ...raw.status, disposalRequestId: undefined, conditions: setConditions(raw.status?.conditions, [{ type: 'Disposed', status: 'False', reason, message }], raw.metadata.generation, now) });
  if (before?.reason !== reason || before.message !== message) await ctx.events.record(raw, 'Warning', reason, 'Delete', message);
}

async function disposeFromWorkspaceBucket(ctx: ReconcileContext, deps: SavepointReconcilerDeps, raw: Raw<Savepoint>, sp: Savepoint, path: string, now: Date, disposed: (how: string) => Promise<ReconcileResult>): Promise<ReconcileResult> {
  const namespace = sp.metadata.namespace ?? '';
  const abandon = 'To keep the files and let this Savepoint go, set spec.disposeOnDelete to false.';
  const workspaceName = ctx.caches.namespaces.get(namespace)?.spec?.workspace;
  const workspace = workspaceName ? ctx.caches.workspaces.get(workspaceName) : undefined;
  if (!workspace) {
    // No Millrace Namespace or Workspace (any more): no bucket and no credentials to delete with.
    await ctx.events.record(raw, 'Warning', 'DisposalSkipped', 'Delete', `savepoint files at ${path} not deleted: no JobManager of deployment ${sp.spec.deployment} runs and namespace ${namespace} belongs to no Workspace the operator knows; delete them from the bucket by hand`);
    await removeFinalizer(ctx, raw);
    return {};
  }
  const storage = workspace.spec.storage;
  const dir = savepointDirectory(path, { bucket: storage.bucket, prefix: storage.prefix ?? '', namespace, deployment: sp.spec.deployment });
  if (!dir.allowed) {
    // Never retried: only a change of this object (disposeOnDelete false) moves it on.
    await reportDisposalProblem(ctx, raw, 'DisposalRefused', `savepoint files at ${path} not deleted: ${dir.reason}. ${abandon}`, now);
    return {};
  }
  const resolved = await workspaceStorageTarget(storage, (ns, name) => ctx.rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name }));
  if (!resolved.ok) {
    await reportDisposalProblem(ctx, raw, 'StorageUnavailable', `cannot delete the savepoint files at ${path}: ${resolved.message} (spec.storage.secretRef of Workspace ${workspace.metadata.name}); retrying with backoff. ${abandon}`, now);
    throw new MillraceError('MR_ERR_STORAGE', resolved.message, { transient: true });
  }
  let count: number;
  try {
    count = await deps.files.deleteDirectory(resolved.target, dir.key);
  } catch (err) {
    const why = err instanceof MillraceError ? err.message : String(err);
    await reportDisposalProblem(ctx, raw, 'StorageUnavailable', `cannot delete the savepoint files at ${path}: ${why}; retrying with backoff. ${abandon}`, now);
    throw err instanceof MillraceError ? err : new MillraceError('MR_ERR_STORAGE', why, { transient: true, cause: err });
  }
  return disposed(`by the operator from the workspace bucket (${count} files; no JobManager of deployment ${sp.spec.deployment} runs)`);
}
