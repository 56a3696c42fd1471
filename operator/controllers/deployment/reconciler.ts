// Deployment reconciler: observe → validate → admit → decide → act → write status once.
import { DEPLOYMENT_LIFECYCLE, deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import type { Deployment, DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { parseResource } from '../../api/v1alpha1/parse.ts';
import { sumCU } from '../../capacity/compute-units.ts';
import { deploymentSize } from '../../capacity/deployment-size.ts';
import { MillraceError } from '../../errors.ts';
import type { JobManagerClientFactory, SavepointTriggerStatus } from '../../jobmanager/client.ts';
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import { isConflict, isNotFound } from '../../kube/rest-client.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { LABELS, MANAGED_BY, ownerReference, podsOfDeployment, savepointsOfDeployment } from '../shared/context.ts';
import type { ReconcileContext, Raw } from '../shared/context.ts';
import { writeStatus } from '../shared/lifecycle.ts';
import { permittedAgain, withForbiddenReport } from '../shared/operator-forbidden.ts';
import { decideDeployment, holdsCapacity } from './decide.ts';
import type { Decision, DeploymentEvent, Observation } from './decide.ts';
import { desiredDeploymentObjects, specHash } from './desired.ts';
import type { PodStorage } from './desired.ts';
import { validateSource } from './validate.ts';
import { checkListedSecrets } from './secret-access.ts';
import { unlistedSecrets } from './secret-mounts.ts';
import { podSecrets, secretMountProblems } from './secret-mount-check.ts';
import { resolveDeploymentArtifact } from './artifact-step.ts';
import { resolveSqlModules } from './sql-module-step.ts';
import type { ArtifactDigests } from './artifact-digest.ts';
import { resolvePodIdentity, workspacePods } from './pod-identity.ts';
import { desiredNetworkPolicy } from './network-policy.ts';
import { apiServerAddresses } from './api-server-addresses.ts';
import { DEFAULT_OPERATOR_NAMESPACE } from '../../storage/secret-ref-policy.ts';
import { S3_SECRET_NAME } from '../namespace/desired.ts';
import { observeDeployment } from './observer.ts';
import { ensureAuthSecret } from './auth-secret.ts';
import { checkKeySecret, keyConditions } from './auth-key-protection.ts';
import { classifyCreateError, REJECTION_RETRY_MS, rejectionCondition } from './create-refusal.ts';
import { awaitCancellation, podRevision, runOf } from './job-stop.ts';
import { admissionDecision, ledgerOf } from './queue-view.ts';
import { usableQueueCU } from '../queue/in-force.ts';
import { decidePeriodicSavepoints, periodicRequestsOf } from './periodic-savepoints.ts';
import type { PeriodicDecision } from './periodic-savepoints.ts';

export interface DeploymentReconcilerOptions {
  jobManagers: JobManagerClientFactory;
  defaultImage: string;
  /** Reads bucket artifacts' digests (default: S3 with the workspace credentials). */
  artifacts?: ArtifactDigests;
}

/** The workspace storage of the deployment's namespace, as its pods reach it. */
export function podStorage(ctx: ReconcileContext, namespace: string): PodStorage | undefined {
  const workspace = ctx.caches.namespaces.get(namespace)?.spec?.workspace;
  const st = workspace ? ctx.caches.workspaces.get(workspace)?.spec?.storage : undefined;
  if (!st) return undefined;
  return { bucket: st.bucket, prefix: st.prefix ?? '', region: st.region ?? 'us-east-1', forcePathStyle: st.forcePathStyle ?? true, endpoint: st.endpoint, secretName: S3_SECRET_NAME };
}

export async function reconcileDeployment(ctx: ReconcileContext, opts: DeploymentReconcilerOptions, namespace: string, name: string): Promise<ReconcileResult> {
  // A lasting RBAC refusal of the operator's own requests shows on the Deployment (operator-forbidden.ts).
  return withForbiddenReport(ctx, `Deployment ${namespace}/${name}`, () => ctx.caches.deployments.get(name, namespace), () => deploymentPass(ctx, opts, namespace, name));
}

async function deploymentPass(ctx: ReconcileContext, opts: DeploymentReconcilerOptions, namespace: string, name: string): Promise<ReconcileResult> {
  const key = `${namespace}/${name}`;
  const raw = ctx.caches.deployments.get(name, namespace);
  const ledger = ledgerOf(ctx);
  // Owned pods, Service and ConfigMap go with the owner (garbage collector); its key Secret is let
  // go of (auth-key-protection.ts) so that it can go too.
  if (!raw || raw.metadata.deletionTimestamp) {
    ledger.release(key);
    await checkKeySecret(ctx, namespace, name, undefined, podsOfDeployment(ctx, namespace, name));
    return {};
  }
  const now = new Date(ctx.clock.now());
  const generation = raw.metadata.generation;
  const previous = raw.status;

  let d: Deployment;
  try {
    d = parseResource(deploymentSchema, raw, `Deployment ${key}`);
  } catch (err) {
    if (!(err instanceof MillraceError)) throw err;
    await writeStatus(ctx, raw, { ...previous, observedGeneration: generation, conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: err.message }], generation, now) });
    return {};
  }

  const queue = ctx.caches.queues.get(d.spec.queue, namespace);
  // The queue's size in force: a refused change of its spec.cu leaves the last accepted one.
  const queueCU = usableQueueCU(queue);
  const admission = queueCU !== undefined ? admissionDecision(ctx, namespace, d.spec.queue, queueCU, name) : {
    admitted: false as const, position: 0,
    reason: queue ? `queue ${d.spec.queue} is not active (${queue.status?.phase ?? 'Pending'})` : `queue ${d.spec.queue} does not exist in namespace ${namespace}; create it or change spec.queue`,
  };
  const observed = await observeDeployment(ctx, opts.jobManagers, namespace, name, previous?.job?.id);
  // A pod stuck mounting a Secret deleted after the check below says so (secret-mount-check.ts).
  const mounts = await secretMountProblems(ctx, namespace, podSecrets(name, d.spec, podStorage(ctx, namespace)?.secretName), podsOfDeployment(ctx, namespace, name));
  observed.pods = observed.pods.map((p) => (p.problem || !mounts.problems.has(p.name) ? p : { ...p, problem: mounts.problems.get(p.name) }));
  // The key Secret is kept while pods hold its key; a key lost under them makes no new pod.
  const keyCheck = await checkKeySecret(ctx, namespace, name, raw.metadata.uid, podsOfDeployment(ctx, namespace, name));
  const workspace = ctx.caches.namespaces.get(namespace)?.spec?.workspace;
  const identity = resolvePodIdentity(d.spec, workspace, workspacePods(workspace ? ctx.caches.workspaces.get(workspace)?.spec?.pods : undefined), opts.defaultImage);
  // A bucket artifact is resolved (sha256) before any pod exists; a missing one fails here.
  const artifact = await resolveDeploymentArtifact(ctx, d, previous, specHash(d.spec), opts.artifacts);
  // So are a SQL job's function modules (and a .sql artifact is checked): sql-modules.ts.
  const sqlModules = await resolveSqlModules(ctx, d, previous, specHash(d.spec), artifact, { digests: opts.artifacts });
  // Listed Secrets are checked while pods are still to be made (a new spec, or not started yet).
  const podsToMake = previous?.observedGeneration !== generation || !['Starting', 'Running'].includes(previous?.phase ?? '');
  const invalidSource = sqlModules.problem ?? validateSource(d.spec.source, d.spec.configuration, sqlModules.declared) ?? unlistedSecrets(d.spec) ??
    (podsToMake ? await checkListedSecrets(ctx, namespace, d.spec.secrets) : undefined) ?? ('problem' in identity ? identity.problem : undefined) ?? artifact.problem;
  const poll = await pollSavepoint(opts.jobManagers, namespace, name, previous, observed);
  const named = namedSavepoint(ctx, d, namespace);
  // A job stopped on purpose keeps its pods until it reports the end (job-stop.ts), and every
  // fresh start is a new run whose pods never resume an HA record of the run before.
  const stop = awaitCancellation(decideDeployment({
    spec: d.spec, generation, previous, desiredHash: specHash(d.spec), admission, observed, invalidSource,
    ...poll, restoreBlocked: named.blocked, now: now.toISOString(),
  }), observed, previous?.cancelRequested, now.getTime());
  const decision = stop.decision;
  const run = runOf(previous, decision.createPods);
  const desired = desiredDeploymentObjects(d, {
    defaultImage: opts.defaultImage, owner: ownerReference(raw), storage: podStorage(ctx, namespace),
    restoreSavepointPath: decision.savepoint.restorePath ?? named.path,
    identity: 'problem' in identity ? undefined : identity,
    job: artifact.job,
    sqlModules: sqlModules.pins,
    revision: podRevision(specHash(d.spec), raw.metadata.uid, run),
  });

  // Act.
  const events: DeploymentEvent[] = [...decision.events];
  if (decision.stopWithSavepoint) await stopWithSavepoint(opts.jobManagers, namespace, name, decision, generation, now, events);
  if (decision.recordSavepoint) await recordSavepoint(ctx, raw, decision.recordSavepoint, now);
  if (decision.cancelJob) {
    await opts.jobManagers({ namespace, name }).cancel(decision.cancelJob).catch(() => undefined);
  }
  await Promise.all(decision.deletePods.map((pod) => ctx.rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: pod })));
  let quotaRefusal: string | undefined;
  let rejected: { object: string; status: number; message: string } | undefined;
  if (decision.createPods) {
    ledger.admit(key, deploymentSize(d.spec).requiredCU);
    const existing = new Set(observed.pods.map((p) => p.name));
    // Never a pod with another key than the running ones hold (AuthKeyProblem says why).
    const missing = keyCheck.kind === 'lost' ? [] : desired.pods.filter((p) => !existing.has(p.metadata.name));
    // Configuration (a ConfigMap only when too large for the pods' annotations: config-files.ts)
    // and Service go first, whenever pods are to be created (so also after a restart mid-way);
    // each step's requests go out together, as a deployment's latency is their round trips.
    if (missing.length > 0) {
      // The NetworkPolicy is in place before any pod (no pod of the deployment is ever reachable
      // from other tenants); it goes out together with the rest, one round trip before the pods.
      const policy = desiredNetworkPolicy(d, { owner: ownerReference(raw), operatorNamespace: ctx.operatorNamespace ?? DEFAULT_OPERATOR_NAMESPACE, apiServerAddresses: await apiServerAddresses(ctx.rest, ctx.clock) });
      const config = desired.config;
      await Promise.all([ctx.rest.apply(policy, ctx.fieldManager), config ? ctx.rest.apply(config, ctx.fieldManager) : undefined, ctx.rest.apply(desired.service, ctx.fieldManager).catch((err: unknown) => {
        const r = classifyCreateError(err, `Service ${desired.service.metadata.name}`);
        if (r?.kind !== 'rejected') throw err;
        rejected = r;
      }), ensureAuthSecret(ctx.rest, namespace, name, ownerReference(raw), keyCheck.kind === 'postponed')]);
    }
    const refused = rejected ? { quota: false } : await createPods(ctx, missing);
    rejected ??= refused.rejected;
    if (rejected) {
      // Pod Security, an admission policy, an invalid object: retrying the same request will
      // not pass. Nothing half-started stays; the API server's message goes on the status.
      await Promise.all(desired.pods.map((p) => ctx.rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: p.metadata.name })));
      ledger.release(key);
    } else if (refused.quota) {
      // The queue quota refused a pod: the API server's quota usage lags behind pods that are
      // already gone. Never leave a half-started deployment: remove what was created, stay
      // Queued and look again soon (a fixed delay, not the growing error backoff).
      await Promise.all(desired.pods.map((p) => ctx.rest.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: p.metadata.name })));
      ledger.release(key);
      quotaRefusal = `queue ${d.spec.queue} quota refused a pod (capacity of stopped deployments not yet released); retrying`;
    }
  } else if (!holdsCapacity(decision.phase)) {
    ledger.release(key);
  }
  if (quotaRefusal) return writeQuotaRefusal(ctx, raw, previous, generation, now, quotaRefusal, deploymentSize(d.spec), decision);
  if (rejected) return writeRejection(ctx, raw, previous, generation, now, rejected, decision);

  const periodic = periodicSavepoints(ctx, raw, d, decision, observed, now);
  await actOnPeriodicSavepoints(ctx, raw, d, periodic, events);
  const keyReport = keyConditions(keyCheck, namespace, name, previous?.conditions);
  // One Warning Event when a key problem first shows (or changes reason).
  const keyBefore = previous?.conditions?.find((c) => c.type === keyReport[0]?.type);
  if (keyReport[0]?.status === 'True' && (keyBefore?.status !== 'True' || keyBefore.reason !== keyReport[0].reason)) events.push({ type: 'Warning', reason: keyReport[0].reason, note: keyReport[0].message });

  const size = deploymentSize(d.spec);
  // Pods hold their queue's quota until they are gone, terminating or not; counting them keeps
  // cuInUse > 0 until then, so the change to 0 wakes the deployments queued behind this one.
  const podsPresent = observed.pods;
  const status: DeploymentStatus = {
    observedGeneration: generation,
    phase: decision.phase,
    reason: decision.reason,
    job: observed.job ? { id: observed.job.id, state: observed.job.state, startTime: observed.job.startTime, restarts: observed.job.restarts, lastCheckpoint: observed.job.lastCheckpoint } : (holdsCapacity(decision.phase) ? previous?.job : undefined),
    cuInUse: decision.createPods ? size.requiredCU : sumCU(podsPresent.map((p) => p.cu)),
    requiredCU: size.requiredCU,
    taskManagers: size.taskManagers,
    queuedSince: decision.phase === 'Queued' ? (previous?.queuedSince ?? now.toISOString()) : undefined,
    savepointInFlight: decision.savepoint.inFlight,
    lastSavepoint: decision.savepoint.lastSavepoint,
    lastPeriodicSavepoint: periodic.last,
    nextPeriodicSavepointAt: periodic.running ? periodic.nextAt : undefined,
    restoreSavepointPath: decision.savepoint.restorePath,
    savepointFailedGeneration: decision.savepoint.failedGeneration,
    lastReconciledSpec: decision.reconciledHash ? JSON.stringify(d.spec) : previous?.lastReconciledSpec,
    specHash: decision.reconciledHash ?? previous?.specHash,
    startingSince: decision.startingSince,
    lastReportedCause: decision.lastReportedCause,
    artifact: artifact.status,
    sqlModules: sqlModules.status,
    run,
    cancelRequested: stop.cancelRequested,
    conditions: setConditions(previous?.conditions, [...decision.conditions, ...permittedAgain(previous?.conditions), ...keyReport], generation, now),
  };
  const written = await writeStatusOnce(ctx, raw, status);
  if (written !== 'written') return written === 'gone' ? {} : { requeueAfterMs: STALE_RETRY_MS };
  await Promise.all(events.map((e) => ctx.events.record(raw, e.type, e.reason, 'Reconcile', e.note)));
  // Until the JobManager pod runs there is nothing to poll: pod changes wake this key anyway,
  // but the progress deadline must be looked at when it falls due.
  const jobManagerRunning = observed.pods.some((p) => p.name.startsWith(`${name}-jm-`) && p.phase === 'Running');
  let requeueAfterMs = decision.phase === 'Starting' && !jobManagerRunning
    ? Math.max(100, Math.min(60_000, (decision.deadlineAt ?? Infinity) - now.getTime()))
    : decision.requeueAfterMs;
  // A pod waiting for its volumes changes no more: look at its Secrets when its grace ends.
  if (mounts.recheckInMs !== undefined && !DEPLOYMENT_LIFECYCLE[decision.phase].terminal) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, Math.max(100, mounts.recheckInMs));
  // Look again when the next periodic savepoint falls due.
  if (periodic.running && periodic.nextAt) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, Math.max(500, Date.parse(periodic.nextAt) - now.getTime()));
  return requeueAfterMs !== undefined ? { requeueAfterMs } : {};
}

