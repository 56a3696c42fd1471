import { deploymentSpecSchema } from '../../api/v1alpha1/deployment.ts';
import type { DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { decideDeployment } from './decide.ts';
import type { DecisionInput, ObservedPod } from './decide.ts';
import type { PodProblem } from './pod-problems.ts';
import { RECENT_OOM_MS } from './pod-problems.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import { specHash } from './desired.ts';

const spec = (over: Record<string, unknown> = {}) => deploymentSpecSchema.parse({ source: { sql: 'SELECT 1' }, ...over });
const pod = (name: string, hash: string, phase = 'Running'): ObservedPod => ({ name, hash, phase, cu: 1, terminating: false });
const base = (over: Partial<DecisionInput> = {}): DecisionInput => {
  const s = over.spec ?? spec();
  return { spec: s, generation: 1, previous: undefined, desiredHash: specHash(s), admission: { admitted: true }, observed: { pods: [] }, now: '2026-01-01T00:00:00.000Z', ...over };
};

describe('deployment state machine', () => {
  test('not admitted: Queued with the reason, no pods, an Event once', () => {
    const d = decideDeployment(base({ admission: { admitted: false, reason: 'needs 2 CU, queue q has 1 of 4 CU free', position: 1 } }));
    expect(d).toMatchObject({ phase: 'Queued', reason: 'needs 2 CU, queue q has 1 of 4 CU free', createPods: false });
    expect(d.events.map((e) => e.reason)).toEqual(['Queued']);
    const again = decideDeployment(base({ previous: { phase: 'Queued' }, admission: { admitted: false, reason: 'r', position: 1 } }));
    expect(again.events).toEqual([]);
  });

  test('admitted: creates pods and is Starting until the JobManager reports RUNNING', () => {
    const d = decideDeployment(base());
    expect(d).toMatchObject({ phase: 'Starting', createPods: true, deletePods: [] });
    const h = specHash(spec());
    const running = decideDeployment(base({ observed: { pods: [pod('jm', h), pod('tm', h)], job: { id: 'j1', state: 'RUNNING' } } }));
    expect(running.phase).toBe('Running');
    expect(running.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  });

  test('suspended (stateless): pods removed and the job cancelled', () => {
    const s = spec({ state: 'suspended' });
    const h = specHash(s);
    const d = decideDeployment(base({ spec: s, previous: { phase: 'Running' }, observed: { pods: [pod('jm', h)], job: { id: 'j1', state: 'RUNNING' } } }));
    expect(d).toMatchObject({ phase: 'Suspended', deletePods: ['jm'], cancelJob: 'j1', createPods: false });
    expect(d.stopWithSavepoint).toBeUndefined();
    expect(d.events.map((e) => e.reason)).toEqual(['Suspended']);
  });

  test('a spec change with upgradeStrategy stateless replaces the pods: old ones go first', () => {
    const old = spec({ parallelism: 1 });
    const next = spec({ parallelism: 2 });
    const previous: DeploymentStatus = { phase: 'Running', lastReconciledSpec: JSON.stringify(old), specHash: specHash(old) };
    const d = decideDeployment(base({ spec: next, previous, observed: { pods: [pod('jm-old', specHash(old))], job: { id: 'j1', state: 'RUNNING' } } }));
    expect(d).toMatchObject({ phase: 'Upgrading', deletePods: ['jm-old'], createPods: false, cancelJob: 'j1' });
    expect(d.events[0]?.note).toMatch(/parallelism changed/);
  });

  test('stateful suspend: stop with a savepoint first (pods stay), then Suspended; the next start restores from it', () => {
    const s = spec({ state: 'suspended', upgradeStrategy: 'stateful' });
    const h = specHash(s);
    const pods = [pod('jm', h), pod('tm', h)];
    const first = decideDeployment(base({ spec: s, generation: 2, previous: { phase: 'Running' }, observed: { pods, job: { id: 'j1', state: 'RUNNING' } } }));
    expect(first).toMatchObject({ phase: 'Upgrading', stopWithSavepoint: { jobId: 'j1', purpose: 'suspend' }, deletePods: [], createPods: false });
    const inFlight = { purpose: 'suspend' as const, jobId: 'j1', triggerId: 't1', triggeredAt: 'x' };
    const waiting = decideDeployment(base({ spec: s, generation: 2, previous: { phase: 'Upgrading', savepointInFlight: inFlight }, observed: { pods, job: { id: 'j1', state: 'RUNNING' } }, savepointPoll: { state: 'IN_PROGRESS' } }));
    expect(waiting).toMatchObject({ phase: 'Upgrading', deletePods: [], savepoint: { inFlight } });
    expect(waiting.stopWithSavepoint).toBeUndefined();
    const done = decideDeployment(base({ spec: s, generation: 2, previous: { phase: 'Upgrading', savepointInFlight: inFlight }, observed: { pods, job: { id: 'j1', state: 'FINISHED' } }, savepointPoll: { state: 'COMPLETED', location: 's3://b/sp-1/' } }));
    expect(done).toMatchObject({ phase: 'Suspended', deletePods: ['jm', 'tm'], recordSavepoint: { origin: 'suspend', path: 's3://b/sp-1/', jobId: 'j1' }, savepoint: { restorePath: 's3://b/sp-1/', inFlight: undefined } });
    expect(done.cancelJob).toBeUndefined();
    expect(done.events.map((e) => e.reason)).toEqual(['SavepointCompleted', 'Suspended']);
    // Resumed: the restore path stays until the new job runs, then it is consumed.
    const r = spec({ upgradeStrategy: 'stateful' });
    const resumed = decideDeployment(base({ spec: r, generation: 3, previous: { phase: 'Suspended', restoreSavepointPath: 's3://b/sp-1/' } }));
    expect(resumed).toMatchObject({ phase: 'Starting', createPods: true, savepoint: { restorePath: 's3://b/sp-1/' } });
    const rh = specHash(r);
    const runs = decideDeployment(base({ spec: r, generation: 3, previous: { phase: 'Starting', restoreSavepointPath: 's3://b/sp-1/' }, observed: { pods: [pod('jm2', rh)], jobManagerHash: rh, job: { id: 'j2', state: 'RUNNING' } } }));
    expect(runs.phase).toBe('Running');
    expect(runs.savepoint.restorePath).toBeUndefined();
    // The job stopped with the savepoint, still listed by a JobManager, is not the new job's result.
    const stale = decideDeployment(base({ spec: r, generation: 3, previous: { phase: 'Starting', lastSavepoint: { path: 's3://b/sp-1/', origin: 'suspend', jobId: 'j1', completedAt: 't' } }, observed: { pods: [pod('jm2', rh)], jobManagerHash: rh, job: { id: 'j1', state: 'FINISHED' } } }));
    expect(stale).toMatchObject({ phase: 'Starting', createPods: true });
  });

  test('stateful upgrade: stop with a savepoint, then replace the pods; a failed savepoint keeps the job running and blocks the upgrade', () => {
    const old = spec({ upgradeStrategy: 'stateful' });
    const next = spec({ upgradeStrategy: 'stateful', configuration: { a: 'b' } });
    const previous: DeploymentStatus = { phase: 'Running', lastReconciledSpec: JSON.stringify(old), specHash: specHash(old) };
    const oldPods = [pod('jm', specHash(old))];
    const first = decideDeployment(base({ spec: next, generation: 2, previous, observed: { pods: oldPods, job: { id: 'j1', state: 'RUNNING' } } }));
    expect(first).toMatchObject({ phase: 'Upgrading', stopWithSavepoint: { jobId: 'j1', purpose: 'upgrade' }, deletePods: [] });
    const inFlight = { purpose: 'upgrade' as const, jobId: 'j1', triggerId: 't', triggeredAt: 'x' };
    const done = decideDeployment(base({ spec: next, generation: 2, previous: { ...previous, phase: 'Upgrading', savepointInFlight: inFlight }, observed: { pods: oldPods, job: { id: 'j1', state: 'FINISHED' } }, savepointPoll: { state: 'COMPLETED', location: 's3://b/sp-2/' } }));
    expect(done).toMatchObject({ phase: 'Upgrading', deletePods: ['jm'], createPods: false, savepoint: { restorePath: 's3://b/sp-2/' }, recordSavepoint: { origin: 'upgrade' } });
    expect(done.events[1]?.note).toMatch(/new pods restore from s3:\/\/b\/sp-2\//);

    const failed = decideDeployment(base({ spec: next, generation: 2, previous: { ...previous, phase: 'Upgrading', savepointInFlight: inFlight }, observed: { pods: oldPods, job: { id: 'j1', state: 'RUNNING' } }, savepointPoll: { state: 'FAILED', reason: 'MR_ERR_CHECKPOINT_DECLINED' } }));
    expect(failed).toMatchObject({ phase: 'Running', deletePods: [], savepoint: { failedGeneration: 2 } });
    expect(failed.stopWithSavepoint).toBeUndefined();
    expect(failed.conditions.find((c) => c.type === 'UpgradeBlocked')).toMatchObject({ status: 'True', reason: 'SavepointFailed', message: expect.stringMatching(/MR_ERR_CHECKPOINT_DECLINED/) });
    expect(failed.events.map((e) => e.reason)).toEqual(['SavepointFailed']);
    // Not retried for the same generation.
    const later = decideDeployment(base({ spec: next, generation: 2, previous: { ...previous, savepointFailedGeneration: 2 }, observed: { pods: oldPods, job: { id: 'j1', state: 'RUNNING' } } }));
    expect(later.stopWithSavepoint).toBeUndefined();
    expect(later.phase).toBe('Running');
  });

  test('starting from a named Savepoint that is not usable waits without pods', () => {
    const d = decideDeployment(base({ restoreBlocked: 'spec.restore.savepointName: Savepoint sp is InProgress; the job starts when it completes' }));
    expect(d).toMatchObject({ phase: 'Queued', createPods: false, reason: expect.stringMatching(/Savepoint sp is InProgress/) });
    expect(d.events.map((e) => e.reason)).toEqual(['WaitingForSavepoint']);
  });

  test('changing only spec.state does not count as an upgrade (same pod hash)', () => {
    expect(specHash(spec({ state: 'running' }))).toBe(specHash(spec({ state: 'suspended' })));
    expect(specHash(spec({ parallelism: 2 }))).not.toBe(specHash(spec({ parallelism: 3 })));
  });

  test('a failed job removes its pods and stays Failed until the spec changes', () => {
    const h = specHash(spec());
    const failed = decideDeployment(base({ previous: { phase: 'Running' }, observed: { pods: [pod('jm', h)], job: { id: 'j1', state: 'FAILED', failureCause: 'MR_ERR_X: boom' } } }));
    expect(failed).toMatchObject({ phase: 'Failed', deletePods: ['jm'], createPods: false, reason: 'job FAILED: MR_ERR_X: boom' });
    expect(failed.events).toEqual([{ type: 'Warning', reason: 'Failed', note: expect.stringMatching(/MR_ERR_X: boom$/) }]);
    const stays = decideDeployment(base({ previous: { phase: 'Failed', observedGeneration: 1 } }));
    expect(stays).toMatchObject({ phase: 'Failed', createPods: false });
    const restarted = decideDeployment(base({ generation: 2, previous: { phase: 'Failed', observedGeneration: 1 } }));
    expect(restarted).toMatchObject({ phase: 'Starting', createPods: true });
  });

  test('a source that cannot run (SQL, an invalid pipeline) is Failed without pods, with the reason as condition and one Event', () => {
    const invalidSource = { reason: 'InvalidSql' as const, message: 'spec.source.sql: line 1, column 8: Object \'bids\' not found' };
    const d = decideDeployment(base({ invalidSource }));
    expect(d).toMatchObject({ phase: 'Failed', createPods: false, deletePods: [], reason: 'spec.source.sql: line 1, column 8: Object \'bids\' not found' });
    expect(d.conditions).toEqual([{ type: 'Ready', status: 'False', reason: 'InvalidSql', message: 'spec.source.sql: line 1, column 8: Object \'bids\' not found' }, { type: 'PodsHealthy', status: 'True', reason: 'NoProblems', message: 'no pods' }]);
    expect(d.events).toEqual([{ type: 'Warning', reason: 'InvalidSql', note: 'spec.source.sql: line 1, column 8: Object \'bids\' not found' }]);
    const again = decideDeployment(base({ invalidSource, previous: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidSql', message: 'spec.source.sql: line 1, column 8: Object \'bids\' not found', lastTransitionTime: 't' }] } }));
    expect(again.events).toEqual([]);
    const h = specHash(spec());
    const edited = decideDeployment(base({ invalidSource: { reason: 'InvalidPipeline', message: 'spec.source.pipeline: steps[0].size: bad' }, previous: { phase: 'Running' }, observed: { pods: [pod('jm', h)], job: { id: 'j1', state: 'RUNNING' } } }));
    expect(edited).toMatchObject({ phase: 'Failed', deletePods: ['jm'], cancelJob: 'j1' });
  });

  test('a listed Secret that is missing or not allowed fails without pods, is looked at again, and the Deployment starts once it is fixed', () => {
    const invalidSource = { reason: 'SecretNotFound' as const, message: "spec.secrets[0]: Secret 'db' does not exist in namespace ns" };
    const failed = decideDeployment(base({ invalidSource }));
    expect(failed).toMatchObject({ phase: 'Failed', createPods: false, requeueAfterMs: 15_000 });
    const ended: DeploymentStatus = { phase: 'Failed', observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'SecretNotFound', message: invalidSource.message, lastTransitionTime: 't' }] };
    // the same generation, the Secret now there: the failure no longer holds and pods are made
    expect(decideDeployment(base({ previous: ended }))).toMatchObject({ phase: 'Starting', createPods: true });
    // a failure of the spec itself stays until the spec changes
    const sqlEnded: DeploymentStatus = { ...ended, conditions: [{ ...ended.conditions![0]!, reason: 'InvalidSql' }] };
    expect(decideDeployment(base({ previous: sqlEnded }))).toMatchObject({ phase: 'Failed', createPods: false });
  });
});

