// Stopping a job on purpose (suspend, cancel, stateless upgrade, a failed start) without letting
// it come back (pure; issue 14 point 8). Two defences, because either alone has a gap:
//
// - Wait (suspend, cancel, stateless upgrade): the operator asks the JobManager to cancel and
//   keeps the pods until the JobManager reports the job ended (its HA record is written CANCELED
//   as the job ends), for at most CANCEL_CONFIRM_TIMEOUT_MS. A JobManager that cannot answer
//   cannot confirm, so it is not waited for.
// - Fence: every fresh start of the job is a new run (status.run), and the pods' revision
//   (MILLRACE_DEPLOYMENT_REVISION) is the Deployment's uid, its spec hash and the run. A
//   JobManager never resumes an HA record of another revision that did not reach a terminal
//   state (runtime/checkpoint/ha-store.ts). So a job whose cancellation never reached storage
//   (the JobManager gone, the wait timed out) is not resumed by the next start, even with an
//   unchanged spec (suspend then resume), nor by a Deployment deleted and created again under
//   the same name. A JobManager restarted within the run (a container restart, a pod the
//   operator makes again while the job runs) still resumes its job.
import type { DeploymentPhase, DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import type { Decision, Observation } from './decide.ts';
import { holdsCapacity } from './decide.ts';

export const CANCEL_CONFIRM_TIMEOUT_MS = 30_000;
const CANCEL_POLL_MS = 1000;
/** The phases of a stop the user asked for, whose later passes decide the same again. */
const WAITS_IN: ReadonlySet<DeploymentPhase> = new Set(['Suspended', 'Cancelled', 'Upgrading']);

/** The run the pods of this pass belong to: a new one when pods are made after a stop or for the first time. */
export function runOf(previous: DeploymentStatus | undefined, createPods: boolean): number | undefined {
  if (createPods && !holdsCapacity(previous?.phase)) return (previous?.run ?? 0) + 1;
  return previous?.run;
}

/**
 * The pods' revision. Deployments whose pods were made before runs were counted (no run in
 * status) keep the spec hash alone, so an operator upgrade does not fence their running jobs.
 */
export function podRevision(specHash: string, uid: string | undefined, run: number | undefined): string {
  return run === undefined ? specHash : `${specHash}.${uid ?? 'no-uid'}.${run}`;
}

export type CancelRequest = NonNullable<DeploymentStatus['cancelRequested']>;

/**
 * Holds the pod deletion of a decision that cancels an active job until the JobManager reports
 * the job ended, or the timeout passes. The cancel is sent once (a second cancel of a CANCELLING
 * job would end it at once, without waiting for its tasks); again only if the job still RUNS
 * (the first request was lost). Returns the decision to carry out and the request to keep in status.
 */
export function awaitCancellation(decision: Decision, observed: Observation, previous: CancelRequest | undefined, now: number): { decision: Decision; cancelRequested?: CancelRequest } {
  const jobId = decision.cancelJob;
  // No active job to wait for (it ended, or no JobManager answers): the pods go as decided. A
  // start that failed (Failed is terminal: later passes would not delete the pods) is not waited
  // for either; the run fence covers it.
  if (!jobId || observed.job?.id !== jobId || decision.deletePods.length === 0 || !WAITS_IN.has(decision.phase)) return { decision };
  const request = previous?.jobId === jobId ? previous : { jobId, requestedAt: new Date(now).toISOString() };
  const first = request !== previous;
  const waitedMs = now - Date.parse(request.requestedAt);
  if (waitedMs >= CANCEL_CONFIRM_TIMEOUT_MS) {
    return {
      decision: {
        ...decision, cancelJob: undefined,
        events: [...decision.events, { type: 'Warning', reason: 'CancelNotConfirmed', note: `job ${jobId} did not report its cancellation within ${CANCEL_CONFIRM_TIMEOUT_MS / 1000} s (it is ${observed.job.state}); its pods are deleted, and the next start is a new run that cannot resume it` }],
      },
      cancelRequested: request,
    };
  }
  const message = `waiting for job ${jobId} to report its cancellation (${observed.job.state}) before deleting its pods; at most until ${new Date(Date.parse(request.requestedAt) + CANCEL_CONFIRM_TIMEOUT_MS).toISOString()}`;
  return {
    decision: {
      ...decision,
      cancelJob: first || observed.job.state === 'RUNNING' ? jobId : undefined,
      deletePods: [],
      conditions: [...decision.conditions.filter((c) => c.type !== 'Ready'), { type: 'Ready', status: 'False', reason: 'CancellingJob', message }],
      events: first ? [...decision.events, { type: 'Normal', reason: 'CancellingJob', note: message }] : decision.events,
      requeueAfterMs: Math.min(decision.requeueAfterMs ?? CANCEL_POLL_MS, CANCEL_POLL_MS),
    },
    cancelRequested: request,
  };
}