/** The periodic-savepoint decision of this pass, from the deployment's Savepoint objects. */
function periodicSavepoints(ctx: ReconcileContext, raw: Raw<Deployment>, d: Deployment, decision: Decision, observed: Observation, now: Date): PeriodicDecision & { running: boolean } {
  const namespace = d.metadata.namespace ?? '';
  const running = decision.phase === 'Running' && observed.job?.state === 'RUNNING' && !decision.savepoint.inFlight && !decision.stopWithSavepoint;
  const ts = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : undefined);
  const savepoints = savepointsOfDeployment(ctx, namespace, d.metadata.name).map((s) => ({
    name: s.metadata.name, origin: s.spec?.origin ?? 'userRequest', phase: s.status?.phase, path: s.status?.path, completedAt: s.status?.completedAt, deleting: Boolean(s.metadata.deletionTimestamp),
  }));
  const named = d.spec.restore.strategy === 'savepoint' ? d.spec.restore.savepointName : undefined;
  const result = decidePeriodicSavepoints({
    deployment: d.metadata.name, policy: d.spec.savepoints, jobRunning: running,
    since: observed.job?.startTime ?? raw.status?.job?.startTime ?? ts(raw.metadata.creationTimestamp) ?? now.toISOString(),
    savepoints, protectedNames: named ? [named] : [],
    protectedPaths: [decision.savepoint.restorePath, raw.status?.restoreSavepointPath].filter((p): p is string => Boolean(p)),
    unseenRequest: periodicRequestsOf(ctx).unseen(`${namespace}/${d.metadata.name}`, savepoints.map((s) => s.name), now.getTime()),
    now: now.getTime(),
  });
  return { ...result, running };
}

