// Savepoint reconciler: triggers a savepoint of the referenced running deployment through
// the JobManager REST API, follows it to Completed or Failed, records the path, and on
// delete disposes the files when spec.disposeOnDelete asks for it (finalizer).
import { savepointSchema } from '../../api/v1alpha1/savepoint.ts';
import type { Savepoint, SavepointStatus } from '../../api/v1alpha1/savepoint.ts';
import { parseResource } from '../../api/v1alpha1/parse.ts';
import { MillraceError } from '../../errors.ts';
import type { JobManagerClientFactory } from '../../jobmanager/client.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import { LABELS } from '../shared/context.ts';
import type { ReconcileContext, Raw } from '../shared/context.ts';
import { ensureFinalizer, removeFinalizer, writeStatus } from '../shared/lifecycle.ts';
import { nextSavepointStep, phaseAfterPoll } from './decide.ts';

export async function reconcileSavepoint(ctx: ReconcileContext, jobManagers: JobManagerClientFactory, namespace: string, name: string): Promise<ReconcileResult> {
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
    await writeStatus(ctx, raw, { ...previous, observedGeneration: generation, phase: 'Failed', failureReason: err.message, conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: err.message }], generation, now) });
    return {};
  }
  const client = jobManagers({ namespace, name: sp.spec.deployment });

  if (raw.metadata.deletionTimestamp) return deleteSavepoint(ctx, jobManagers, raw, sp, now);
  if (sp.spec.disposeOnDelete) await ensureFinalizer(ctx, raw);

  const dep = ctx.caches.deployments.get(sp.spec.deployment, namespace);
  const step = nextSavepointStep({ status: previous, origin: sp.spec.origin, deployment: { exists: Boolean(dep), phase: dep?.status?.phase, jobId: dep?.status?.job?.id, jobState: dep?.status?.job?.state } });
  let status: SavepointStatus = { ...previous, observedGeneration: generation };
  let requeueAfterMs: number | undefined;
  switch (step.action) {
    case 'done':
      return {};
    case 'wait':
      status = { ...status, phase: 'Pending', conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'WaitingForRunningJob', message: step.reason }], generation, now) };
      requeueAfterMs = step.retryMs;
      break;
    case 'trigger': {
      let triggerId: string;
      try {
        triggerId = await client.triggerSavepoint(step.jobId, { formatType: sp.spec.formatType, cancelJob: false });
      } catch (err) {
        if (!(err instanceof MillraceError) || err.transient) throw err;
        const reason = `savepoint of job ${step.jobId} could not be triggered: ${err.message}`;
        await writeStatus(ctx, raw, { ...status, phase: 'Failed', jobId: step.jobId, failureReason: reason, completedAt: now.toISOString(), conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'TriggerFailed', message: reason }], generation, now) });
        await ctx.events.record(raw, 'Warning', 'TriggerFailed', 'Savepoint', reason);
        return {};
      }
      status = { ...status, phase: 'InProgress', jobId: step.jobId, triggerId, triggeredAt: now.toISOString(), conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'InProgress', message: `savepoint of job ${step.jobId} triggered (${triggerId})` }], generation, now) };
      await ctx.events.record(raw, 'Normal', 'Triggered', 'Savepoint', `savepoint of job ${step.jobId} triggered`);
      requeueAfterMs = 1000;
      break;
    }
    case 'poll': {
      const result = await client.savepointStatus(step.jobId, step.triggerId);
      const phase = phaseAfterPoll(result);
      status = {
        ...status, phase,
        path: result.state === 'COMPLETED' ? result.location : undefined,
        failureReason: result.state === 'FAILED' ? result.reason : undefined,
        completedAt: phase === 'InProgress' ? undefined : now.toISOString(),
        conditions: setConditions(previous?.conditions, [
          phase === 'Completed' ? { type: 'Ready', status: 'True', reason: 'Completed', message: `savepoint stored at ${result.state === 'COMPLETED' ? result.location : ''}` }
            : phase === 'Failed' ? { type: 'Ready', status: 'False', reason: 'Failed', message: result.state === 'FAILED' ? result.reason : '' }
              : { type: 'Ready', status: 'False', reason: 'InProgress', message: `waiting for trigger ${step.triggerId}` },
        ], generation, now),
      };
      if (phase !== 'InProgress') await ctx.events.record(raw, phase === 'Completed' ? 'Normal' : 'Warning', phase, 'Savepoint', phase === 'Completed' ? `savepoint stored at ${status.path}` : `savepoint failed: ${status.failureReason}`);
      else requeueAfterMs = 1000;
      break;
    }
  }
  await writeStatus(ctx, raw, status);
  return requeueAfterMs !== undefined ? { requeueAfterMs } : {};
}

/**
 * On delete with disposeOnDelete: the deployment's JobManager deletes the files (it holds the
 * storage credentials); the finalizer goes when it reports the disposal done. Without a running
 * JobManager nothing can delete them: an Event says where the files stay, and the object goes.
 */
async function deleteSavepoint(ctx: ReconcileContext, jobManagers: JobManagerClientFactory, raw: Raw<Savepoint>, sp: Savepoint, now: Date): Promise<ReconcileResult> {
  const namespace = sp.metadata.namespace ?? '';
  const previous = raw.status;
  if (!sp.spec.disposeOnDelete || !previous?.path) {
    await removeFinalizer(ctx, raw);
    return {};
  }
  const path = previous.path;
  const client = jobManagers({ namespace, name: sp.spec.deployment });
  const jobManagerUp = ctx.caches.pods.list(namespace).some((p) => p.metadata.labels?.[LABELS.deployment] === sp.spec.deployment
    && p.metadata.labels?.[LABELS.component] === 'jobmanager' && !p.metadata.deletionTimestamp);
  const giveUp = async (why: string) => {
    await ctx.events.record(raw, 'Warning', 'DisposalSkipped', 'Delete', `savepoint files at ${path} not deleted: ${why}`);
    await removeFinalizer(ctx, raw);
    return {};
  };
  if (!previous.disposalRequestId) {
    if (!jobManagerUp) return giveUp(`no running JobManager of deployment ${sp.spec.deployment} to delete them; delete them from the workspace bucket by hand`);
    let requestId: string;
    try {
      requestId = await client.disposeSavepoint(path);
    } catch (err) {
      if (err instanceof MillraceError && !err.transient) return giveUp(err.message);
      throw err;
    }
    await writeStatus(ctx, raw, { ...previous, disposalRequestId: requestId, conditions: setConditions(previous.conditions, [{ type: 'Ready', status: 'False', reason: 'Disposing', message: `deleting the files at ${path}` }], raw.metadata.generation, now) });
    return { requeueAfterMs: 500 };
  }
  let result;
  try {
    result = await client.disposalStatus(previous.disposalRequestId);
  } catch (err) {
    if (!jobManagerUp) return giveUp(`the JobManager of deployment ${sp.spec.deployment} went away during the disposal`);
    throw err;
  }
  if (result.state === 'IN_PROGRESS') return { requeueAfterMs: 500 };
  if (result.state === 'FAILED') return giveUp(result.reason);
  await ctx.events.record(raw, 'Normal', 'Disposed', 'Delete', `savepoint files at ${path} deleted`);
  await removeFinalizer(ctx, raw);
  return {};
}
