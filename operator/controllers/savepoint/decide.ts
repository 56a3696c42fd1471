// The Savepoint state machine (pure): Pending → InProgress → Completed | Failed.
import type { SavepointPhase, SavepointStatus } from '../../api/v1alpha1/savepoint.ts';
import type { SavepointTriggerStatus } from '../../jobmanager/client.ts';

export type SavepointStep =
  | { action: 'wait'; phase: 'Pending'; reason: string; retryMs: number }
  | { action: 'trigger'; jobId: string }
  | { action: 'poll'; jobId: string; triggerId: string }
  | { action: 'done' };

export interface SavepointInput {
  status: SavepointStatus | undefined;
  /** suspend and upgrade savepoints are taken by the Deployment controller and only recorded here. */
  origin?: string;
  deployment: { exists: boolean; phase?: string; jobId?: string; jobState?: string };
}

export function nextSavepointStep(input: SavepointInput): SavepointStep {
  const phase: SavepointPhase = input.status?.phase ?? 'Pending';
  if (phase === 'Completed' || phase === 'Failed') return { action: 'done' };
  if (phase === 'InProgress' && input.status?.jobId && input.status.triggerId) return { action: 'poll', jobId: input.status.jobId, triggerId: input.status.triggerId };
  // Suspend and upgrade savepoints are taken and recorded (status included) by the Deployment
  // controller; writing anything here would race with that record.
  if (input.origin === 'suspend' || input.origin === 'upgrade') return { action: 'done' };
  const d = input.deployment;
  if (!d.exists) return { action: 'wait', phase: 'Pending', reason: 'the Deployment does not exist', retryMs: 10_000 };
  if (d.phase !== 'Running' || !d.jobId || d.jobState !== 'RUNNING') return { action: 'wait', phase: 'Pending', reason: `the Deployment is ${d.phase ?? 'not reconciled yet'}; a savepoint needs a running job`, retryMs: 5_000 };
  return { action: 'trigger', jobId: d.jobId };
}

export function phaseAfterPoll(result: SavepointTriggerStatus): SavepointPhase {
  return result.state === 'COMPLETED' ? 'Completed' : result.state === 'FAILED' ? 'Failed' : 'InProgress';
}

/**
 * Whether a failed status poll means the savepoint will never complete: the JobManager forgot
 * the request (it restarted) or refused for good, or no JobManager of the deployment runs any
 * more. Otherwise (a timeout, a 5xx) undefined: ask again. Without this an InProgress Savepoint
 * would wait forever, and hold back the deployment's periodic savepoints with it.
 */
export function lostSavepoint(error: { message: string; transient: boolean }, jobManagerUp: boolean): string | undefined {
  if (error.message.includes('MR_ERR_SAVEPOINT_REQUEST_NOT_FOUND')) return `the JobManager no longer knows the savepoint request (it restarted): ${error.message}`;
  if (!error.transient) return error.message;
  if (!jobManagerUp) return 'no JobManager of the deployment runs any more; the savepoint was never completed';
  return undefined;
}