/** Creates the periodic Savepoint that is due and deletes those beyond the history limits (their finalizer disposes the files). */
async function actOnPeriodicSavepoints(ctx: ReconcileContext, owner: Raw<Deployment>, d: Deployment, periodic: PeriodicDecision, events: DeploymentEvent[]): Promise<void> {
  const namespace = owner.metadata.namespace ?? '';
  const requests = periodicRequestsOf(ctx);
  const key = `${namespace}/${owner.metadata.name}`;
  // Synchronous check-and-reserve: one create per interval however many passes are in flight.
  if (periodic.create && requests.reserve(key, periodic.create.name, savepointsOfDeployment(ctx, namespace, owner.metadata.name).map((s) => s.metadata.name), ctx.clock.now())) {
    const obj = {
      apiVersion: API_VERSION, kind: 'Savepoint',
      metadata: { name: periodic.create.name, namespace, labels: { ...ctx.instanceLabels, [LABELS.managedBy]: MANAGED_BY, [LABELS.deployment]: owner.metadata.name }, ownerReferences: [ownerReference(owner)] },
      // The operator's own: taken like a user's, its files deleted with it when history drops it.
      spec: { deployment: owner.metadata.name, origin: 'periodic', disposeOnDelete: true, formatType: 'canonical' },
    };
    try {
      await ctx.rest.create(obj);
      // Recorded with the create it reports, not with the status write: that may lose to a
      // concurrent pass, while this create happened (once: see PeriodicRequests).
      await ctx.events.record(owner, 'Normal', 'PeriodicSavepoint', 'Reconcile', `periodic savepoint ${periodic.create.name} requested (every ${d.spec.savepoints.periodicIntervalSeconds} s)`);
    } catch (err) {
      if (!isConflict(err)) { requests.release(key, periodic.create.name); throw err; }
    }
  }
  for (const p of periodic.prune) {
    await ctx.rest.delete({ apiVersion: API_VERSION, kind: 'Savepoint', namespace, name: p.name });
    events.push({ type: 'Normal', reason: 'SavepointHistoryPruned', note: `periodic savepoint ${p.name} deleted with its files: ${p.why}` });
  }
}

