// The Deployment state machine (pure): from the parsed spec, the last status, the queue's
// admission decision and what the observer saw (pods, job), decide the phase, the
// conditions and the actions. No I/O here; the reconciler carries the actions out.
import type { DeploymentPhase, DeploymentSpec, DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { DEPLOYMENT_LIFECYCLE } from '../../api/v1alpha1/deployment.ts';
import type { AdmissionDecision } from '../../capacity/admission.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { JobDetails } from '../../jobmanager/client.ts';
import { classifySpecChange } from './diff.ts';
import type { SourceProblem } from './validate.ts';

export interface ObservedPod {
  name: string;
  hash: string | undefined;
  phase: string | undefined;
  cu: number;
  terminating: boolean;
}

export interface Observation {
  pods: ObservedPod[];
  /** The job the JobManager reports, if pods exist and it answered. */
  job?: JobDetails;
  /** Why the JobManager could not be asked, if it could not. */
  jobManagerError?: string;
}

export interface DecisionInput {
  spec: DeploymentSpec;
  generation: number | undefined;
  previous: DeploymentStatus | undefined;
  desiredHash: string;
  admission: AdmissionDecision | undefined;
  observed: Observation;
  /** The job source cannot run (SQL, an invalid pipeline): Failed without pods. */
  invalidSource?: SourceProblem;
}

export interface DeploymentEvent { type: 'Normal' | 'Warning'; reason: string; note: string }

export interface Decision {
  phase: DeploymentPhase;
  reason?: string;
  conditions: ConditionInput[];
  /** Apply ConfigMap and Service and create the missing pods of desiredHash. */
  createPods: boolean;
  deletePods: string[];
  cancelJob?: string;
  /** The pods now running are built from this spec (kept in status for the next diff). */
  reconciledHash?: string;
  events: DeploymentEvent[];
  /** Poll again after this delay (job state lives outside Kubernetes). */
  requeueAfterMs?: number;
}

export const QUEUED_RECHECK_MS = 30_000;

const HOLDS_CU: ReadonlySet<DeploymentPhase> = new Set(['Starting', 'Running', 'Upgrading']);

export function holdsCapacity(phase: DeploymentPhase | undefined): boolean {
  return phase !== undefined && HOLDS_CU.has(phase);
}

function phaseFromJob(job: JobDetails | undefined): DeploymentPhase {
  switch (job?.state) {
    case 'RUNNING': return 'Running';
    case 'FINISHED': return 'Finished';
    case 'FAILED': return 'Failed';
    case 'CANCELED': case 'CANCELLED': return 'Cancelled';
    default: return 'Starting';
  }
}

export function decideDeployment(input: DecisionInput): Decision {
  const { spec, previous, observed, desiredHash } = input;
  const live = observed.pods.filter((p) => !p.terminating);
  const events: DeploymentEvent[] = [];
  const conditions: ConditionInput[] = [];
  const prevPhase = previous?.phase;
  const jobActive = observed.job && !['FINISHED', 'FAILED', 'CANCELED', 'CANCELLED'].includes(observed.job.state);

  if (spec.state !== 'running') {
    const phase: DeploymentPhase = spec.state === 'suspended' ? 'Suspended' : 'Cancelled';
    if (spec.state === 'suspended' && spec.upgradeStrategy === 'stateful' && prevPhase !== 'Suspended') {
      events.push({ type: 'Warning', reason: 'SavepointsUnavailable', note: 'suspended without a savepoint: the runtime cannot take savepoints yet; the job restarts from its latest checkpoint' });
    }
    conditions.push({ type: 'Ready', status: 'True', reason: phase, message: `job ${spec.state} as requested` });
    if (prevPhase !== phase) events.push({ type: 'Normal', reason: phase, note: `deployment ${spec.state}: pods removed, CU freed` });
    return {
      phase, reason: `spec.state is ${spec.state}`, conditions, createPods: false,
      deletePods: live.map((p) => p.name), cancelJob: jobActive ? observed.job?.id : undefined, events,
      requeueAfterMs: live.length > 0 ? 1000 : undefined,
    };
  }

  if (input.invalidSource) {
    const { reason, message } = input.invalidSource;
    const prevReady = previous?.conditions?.find((c) => c.type === 'Ready');
    if (prevPhase !== 'Failed' || prevReady?.reason !== reason || prevReady.message !== message) events.push({ type: 'Warning', reason, note: message });
    conditions.push({ type: 'Ready', status: 'False', reason, message });
    return {
      phase: 'Failed', reason: message, conditions, createPods: false,
      deletePods: live.map((p) => p.name), cancelJob: jobActive ? observed.job?.id : undefined, events,
      requeueAfterMs: live.length > 0 ? 1000 : undefined,
    };
  }

  // Terminal phases stay until the spec changes (a new generation).
  if (prevPhase && DEPLOYMENT_LIFECYCLE[prevPhase].terminal && prevPhase !== 'Cancelled' && previous?.observedGeneration === input.generation) {
    return { phase: prevPhase, reason: previous?.reason, conditions: [{ type: 'Ready', status: 'False', reason: prevPhase, message: previous?.reason ?? prevPhase }], createPods: false, deletePods: [], events };
  }

  if (!input.admission?.admitted) {
    const reason = input.admission && !input.admission.admitted ? input.admission.reason : 'waiting for its queue to be reconciled';
    conditions.push({ type: 'Ready', status: 'False', reason: 'Queued', message: reason });
    if (prevPhase !== 'Queued') events.push({ type: 'Normal', reason: 'Queued', note: reason });
    // Capacity freeing wakes queued deployments (a sibling's phase or cuInUse changes); the
    // periodic look is only a safety net against a missed wake-up.
    return { phase: 'Queued', reason, conditions, createPods: false, deletePods: live.map((p) => p.name), events, requeueAfterMs: QUEUED_RECHECK_MS };
  }

  const stale = live.filter((p) => p.hash !== desiredHash);
  const lastSpec = previous?.lastReconciledSpec ? (JSON.parse(previous.lastReconciledSpec) as DeploymentSpec) : undefined;
  if (stale.length > 0) {
    const change = classifySpecChange(lastSpec, spec);
    const fields = change.kind === 'upgrade' ? change.fields.join(', ') : 'spec';
    if (spec.upgradeStrategy === 'stateless') {
      if (prevPhase !== 'Upgrading') events.push({ type: 'Normal', reason: 'Upgrading', note: `stateless upgrade (${fields} changed): restarting the job with new pods` });
      conditions.push({ type: 'Ready', status: 'False', reason: 'Upgrading', message: `replacing pods after a change of ${fields}` });
      return { phase: 'Upgrading', conditions, createPods: false, deletePods: stale.map((p) => p.name), cancelJob: jobActive ? observed.job?.id : undefined, events, requeueAfterMs: 1000 };
    }
    const running = phaseFromJob(observed.job);
    const blocked: ConditionInput = spec.upgradeStrategy === 'stateful'
      ? { type: 'UpgradeBlocked', status: 'True', reason: 'SavepointsUnavailable', message: `a stateful upgrade (${fields} changed) needs a savepoint, which the runtime cannot take yet; the job keeps running the previous spec. Use upgradeStrategy stateless to restart now, or suspend and resume` }
      : { type: 'UpgradeBlocked', status: 'True', reason: 'UpgradeStrategyNone', message: `upgradeStrategy none: the change of ${fields} applies when the job is next started` };
    const wasBlocked = previous?.conditions?.find((c) => c.type === 'UpgradeBlocked' && c.status === 'True');
    if (!wasBlocked) events.push({ type: 'Warning', reason: blocked.reason, note: blocked.message });
    conditions.push(blocked, { type: 'Ready', status: running === 'Running' ? 'True' : 'False', reason: running, message: `running the previous spec (${previous?.specHash ?? 'unknown'})` });
    return { phase: running, reason: blocked.message, conditions, createPods: false, deletePods: [], events, requeueAfterMs: 5000 };
  }

  conditions.push({ type: 'UpgradeBlocked', status: 'False', reason: 'UpToDate', message: 'pods match the spec' });
  const failedPods = live.filter((p) => p.phase === 'Failed' || p.phase === 'Succeeded');
  let phase = phaseFromJob(observed.job);
  // Pods that are not all there yet means Starting, whatever a previous job said.
  if (live.length - failedPods.length === 0 && phase === 'Running') phase = 'Starting';
  if (phase === 'Running') {
    conditions.push({ type: 'Ready', status: 'True', reason: 'Running', message: `job ${observed.job?.id} running` });
  } else if (phase === 'Failed' || phase === 'Finished' || phase === 'Cancelled') {
    conditions.push({ type: 'Ready', status: 'False', reason: phase, message: `job ${observed.job?.id} is ${observed.job?.state}` });
  } else {
    conditions.push({ type: 'Ready', status: 'False', reason: 'Starting', message: observed.jobManagerError ? `waiting for the JobManager: ${observed.jobManagerError}` : 'waiting for the job to run' });
  }
  if (prevPhase !== phase) events.push({ type: phase === 'Failed' ? 'Warning' : 'Normal', reason: phase, note: DEPLOYMENT_LIFECYCLE[phase].description });
  const terminal = DEPLOYMENT_LIFECYCLE[phase].terminal;
  return {
    phase,
    reason: phase === 'Running' ? undefined : phase === 'Starting' ? (observed.jobManagerError ?? 'pods starting') : `job ${observed.job?.state}`,
    conditions,
    createPods: !terminal,
    deletePods: terminal ? live.map((p) => p.name) : failedPods.map((p) => p.name),
    reconciledHash: desiredHash,
    events,
    requeueAfterMs: terminal ? undefined : phase === 'Running' ? 15_000 : 5_000,
  };
}
