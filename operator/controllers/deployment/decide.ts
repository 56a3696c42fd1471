// The Deployment state machine (pure): from the parsed spec, the last status, the queue's
// admission decision and what the observer saw (pods, job), decide the phase, the
// conditions and the actions. No I/O here; the reconciler carries the actions out.
import type { DeploymentPhase, DeploymentSpec, DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { DEPLOYMENT_LIFECYCLE } from '../../api/v1alpha1/deployment.ts';
import type { AdmissionDecision } from '../../capacity/admission.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { JobDetails, SavepointTriggerStatus } from '../../jobmanager/client.ts';
import { classifySpecChange } from './diff.ts';
import { lingeringProblem, mainProblem } from './pod-problems.ts';
import type { PodProblem } from './pod-problems.ts';
import type { SourceProblem } from './validate.ts';

/** Failures the user fixes without changing the spec (a Secret labelled, a file uploaded): looked at again, and left once fixed. */
const FIXED_OUTSIDE_SPEC = new Set(['SecretNotFound', 'SecretNotAllowed', 'ArtifactNotFound', 'SqlModuleNotFound', 'SqlModuleTypesMissing', 'SqlModuleTypesInvalid']);
const OUTSIDE_SPEC_RECHECK_MS = 15_000;

export interface ObservedPod {
  name: string;
  hash: string | undefined;
  phase: string | undefined;
  cu: number;
  terminating: boolean;
  /** What keeps this pod from running, from its status (pod-problems.ts). */
  problem?: PodProblem;
}

export interface Observation {
  pods: ObservedPod[];
  /** The job the JobManager reports, if pods exist and it answered. */
  job?: JobDetails;
  /** Spec hash of the JobManager pod that reported the job. */
  jobManagerHash?: string;
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
  /** Result of polling the stop-with-savepoint in flight (previous.savepointInFlight); undefined: no answer yet. */
  savepointPoll?: SavepointTriggerStatus;
  /** The stop-with-savepoint in flight can no longer be followed (its JobManager is gone or forgot it). */
  savepointLost?: string;
  /** restore.savepointName names a Savepoint that is not (yet) usable: why. */
  restoreBlocked?: string;
  /** Now (RFC 3339), for the times recorded in status. */
  now: string;
}

export interface DeploymentEvent { type: 'Normal' | 'Warning'; reason: string; note: string }

/** Savepoint bookkeeping carried in status from pass to pass. */
export interface SavepointState {
  inFlight?: DeploymentStatus['savepointInFlight'];
  restorePath?: string;
  lastSavepoint?: DeploymentStatus['lastSavepoint'];
  failedGeneration?: number;
}

export interface Decision {
  phase: DeploymentPhase;
  reason?: string;
  conditions: ConditionInput[];
  /** Apply ConfigMap and Service and create the missing pods of desiredHash. */
  createPods: boolean;
  deletePods: string[];
  cancelJob?: string;
  /** Stop this job with a savepoint (stateful upgrade or suspend); its request id goes into status. */
  stopWithSavepoint?: { jobId: string; purpose: 'upgrade' | 'suspend' };
  /** A stop-with-savepoint completed: record it as a Savepoint object. */
  recordSavepoint?: { origin: 'upgrade' | 'suspend'; path: string; jobId: string };
  savepoint: SavepointState;
  /** The pods now running are built from this spec (kept in status for the next diff). */
  reconciledHash?: string;
  events: DeploymentEvent[];
  /** Poll again after this delay (job state lives outside Kubernetes). */
  requeueAfterMs?: number;
  /** While Starting: when the current start began, and when it fails unless it reaches Running (epoch ms). */
  startingSince?: string;
  deadlineAt?: number;
  /** The causes reported as Warning Events in this start or run, comma-separated (status.lastReportedCause). */
  lastReportedCause?: string;
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
    case 'CANCELED': return 'Cancelled';
    default: return 'Starting';
  }
}

type DecisionCore = Omit<Decision, 'savepoint' | 'events' | 'recordSavepoint'>;