/** Delay before a pass that found its status outdated (409) looks again, with the cache caught up. */
export const STALE_RETRY_MS = 200;

/**
 * Writes the status on the condition that the Deployment is still the version this pass read
 * (metadata.resourceVersion as a precondition of the apply). A pass that decided from a stale
 * cache (its own last status write not seen yet) gets a conflict, writes nothing and raises no
 * Event: the next pass decides again from the fresh object, so an Event is raised once per
 * transition or cause, not once per pass that saw the old status.
 */
async function writeStatusOnce(ctx: ReconcileContext, raw: Raw<Deployment>, status: DeploymentStatus): Promise<'written' | 'gone' | 'stale'> {
  try {
    await ctx.rest.apply({ apiVersion: API_VERSION, kind: 'Deployment', metadata: { name: raw.metadata.name, namespace: raw.metadata.namespace, resourceVersion: raw.metadata.resourceVersion }, status }, ctx.fieldManager, 'status');
    return 'written';
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    if (isConflict(err)) return 'stale';
    throw err;
  }
}

/** Creates the pods together: whether a queue quota refused one, and any other refusal (create-refusal.ts). Already there (409) is fine. */
async function createPods(ctx: ReconcileContext, pods: KubeObject[]): Promise<{ quota: boolean; rejected?: { object: string; status: number; message: string } }> {
  const results = await Promise.allSettled(pods.map((pod) => ctx.rest.create(pod)));
  let quota = false;
  let rejected: { object: string; status: number; message: string } | undefined;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    const refusal = classifyCreateError(r.reason, `Pod ${pods[i]?.metadata.name ?? ''}`);
    if (!refusal) throw r.reason;
    if (refusal.kind === 'quota') quota = true;
    else if (refusal.kind === 'rejected') rejected ??= refusal;
  });
  return { quota, ...(rejected ? { rejected } : {}) };
}

