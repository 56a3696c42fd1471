// Which tasks a failure restarts, and whether it counts as a failure at all (Flink's
// FailoverStrategy). Millrace restarts globally, as Flink's RestartAllFailoverStrategy: every
// counted failure redeploys all tasks as a new attempt. The one exception is a TaskManager whose
// loss was already counted: a killed TaskManager's slots stay registered until its heartbeat
// times out, so the restart may have picked them; its refused deployment, or a task refused by its
// data port, deploys the attempt again without it instead of counting the loss twice (issue 15:
// one lost TaskManager is one failover). Pure: the job master carries the decision out.

import { isUnreachable, refusedPeer } from './failure-causes.ts';

export type FailoverAction =
  /** count the failure against the restart strategy and restart all tasks */
  | { readonly kind: 'restart-all'; readonly cause: string }
  /** the TaskManager is already lost: deploy the same attempt again without it, uncounted */
  | { readonly kind: 'redeploy-without'; readonly taskManagerId: string; readonly cause: string };

/** A task of the attempt reported FAILED; `slots` are the attempt's slots. */
export function onTaskFailure(error: string | undefined, slots: ReadonlyArray<{ readonly address: string; readonly taskManagerId: string }>): FailoverAction {
  const cause = error ?? 'task failed';
  const refused = refusedPeer(error ?? '');
  const deadPeer = slots.find((slot) => slot.address === refused);
  return deadPeer ? { kind: 'redeploy-without', taskManagerId: deadPeer.taskManagerId, cause } : { kind: 'restart-all', cause };
}

/** Deploying a task to a TaskManager failed; undefined when the failure belongs to an older attempt. */
export function onDeployFailure(err: Error, deploy: { readonly task: string; readonly taskManagerId: string; readonly attempt: number }, currentAttempt: number): FailoverAction | undefined {
  const cause = `MR_ERR_DEPLOY_FAILED: deploying ${deploy.task} to ${deploy.taskManagerId} failed: ${err.message}`;
  if (isUnreachable(err)) return { kind: 'redeploy-without', taskManagerId: deploy.taskManagerId, cause };
  return currentAttempt === deploy.attempt ? { kind: 'restart-all', cause } : undefined;
}