export function decideDeployment(input: DecisionInput): Decision {
  const { spec, previous, observed, desiredHash } = input;
  const live = observed.pods.filter((p) => !p.terminating);
  const events: DeploymentEvent[] = [];
  const conditions: ConditionInput[] = [];
  const prevPhase = previous?.phase;
  const jobActive = observed.job && !['FINISHED', 'FAILED', 'CANCELED'].includes(observed.job.state);
  const jobRunning = observed.job?.state === 'RUNNING';

  // Savepoint bookkeeping: follow a stop-with-savepoint in flight before anything else.
  const sp: SavepointState = {
    inFlight: previous?.savepointInFlight, restorePath: previous?.restoreSavepointPath,
    lastSavepoint: previous?.lastSavepoint, failedGeneration: previous?.savepointFailedGeneration,
  };
  let recordSavepoint: Decision['recordSavepoint'];
  let justSaved = false;
  let savepointFailure: string | undefined;
  // Every outcome says whether the pods report a problem (a Failed one keeps the cause it failed with).
  let problem = mainProblem(live.flatMap((p) => (p.problem ? [p.problem] : [])));
  const finish = (d: DecisionCore, keepPodsHealthy = false): Decision => {
    const conditions = keepPodsHealthy || d.conditions.some((c) => c.type === 'PodsHealthy') ? d.conditions : [...d.conditions, podsHealthy(problem, live.length)];
    return { ...d, conditions, events, savepoint: sp, ...(recordSavepoint ? { recordSavepoint } : {}) };
  };
  if (sp.inFlight) {
    const f = sp.inFlight;
    const poll = input.savepointPoll;
    if (poll?.state === 'COMPLETED') {
      sp.restorePath = poll.location;
      sp.lastSavepoint = { path: poll.location, origin: f.purpose, jobId: f.jobId, completedAt: input.now };
      recordSavepoint = { origin: f.purpose, path: poll.location, jobId: f.jobId };
      events.push({ type: 'Normal', reason: 'SavepointCompleted', note: `job ${f.jobId} stopped with a savepoint at ${poll.location} (${f.purpose})` });
      sp.inFlight = undefined;
      justSaved = true;
    } else if (poll?.state === 'FAILED' || input.savepointLost) {
      savepointFailure = poll?.state === 'FAILED' ? poll.reason : input.savepointLost;
      sp.failedGeneration = input.generation;
      sp.inFlight = undefined;
      events.push({ type: 'Warning', reason: 'SavepointFailed', note: `stop-with-savepoint of job ${f.jobId} (${f.purpose}) failed: ${savepointFailure}` });
    } else {
      conditions.push({ type: 'Ready', status: 'False', reason: 'SavingState', message: `stopping job ${f.jobId} with a savepoint before the ${f.purpose}` });
      return finish({ phase: 'Upgrading', reason: `taking a savepoint of job ${f.jobId} before the ${f.purpose}`, conditions, createPods: false, deletePods: [], requeueAfterMs: 1000 });
    }
  }
  const savepointFailedNow = sp.failedGeneration !== undefined && sp.failedGeneration === input.generation;

  if (spec.state !== 'running') {
    const phase: DeploymentPhase = spec.state === 'suspended' ? 'Suspended' : 'Cancelled';
    if (spec.state === 'suspended' && spec.upgradeStrategy === 'stateful' && jobRunning && !savepointFailedNow && !justSaved) {
      events.push({ type: 'Normal', reason: 'Suspending', note: `stopping job ${observed.job?.id} with a savepoint before suspending` });
      conditions.push({ type: 'Ready', status: 'False', reason: 'SavingState', message: `stopping job ${observed.job?.id} with a savepoint before suspending` });
      return finish({ phase: 'Upgrading', reason: 'taking a savepoint before suspending', conditions, createPods: false, deletePods: [], stopWithSavepoint: { jobId: observed.job!.id, purpose: 'suspend' }, requeueAfterMs: 1000 });
    }
    if (spec.state === 'suspended' && spec.upgradeStrategy === 'stateful' && prevPhase !== 'Suspended' && !justSaved) {
      const why = savepointFailure ?? (jobRunning ? 'the savepoint failed earlier for this generation' : `no running job to take it of (${observed.job?.state ?? 'no job'})`);
      events.push({ type: 'Warning', reason: 'SuspendedWithoutSavepoint', note: `suspended without a savepoint: ${why}; the job restarts from its latest checkpoint` });
    }
    conditions.push({ type: 'Ready', status: 'True', reason: phase, message: `job ${spec.state} as requested` });
    if (prevPhase !== phase) events.push({ type: 'Normal', reason: phase, note: `deployment ${spec.state}: pods removed, CU freed` });
    return finish({
      phase, reason: `spec.state is ${spec.state}`, conditions, createPods: false,
      deletePods: live.map((p) => p.name), cancelJob: jobActive ? observed.job?.id : undefined,
      requeueAfterMs: live.length > 0 ? 1000 : undefined,
    });
  }

  if (input.invalidSource) {
    const { reason, message } = input.invalidSource;
    const prevReady = previous?.conditions?.find((c) => c.type === 'Ready');
    if (prevPhase !== 'Failed' || prevReady?.reason !== reason || prevReady.message !== message) events.push({ type: 'Warning', reason, note: message });
    conditions.push({ type: 'Ready', status: 'False', reason, message });
    return finish({
      phase: 'Failed', reason: message, conditions, createPods: false,
      deletePods: live.map((p) => p.name), cancelJob: jobActive ? observed.job?.id : undefined,
      requeueAfterMs: live.length > 0 ? 1000 : FIXED_OUTSIDE_SPEC.has(reason) ? OUTSIDE_SPEC_RECHECK_MS : undefined,
    });
  }

  // Terminal phases stay until the spec changes (a new generation), except a failure whose cause
  // is fixed outside the spec (a Secret created or labelled) and no longer holds.
  const endedFor = previous?.conditions?.find((c) => c.type === 'Ready')?.reason;
  if (prevPhase && DEPLOYMENT_LIFECYCLE[prevPhase].terminal && prevPhase !== 'Cancelled' && previous?.observedGeneration === input.generation &&
    !(prevPhase === 'Failed' && endedFor !== undefined && FIXED_OUTSIDE_SPEC.has(endedFor))) {
    // The Ready condition written when it ended says why (a start-up cause, the job's failure): keep it.
    const ended = previous?.conditions?.find((c) => c.type === 'Ready');
    const ready: ConditionInput = ended ? { type: 'Ready', status: ended.status, reason: ended.reason, message: ended.message } : { type: 'Ready', status: 'False', reason: prevPhase, message: previous?.reason ?? prevPhase };
    return finish({ phase: prevPhase, reason: previous?.reason, conditions: [ready], createPods: false, deletePods: [], lastReportedCause: previous?.lastReportedCause }, true);
  }

  if (!input.admission?.admitted) {
    const reason = input.admission && !input.admission.admitted ? input.admission.reason : 'waiting for its queue to be reconciled';
    conditions.push({ type: 'Ready', status: 'False', reason: 'Queued', message: reason });
    if (prevPhase !== 'Queued') events.push({ type: 'Normal', reason: 'Queued', note: reason });
    // Capacity freeing wakes queued deployments (a sibling's phase or cuInUse changes); the
    // periodic look is only a safety net against a missed wake-up.
    return finish({ phase: 'Queued', reason, conditions, createPods: false, deletePods: live.map((p) => p.name), requeueAfterMs: QUEUED_RECHECK_MS });
  }

  const stale = live.filter((p) => p.hash !== desiredHash);
  const lastSpec = previous?.lastReconciledSpec ? (JSON.parse(previous.lastReconciledSpec) as DeploymentSpec) : undefined;
  if (stale.length > 0) {
    const change = classifySpecChange(lastSpec, spec);
    const fields = change.kind === 'upgrade' ? change.fields.join(', ') : 'spec';
    const replace = (note: string): Decision => {
      if (prevPhase !== 'Upgrading' || justSaved) events.push({ type: 'Normal', reason: 'Upgrading', note });
      conditions.push({ type: 'Ready', status: 'False', reason: 'Upgrading', message: `replacing pods after a change of ${fields}` });
      return finish({ phase: 'Upgrading', conditions, createPods: false, deletePods: stale.map((p) => p.name), cancelJob: jobActive ? observed.job?.id : undefined, requeueAfterMs: 1000 });
    };
    if (spec.upgradeStrategy === 'stateless') return replace(`stateless upgrade (${fields} changed): restarting the job with new pods`);
    if (spec.upgradeStrategy === 'stateful') {
      if (justSaved) return replace(`stateful upgrade (${fields} changed): new pods restore from ${sp.restorePath}`);
      if (!jobRunning) return replace(`stateful upgrade (${fields} changed) without a savepoint: the job is ${observed.job?.state ?? 'not running'}; new pods restore by spec.restore (${spec.restore.strategy})`);
      if (!savepointFailedNow) {
        events.push({ type: 'Normal', reason: 'Upgrading', note: `stateful upgrade (${fields} changed): stopping job ${observed.job?.id} with a savepoint` });
        conditions.push({ type: 'Ready', status: 'False', reason: 'SavingState', message: `stopping job ${observed.job?.id} with a savepoint before the upgrade` });
        return finish({ phase: 'Upgrading', reason: 'taking a savepoint before the upgrade', conditions, createPods: false, deletePods: [], stopWithSavepoint: { jobId: observed.job!.id, purpose: 'upgrade' }, requeueAfterMs: 1000 });
      }
    }
    const running = phaseFromJob(observed.job);
    const blocked: ConditionInput = spec.upgradeStrategy === 'stateful'
      ? { type: 'UpgradeBlocked', status: 'True', reason: 'SavepointFailed', message: `the savepoint for the stateful upgrade (${fields} changed) failed${savepointFailure ? `: ${savepointFailure}` : ''}; the job keeps running the previous spec. Change the spec again to retry, or use upgradeStrategy stateless` }
      : { type: 'UpgradeBlocked', status: 'True', reason: 'UpgradeStrategyNone', message: `upgradeStrategy none: the change of ${fields} applies when the job is next started` };
    const wasBlocked = previous?.conditions?.find((c) => c.type === 'UpgradeBlocked' && c.status === 'True' && c.reason === blocked.reason);
    if (!wasBlocked && !savepointFailure) events.push({ type: 'Warning', reason: blocked.reason, note: blocked.message });
    conditions.push(blocked, { type: 'Ready', status: running === 'Running' ? 'True' : 'False', reason: running, message: `running the previous spec (${previous?.specHash ?? 'unknown'})` });
    return finish({ phase: running, reason: blocked.message, conditions, createPods: false, deletePods: [], requeueAfterMs: 5000 });
  }

  // Starting from a named Savepoint that is not usable yet: wait without pods.
  if (input.restoreBlocked && live.length === 0) {
    conditions.push({ type: 'Ready', status: 'False', reason: 'WaitingForSavepoint', message: input.restoreBlocked });
    if (prevPhase !== 'Queued' || previous?.reason !== input.restoreBlocked) events.push({ type: 'Warning', reason: 'WaitingForSavepoint', note: input.restoreBlocked });
    return finish({ phase: 'Queued', reason: input.restoreBlocked, conditions, createPods: false, deletePods: [], requeueAfterMs: 5000 });
  }

  conditions.push({ type: 'UpgradeBlocked', status: 'False', reason: 'UpToDate', message: 'pods match the spec' });
  const failedPods = live.filter((p) => p.phase === 'Failed' || p.phase === 'Succeeded');
  // Only a JobManager of the current pods speaks for the job (an old one may still be going away),
  // and the job the operator stopped with a savepoint is over, not the deployment's result.
  const stopped = observed.job && observed.job.state !== 'RUNNING' && observed.job.id === sp.lastSavepoint?.jobId;
  const job = (observed.jobManagerHash === undefined || observed.jobManagerHash === desiredHash) && !stopped ? observed.job : undefined;
  let phase = phaseFromJob(job);
  // Pods that are not all there yet means Starting, whatever a previous job said.
  if (live.length - failedPods.length === 0 && phase === 'Running') phase = 'Starting';

  // What the pods' status says is wrong, reported as a Warning Event once per cause and per start.
  // A start (new pods, no job running yet) has a deadline. A job that ran and is Starting again
  // (its restart strategy between attempts, a JobManager resuming from HA) has none: its restart
  // strategy decides, and a pod problem on the way shows in PodsHealthy, Ready and Argo CD.
  const restarting = phase === 'Starting' && (prevPhase === 'Running' || (prevPhase === 'Starting' && !previous?.startingSince));
  const newStart = phase === 'Starting' && !restarting && !(prevPhase === 'Starting' && previous?.startingSince);
  const startingSince = phase === 'Starting' && !restarting ? (newStart ? input.now : previous?.startingSince) : undefined;
  // An evicted or failed pod is replaced at once; its cause keeps speaking for this start or run (pod-problems.ts).
  if (!problem && !newStart && (phase === 'Starting' || phase === 'Running')) problem = lingeringProblem(previous?.conditions?.find((c) => c.type === 'PodsHealthy'), Date.parse(input.now));
  // Every cause reported in this start or run (comma-separated): one that speaks again after another
  // did (the JobManager's JobLoadFailed, a TaskManager's CrashLoopBackOff while the JobManager
  // restarts, JobLoadFailed again) is not reported twice.
  const reported = newStart ? [] : (previous?.lastReportedCause ?? '').split(',').filter((c) => c !== '');
  let lastReportedCause = reported.length > 0 ? reported.join(',') : undefined;
  if (problem && !reported.includes(problem.reason)) {
    events.push({ type: 'Warning', reason: problem.reason, note: problem.message });
    lastReportedCause = [...reported, problem.reason].join(',');
  }
  if (!problem && phase === 'Running') lastReportedCause = undefined;
  conditions.push(podsHealthy(problem, live.length));

  // The progress deadline: a start that cannot reach Running fails, frees its CU and says why.
  // A job module that cannot load or build fails at once (it would fail the same way again).
  let deadlineAt: number | undefined;
  if (phase === 'Starting') {
    deadlineAt = startingSince ? Date.parse(startingSince) + spec.progressDeadlineSeconds * 1000 : undefined;
    const waited = observed.jobManagerError ? `waiting for the JobManager: ${observed.jobManagerError}` : 'the job is not running yet';
    if (problem?.permanent || (deadlineAt !== undefined && Date.parse(input.now) >= deadlineAt)) {
      const reason = problem?.reason ?? 'ProgressDeadlineExceeded';
      const why = problem?.permanent
        ? `the job cannot start: ${problem.message}`
        : `did not reach Running within ${spec.progressDeadlineSeconds} s (spec.progressDeadlineSeconds): ${problem?.message ?? waited}`;
      const message = `${why}; pods deleted, CU freed; change the spec to start again`;
      conditions.push({ type: 'Ready', status: 'False', reason, message });
      events.push({ type: 'Warning', reason: 'Failed', note: `start failed (${reason}): ${message}` });
      return finish({
        phase: 'Failed', reason: `${reason}: ${why}`, conditions, createPods: false,
        deletePods: live.map((p) => p.name), cancelJob: jobActive ? observed.job?.id : undefined,
        reconciledHash: desiredHash, lastReportedCause, requeueAfterMs: live.length > 0 ? 1000 : undefined,
      });
    }
    const retrying = deadlineAt !== undefined ? `retrying until ${new Date(deadlineAt).toISOString()} (spec.progressDeadlineSeconds ${spec.progressDeadlineSeconds})` : 'restarting (the job ran before: no progress deadline)';
    conditions.push(problem
      ? { type: 'Ready', status: 'False', reason: problem.reason, message: `${problem.message}; ${retrying}` }
      : { type: 'Ready', status: 'False', reason: 'Starting', message: observed.jobManagerError ? `waiting for the JobManager: ${observed.jobManagerError}` : 'waiting for the job to run' });
  } else if (phase === 'Running') {
    conditions.push({ type: 'Ready', status: 'True', reason: 'Running', message: `job ${job?.id} running` });
    sp.restorePath = undefined; // consumed by the job now running
  } else {
    conditions.push({ type: 'Ready', status: 'False', reason: phase, message: `job ${job?.id} is ${job?.state}${job?.failureCause ? `: ${job.failureCause}` : ''}` });
  }
  // A phase change is announced, except a new Deployment's first start: nothing happened but what
  // its creation asked for, its status says Starting from the first write, and the Event would be
  // one more API request per Deployment created (issue 15). A later start (admitted from Queued,
  // resumed, after a failure or an upgrade) is news and keeps its Event.
  const firstStart = prevPhase === undefined && phase === 'Starting';
  if (prevPhase !== phase && !firstStart) events.push({ type: phase === 'Failed' ? 'Warning' : 'Normal', reason: phase, note: job?.failureCause ? `${DEPLOYMENT_LIFECYCLE[phase].description} ${job.failureCause}` : DEPLOYMENT_LIFECYCLE[phase].description });
  const terminal = DEPLOYMENT_LIFECYCLE[phase].terminal;
  const startingReason = problem ? `${problem.reason}: ${problem.message}` : (observed.jobManagerError ?? 'pods starting');
  const poll = terminal ? undefined : phase === 'Running' ? 15_000 : 5_000;
  return finish({
    phase,
    reason: phase === 'Running' ? undefined : phase === 'Starting' ? startingReason : `job ${job?.state}${job?.failureCause ? `: ${job.failureCause}` : ''}`,
    conditions,
    createPods: !terminal,
    deletePods: terminal ? live.map((p) => p.name) : failedPods.map((p) => p.name),
    reconciledHash: desiredHash,
    // While starting, look again at the deadline at the latest.
    requeueAfterMs: poll !== undefined && deadlineAt !== undefined ? Math.max(100, Math.min(poll, deadlineAt - Date.parse(input.now))) : poll,
    startingSince, deadlineAt, lastReportedCause,
  });
}

/** The PodsHealthy condition: the problem that speaks for the deployment's pods, or none. */
function podsHealthy(problem: PodProblem | undefined, pods: number): ConditionInput {
  if (problem) return { type: 'PodsHealthy', status: 'False', reason: problem.reason, message: problem.message };
  return { type: 'PodsHealthy', status: 'True', reason: 'NoProblems', message: pods > 0 ? `none of the ${pods} pod(s) reports a problem` : 'no pods' };
}