/** Status after the API server rejected a pod or the Service for another reason than quota: Failed, with its message. */
async function writeRejection(ctx: ReconcileContext, raw: Raw<Deployment>, previous: DeploymentStatus | undefined, generation: number | undefined, now: Date, rejected: { object: string; status: number; message: string }, decision: Decision): Promise<ReconcileResult> {
  const { reason, message } = rejectionCondition(rejected);
  const status: DeploymentStatus = {
    ...previous, observedGeneration: generation, phase: 'Failed', reason: message, cuInUse: 0,
    savepointInFlight: decision.savepoint.inFlight, lastSavepoint: decision.savepoint.lastSavepoint,
    restoreSavepointPath: decision.savepoint.restorePath, savepointFailedGeneration: decision.savepoint.failedGeneration,
    startingSince: undefined,
    conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason, message }, ...permittedAgain(previous?.conditions)], generation, now),
  };
  const written = await writeStatusOnce(ctx, raw, status);
  if (written !== 'written') return written === 'gone' ? {} : { requeueAfterMs: STALE_RETRY_MS };
  const before = previous?.conditions?.find((c) => c.type === 'Ready');
  if (before?.reason !== reason || before.message !== message) await ctx.events.record(raw, 'Warning', reason, 'CreatePods', message);
  return { requeueAfterMs: REJECTION_RETRY_MS };
}