describe('start-up failures: pod problems, the progress deadline, one Event per cause', () => {
  const T0 = Date.parse('2026-01-01T00:00:00.000Z');
  const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
  const s = spec({ progressDeadlineSeconds: 60 });
  const h = specHash(s);
  const pullFailure: PodProblem = { pod: 'd-jm-1', role: 'jobmanager', reason: 'ImagePullBackOff', message: 'pod d-jm-1: container jobmanager: cannot pull image localhost/nope:1 (ErrImagePull): not found', permanent: false };
  const withProblem = (problem: PodProblem | undefined, name = 'd-jm-1'): ObservedPod => ({ ...pod(name, h, 'Pending'), ...(problem ? { problem } : {}) });
  /** One reconcile pass at `seconds` after T0, continuing from the status the previous pass wrote. */
  const pass = (seconds: number, previous: DeploymentStatus | undefined, pods: ObservedPod[], extra: Partial<DecisionInput> = {}) => {
    const d = decideDeployment(base({ spec: s, now: at(seconds), previous, observed: { pods, jobManagerError: 'GET http://d-jobmanager.n.svc:8081/jobs failed: fetch failed' }, ...extra }));
    const next: DeploymentStatus = { phase: d.phase, reason: d.reason, observedGeneration: 1, startingSince: d.startingSince, lastReportedCause: d.lastReportedCause, conditions: d.conditions.map((c) => ({ ...c, lastTransitionTime: 't' })) };
    return { d, next };
  };
  const ready = (d: { conditions: ConditionInput[] }) => d.conditions.find((c) => c.type === 'Ready');

  test('the default deadline is 300 s and it is validated', () => {
    expect(spec().progressDeadlineSeconds).toBe(300);
    expect(() => spec({ progressDeadlineSeconds: 1 })).toThrow(/5/);
  });

  test('Starting shows the cause instead of "fetch failed", raises one Warning for it, and fails at the deadline, freeing the CU', () => {
    const first = pass(0, undefined, []);
    expect(first.d).toMatchObject({ phase: 'Starting', createPods: true, startingSince: at(0), deadlineAt: T0 + 60_000 });
    // a new Deployment's first start raises no Event: its status says Starting (one request less per creation)
    expect(first.d.events).toEqual([]);

    const seen = pass(5, first.next, [withProblem(pullFailure)]);
    expect(seen.d).toMatchObject({ phase: 'Starting', startingSince: at(0), lastReportedCause: 'ImagePullBackOff', reason: `ImagePullBackOff: ${pullFailure.message}` });
    expect(ready(seen.d)).toEqual({ type: 'Ready', status: 'False', reason: 'ImagePullBackOff', message: `${pullFailure.message}; retrying until ${at(60)} (spec.progressDeadlineSeconds 60)` });
    expect(seen.d.conditions).toContainEqual({ type: 'PodsHealthy', status: 'False', reason: 'ImagePullBackOff', message: pullFailure.message });
    expect(seen.d.events).toEqual([{ type: 'Warning', reason: 'ImagePullBackOff', note: pullFailure.message }]);
    // Looks again at the deadline at the latest.
    expect(seen.d.requeueAfterMs).toBeLessThanOrEqual(55_000);

    const later = pass(30, seen.next, [withProblem({ ...pullFailure, message: 'pod d-jm-1: Back-off pulling image' })]);
    expect(later.d.events).toEqual([]); // the same cause is not reported again
    expect(later.d.phase).toBe('Starting');
    // Causes that alternate (another pod's speaks while this one restarts) are each reported once.
    const crash: PodProblem = { pod: 'd-tm-1-0', role: 'taskmanager', reason: 'CrashLoopBackOff', message: 'pod d-tm-1-0: container taskmanager exited with code 1', permanent: false };
    const other = pass(35, later.next, [withProblem(undefined), withProblem(crash, 'd-tm-1-0')]);
    expect(other.d.events).toEqual([{ type: 'Warning', reason: 'CrashLoopBackOff', note: crash.message }]);
    expect(other.d.lastReportedCause).toBe('ImagePullBackOff,CrashLoopBackOff');
    const back = pass(40, other.next, [withProblem(pullFailure)]);
    expect(back.d.events).toEqual([]);
    expect(back.d.lastReportedCause).toBe('ImagePullBackOff,CrashLoopBackOff');

    const failed = pass(60, later.next, [withProblem(pullFailure), withProblem(undefined, 'd-tm-1-0')]);
    expect(failed.d).toMatchObject({ phase: 'Failed', createPods: false, deletePods: ['d-jm-1', 'd-tm-1-0'] });
    expect(ready(failed.d)).toMatchObject({ reason: 'ImagePullBackOff', message: expect.stringMatching(/^did not reach Running within 60 s \(spec.progressDeadlineSeconds\): pod d-jm-1: container jobmanager: cannot pull image .*; pods deleted, CU freed; change the spec to start again$/) });
    expect(failed.d.reason).toMatch(/^ImagePullBackOff: did not reach Running within 60 s/);
    expect(failed.d.events).toEqual([{ type: 'Warning', reason: 'Failed', note: expect.stringMatching(/^start failed \(ImagePullBackOff\): did not reach Running/) }]);

    // Failed stays Failed with its cause, without pods, until the spec changes.
    const stays = pass(90, failed.next, []);
    expect(stays.d).toMatchObject({ phase: 'Failed', createPods: false, events: [] });
    expect(ready(stays.d)).toEqual(ready(failed.d));
    const retried = pass(100, failed.next, [], { generation: 2 });
    expect(retried.d).toMatchObject({ phase: 'Starting', createPods: true, startingSince: at(100) });
    // A new start reports its causes afresh.
    const again = pass(101, retried.next, [withProblem(pullFailure)], { generation: 2 });
    expect(again.d.events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Warning ImagePullBackOff']);
  });

  test('no cause known at the deadline: ProgressDeadlineExceeded with what it waited for', () => {
    const first = pass(0, undefined, []);
    const failed = pass(61, first.next, [pod('d-jm-1', h, 'Running')]);
    expect(failed.d.phase).toBe('Failed');
    expect(ready(failed.d)).toMatchObject({ reason: 'ProgressDeadlineExceeded', message: expect.stringContaining('waiting for the JobManager: GET http://d-jobmanager.n.svc:8081/jobs failed: fetch failed') });
  });

  test('a job that cannot load fails at once when it failed twice (no waiting for the deadline); once is retried', () => {
    const load = (permanent: boolean): PodProblem => ({ pod: 'd-jm-1', role: 'jobmanager', reason: 'JobLoadFailed', message: 'pod d-jm-1: MR_ERR_JOB_LOAD: cannot import job module x', permanent });
    const first = pass(0, undefined, []);
    const once = pass(3, first.next, [withProblem(load(false))]);
    expect(once.d.phase).toBe('Starting');
    expect(once.d.events.map((e) => e.reason)).toEqual(['JobLoadFailed']);
    const twice = pass(15, once.next, [withProblem(load(true))]);
    expect(twice.d).toMatchObject({ phase: 'Failed', deletePods: ['d-jm-1'] });
    expect(ready(twice.d)).toMatchObject({ reason: 'JobLoadFailed', message: 'the job cannot start: pod d-jm-1: MR_ERR_JOB_LOAD: cannot import job module x; pods deleted, CU freed; change the spec to start again' });
    expect(twice.d.events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Warning Failed']);
  });

  test('a new cause gets its own Event; Running with healthy pods clears the reported cause', () => {
    const first = pass(0, undefined, []);
    const pull = pass(1, first.next, [withProblem(pullFailure)]);
    const unschedulable: PodProblem = { pod: 'd-tm-1-0', role: 'taskmanager', reason: 'Unschedulable', message: 'pod d-tm-1-0 cannot be scheduled: 0/1 nodes are available: 1 Insufficient cpu.', permanent: false };
    const next = pass(2, pull.next, [withProblem(undefined), withProblem(unschedulable, 'd-tm-1-0')]);
    expect(next.d.events).toEqual([{ type: 'Warning', reason: 'Unschedulable', note: unschedulable.message }]);
    const running = decideDeployment(base({ spec: s, now: at(3), previous: next.next, observed: { pods: [pod('d-jm-1', h), pod('d-tm-1-0', h)], job: { id: 'j1', state: 'RUNNING' } } }));
    expect(running).toMatchObject({ phase: 'Running', lastReportedCause: undefined, startingSince: undefined });
    expect(running.conditions).toContainEqual({ type: 'PodsHealthy', status: 'True', reason: 'NoProblems', message: 'none of the 2 pod(s) reports a problem' });
  });

  test('Running with a pod problem (an OOM-killed TaskManager) stays Running, says so in PodsHealthy and warns once', () => {
    const oom: PodProblem = { pod: 'd-tm-1-0', role: 'taskmanager', reason: 'OOMKilled', message: 'pod d-tm-1-0: container taskmanager was killed for exceeding its memory limit', permanent: false };
    const pods = [pod('d-jm-1', h), { ...pod('d-tm-1-0', h), problem: oom }];
    const d = decideDeployment(base({ spec: s, now: at(500), previous: { phase: 'Running', observedGeneration: 1 }, observed: { pods, job: { id: 'j1', state: 'RUNNING' } } }));
    expect(d).toMatchObject({ phase: 'Running', lastReportedCause: 'OOMKilled' });
    expect(d.events).toEqual([{ type: 'Warning', reason: 'OOMKilled', note: oom.message }]);
    expect(d.conditions).toContainEqual({ type: 'PodsHealthy', status: 'False', reason: 'OOMKilled', message: oom.message });
    const again = decideDeployment(base({ spec: s, now: at(510), previous: { phase: 'Running', observedGeneration: 1, lastReportedCause: 'OOMKilled' }, observed: { pods, job: { id: 'j1', state: 'RUNNING' } } }));
    expect(again.events).toEqual([]);
  });

  describe('an evicted pod, replaced at once, keeps speaking (its pod is deleted in the pass that sees it)', () => {
    const evicted: PodProblem = { pod: 'd-jm-1', role: 'jobmanager', reason: 'Evicted', message: 'pod d-jm-1 was evicted: Usage of EmptyDir volume "scratch" exceeds the limit "5G".', permanent: false };
    /** A pass whose status is written as the reconciler writes it: lastTransitionTime moves only when a condition's status flips. */
    const step = (seconds: number, previous: DeploymentStatus | undefined, pods: ObservedPod[], extra: Partial<DecisionInput> = {}) => {
      const d = decideDeployment(base({ spec: s, now: at(seconds), previous, observed: { pods, jobManagerError: 'JobManager reports no job yet' }, ...extra }));
      const next: DeploymentStatus = { phase: d.phase, reason: d.reason, observedGeneration: extra.generation ?? 1, startingSince: d.startingSince, lastReportedCause: d.lastReportedCause, conditions: setConditions(previous?.conditions, d.conditions, 1, new Date(at(seconds))) };
      return { d, next };
    };
    const podsHealthy = (d: { conditions: ConditionInput[] }) => d.conditions.find((c) => c.type === 'PodsHealthy');

    test('in a start: Degraded with the kubelet\'s words until the deadline, which fails with them; one Evicted Event; a new start starts clean', () => {
      const first = step(0, undefined, []);
      const seen = step(20, first.next, [{ ...pod('d-jm-1', h, 'Failed'), problem: evicted }]);
      expect(seen.d).toMatchObject({ phase: 'Starting', deletePods: ['d-jm-1'], events: [{ type: 'Warning', reason: 'Evicted', note: evicted.message }] });
      const replaced = step(21, seen.next, [pod('d-jm-1', h, 'Pending')]);
      expect(replaced.d.events).toEqual([]);
      expect(podsHealthy(replaced.d)).toEqual({ type: 'PodsHealthy', status: 'False', reason: 'Evicted', message: evicted.message });
      expect(ready(replaced.d)).toMatchObject({ reason: 'Evicted', message: `${evicted.message}; retrying until ${at(60)} (spec.progressDeadlineSeconds 60)` });
      const running = step(40, replaced.next, [pod('d-jm-1', h, 'Running')]);
      expect(ready(running.d)?.reason).toBe('Evicted');

      const failed = step(60, running.next, [pod('d-jm-1', h, 'Running')]);
      expect(failed.d).toMatchObject({ phase: 'Failed', deletePods: ['d-jm-1'] });
      expect(ready(failed.d)).toMatchObject({ reason: 'Evicted', message: `did not reach Running within 60 s (spec.progressDeadlineSeconds): ${evicted.message}; pods deleted, CU freed; change the spec to start again` });
      expect(failed.d.events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Warning Failed']);

      const retried = step(100, failed.next, [], { generation: 2 });
      expect(podsHealthy(retried.d)).toMatchObject({ status: 'True' });
      expect(retried.d.events.map((e) => e.reason)).toEqual(['Starting']);
    });

    test('a running job\'s evicted TaskManager: Running and Degraded (PodsHealthy) for RECENT_OOM_MS, then healthy', () => {
      const tm: PodProblem = { ...evicted, pod: 'd-tm-1-0', role: 'taskmanager', message: 'pod d-tm-1-0 was evicted: The node was low on resource: memory.' };
      const job = { job: { id: 'j1', state: 'RUNNING' } } as const;
      const runningBefore: DeploymentStatus = { phase: 'Running', observedGeneration: 1, conditions: setConditions(undefined, [{ type: 'PodsHealthy', status: 'True', reason: 'NoProblems', message: 'x' }], 1, new Date(at(0))) };
      const stepRunning = (seconds: number, previous: DeploymentStatus, pods: ObservedPod[]) => {
        const d = decideDeployment(base({ spec: s, now: at(seconds), previous, observed: { pods, ...job } }));
        return { d, next: { ...previous, phase: d.phase, lastReportedCause: d.lastReportedCause, conditions: setConditions(previous.conditions, d.conditions, 1, new Date(at(seconds))) } };
      };
      const seen = stepRunning(500, runningBefore, [pod('d-jm-1', h), { ...pod('d-tm-1-0', h, 'Failed'), problem: tm }]);
      expect(seen.d).toMatchObject({ phase: 'Running', deletePods: ['d-tm-1-0'], events: [{ type: 'Warning', reason: 'Evicted', note: tm.message }] });
      const replaced = stepRunning(502, seen.next, [pod('d-jm-1', h), pod('d-tm-1-0', h)]);
      expect(replaced.d).toMatchObject({ phase: 'Running', events: [] });
      expect(podsHealthy(replaced.d)).toMatchObject({ status: 'False', reason: 'Evicted', message: tm.message });
      const later = stepRunning(500 + RECENT_OOM_MS / 1000 + 1, replaced.next, [pod('d-jm-1', h), pod('d-tm-1-0', h)]);
      expect(podsHealthy(later.d)).toMatchObject({ status: 'True', reason: 'NoProblems' });
    });
  });

  test('every outcome refreshes PodsHealthy (Queued after a failure does not keep the old cause); a Failed one keeps its cause', () => {
    const queued = decideDeployment(base({ spec: s, generation: 2, previous: { phase: 'Failed', observedGeneration: 1 }, admission: { admitted: false, reason: 'r', position: 1 } }));
    expect(queued.conditions).toContainEqual({ type: 'PodsHealthy', status: 'True', reason: 'NoProblems', message: 'no pods' });
    const stays = decideDeployment(base({ spec: s, previous: { phase: 'Failed', observedGeneration: 1 } }));
    expect(stays.conditions.map((c) => c.type)).toEqual(['Ready']);
  });

  test('a job that ran and is Starting again (restart strategy, JobManager restart) has no deadline; a permanent cause still fails it', () => {
    const crash: PodProblem = { pod: 'd-jm-1', role: 'jobmanager', reason: 'CrashLoopBackOff', message: 'pod d-jm-1: container jobmanager exited with code 1', permanent: false };
    const again = pass(1000, { phase: 'Running', observedGeneration: 1 }, [withProblem(crash)]);
    expect(again.d).toMatchObject({ phase: 'Starting', startingSince: undefined, deadlineAt: undefined });
    expect(ready(again.d)).toMatchObject({ reason: 'CrashLoopBackOff', message: expect.stringContaining('restarting (the job ran before: no progress deadline)') });
    const muchLater = pass(5000, again.next, [withProblem(crash)]);
    expect(muchLater.d).toMatchObject({ phase: 'Starting', startingSince: undefined, events: [] });
    const permanent = pass(5001, muchLater.next, [withProblem({ ...crash, reason: 'JobLoadFailed', permanent: true })]);
    expect(permanent.d.phase).toBe('Failed');
  });

  test('Starting is announced once per start after the first (admitted from Queued here), however many passes see it; a new Deployment\'s first start is not', () => {
    const first = pass(0, { phase: 'Queued', observedGeneration: 1 }, []);
    const second = pass(1, first.next, [pod('d-jm-1', h, 'Pending')]);
    expect(first.d.events.map((e) => `${e.type} ${e.reason} ${e.note}`)).toEqual(['Normal Starting Pods created; waiting for the JobManager to report the job running.']);
    expect(second.d.events).toEqual([]);
    expect(second.d.startingSince).toBe(at(0));
    const created = pass(0, undefined, []);
    expect(created.d).toMatchObject({ phase: 'Starting', createPods: true, events: [] });
    expect(pass(1, created.next, [pod('d-jm-1', h, 'Pending')]).d.events).toEqual([]);
  });
});