/** Status after a quota refusal: still Queued, with why, and a quick fixed retry. */
async function writeQuotaRefusal(ctx: ReconcileContext, raw: Raw<Deployment>, previous: DeploymentStatus | undefined, generation: number | undefined, now: Date, reason: string, size: { requiredCU: number; taskManagers: number }, decision: Decision): Promise<ReconcileResult> {
  const status: DeploymentStatus = {
    ...previous, observedGeneration: generation, phase: 'Queued', reason, cuInUse: 0, requiredCU: size.requiredCU, taskManagers: size.taskManagers,
    // The savepoint bookkeeping of this pass is kept (a restore path must survive the retry).
    savepointInFlight: decision.savepoint.inFlight, lastSavepoint: decision.savepoint.lastSavepoint,
    restoreSavepointPath: decision.savepoint.restorePath, savepointFailedGeneration: decision.savepoint.failedGeneration,
    queuedSince: previous?.queuedSince ?? now.toISOString(), startingSince: undefined,
    conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'Queued', message: reason }, ...permittedAgain(previous?.conditions)], generation, now),
  };
  const written = await writeStatusOnce(ctx, raw, status);
  if (written !== 'written') return written === 'gone' ? {} : { requeueAfterMs: STALE_RETRY_MS };
  // The decision's events (Starting) are dropped with its pods; going to Queued is the news.
  if (previous?.phase !== 'Queued') await ctx.events.record(raw, 'Normal', 'Queued', 'Reconcile', reason);
  return { requeueAfterMs: QUOTA_RETRY_MS };
}

export const QUOTA_RETRY_MS = 2000;

/** Follows the stop-with-savepoint in flight, if any, through the JobManager that runs it. */
async function pollSavepoint(jobManagers: JobManagerClientFactory, namespace: string, name: string, previous: DeploymentStatus | undefined, observed: Observation): Promise<{ savepointPoll?: SavepointTriggerStatus; savepointLost?: string }> {
  const f = previous?.savepointInFlight;
  if (!f) return {};
  if (!observed.pods.some((p) => p.name.startsWith(`${name}-jm-`) && !p.terminating)) return { savepointLost: 'the JobManager pod is gone' };
  try {
    return { savepointPoll: await jobManagers({ namespace, name }).savepointStatus(f.jobId, f.triggerId) };
  } catch (err) {
    const message = (err as Error).message;
    // A restarted JobManager forgot the request: it will never complete.
    if (message.includes('MR_ERR_SAVEPOINT_REQUEST_NOT_FOUND') || (err instanceof MillraceError && !err.transient)) return { savepointLost: message };
    return {}; // no answer now: ask again on the next pass
  }
}

/** The Savepoint named by restore.savepointName: its path, or why it cannot be used (yet). */
export function namedSavepoint(ctx: ReconcileContext, d: Deployment, namespace: string): { path?: string; blocked?: string } {
  const n = d.spec.restore.strategy === 'savepoint' ? d.spec.restore.savepointName : undefined;
  if (!n) return {};
  const sp = ctx.caches.savepoints.get(n, namespace);
  if (!sp) return { blocked: `spec.restore.savepointName: Savepoint ${n} does not exist in namespace ${namespace}; create it or change spec.restore` };
  if (sp.status?.phase === 'Completed' && sp.status.path) return { path: sp.status.path };
  if (sp.status?.phase === 'Failed') return { blocked: `spec.restore.savepointName: Savepoint ${n} failed (${sp.status.failureReason ?? 'no reason given'}); name another one or change spec.restore` };
  return { blocked: `spec.restore.savepointName: Savepoint ${n} is ${sp.status?.phase ?? 'Pending'}; the job starts when it completes` };
}

/** Triggers the stop-with-savepoint the decision asks for and records it in the decision's savepoint state. */
async function stopWithSavepoint(jobManagers: JobManagerClientFactory, namespace: string, name: string, decision: Decision, generation: number | undefined, now: Date, events: DeploymentEvent[]): Promise<void> {
  const { jobId, purpose } = decision.stopWithSavepoint!;
  try {
    const triggerId = await jobManagers({ namespace, name }).stopWithSavepoint(jobId, { drain: false });
    decision.savepoint.inFlight = { purpose, jobId, triggerId, triggeredAt: now.toISOString() };
  } catch (err) {
    if (!(err instanceof MillraceError) || err.transient) throw err;
    // Refused (for example no checkpoint storage): not retried for this generation.
    decision.savepoint.failedGeneration = generation;
    events.push({ type: 'Warning', reason: 'SavepointFailed', note: `stop-with-savepoint of job ${jobId} (${purpose}) refused: ${err.message}` });
  }
}

/** Records a savepoint the operator took as a Savepoint object (owned by the Deployment, never triggered again). */
async function recordSavepoint(ctx: ReconcileContext, owner: Raw<Deployment>, rec: NonNullable<Decision['recordSavepoint']>, now: Date): Promise<void> {
  const name = `${owner.metadata.name}-${rec.origin}-${rec.jobId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8)}`;
  const obj = {
    apiVersion: API_VERSION, kind: 'Savepoint',
    metadata: { name, namespace: owner.metadata.namespace, labels: { ...ctx.instanceLabels, [LABELS.managedBy]: MANAGED_BY, [LABELS.deployment]: owner.metadata.name }, ownerReferences: [ownerReference(owner)] },
    spec: { deployment: owner.metadata.name, origin: rec.origin, disposeOnDelete: false },
  };
  await ctx.rest.apply(obj, ctx.fieldManager);
  await writeStatus(ctx, obj, {
    observedGeneration: 1, phase: 'Completed', jobId: rec.jobId, path: rec.path, completedAt: now.toISOString(),
    conditions: setConditions(undefined, [{ type: 'Ready', status: 'True', reason: 'Completed', message: `savepoint of job ${rec.jobId} taken at the ${rec.origin}, stored at ${rec.path}` }], 1, now),
  });
}
