import { deploymentSpecSchema } from '../../api/v1alpha1/deployment.ts';
import type { DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { decideDeployment } from './decide.ts';
import type { DecisionInput, ObservedPod, Observation } from './decide.ts';
import { specHash } from './desired.ts';
import { awaitCancellation, CANCEL_CONFIRM_TIMEOUT_MS, podRevision, runOf } from './job-stop.ts';
import type { CancelRequest } from './job-stop.ts';

const spec = (over: Record<string, unknown> = {}) => deploymentSpecSchema.parse({ source: { sql: 'SELECT 1' }, ...over });
const pod = (name: string, hash: string): ObservedPod => ({ name, hash, phase: 'Running', cu: 1, terminating: false });

/** A manual clock: each pass decides at the time given, and carries the status it wrote. */
class Passes {
  now = Date.parse('2026-01-01T00:00:00.000Z');
  cancelRequested: CancelRequest | undefined;
  cancels: string[] = [];
  pass(input: Omit<DecisionInput, 'now'>) {
    const { decision, cancelRequested } = awaitCancellation(decideDeployment({ ...input, now: new Date(this.now).toISOString() }), input.observed, this.cancelRequested, this.now);
    this.cancelRequested = cancelRequested;
    if (decision.cancelJob) this.cancels.push(decision.cancelJob);
    return decision;
  }
}

describe('stopping a job: the pods stay until the JobManager reports it ended', () => {
  const suspended = spec({ state: 'suspended' });
  const h = specHash(suspended);
  const pods = [pod('d-jm', h), pod('d-tm', h)];
  const input = (observed: Observation, previous: DeploymentStatus = { phase: 'Running' }): Omit<DecisionInput, 'now'> =>
    ({ spec: suspended, generation: 2, previous, desiredHash: h, admission: { admitted: true }, observed });

  test('suspend sends one cancel, keeps the pods while the job is CANCELLING, deletes them once it is CANCELED', () => {
    const c = new Passes();
    const first = c.pass(input({ pods, job: { id: 'j1', state: 'RUNNING' } }));
    expect(first).toMatchObject({ phase: 'Suspended', cancelJob: 'j1', deletePods: [], requeueAfterMs: 1000 });
    expect(first.conditions.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'CancellingJob' });
    expect(first.events.map((e) => e.reason)).toEqual(['Suspended', 'CancellingJob']);
    expect(c.cancelRequested).toEqual({ jobId: 'j1', requestedAt: '2026-01-01T00:00:00.000Z' });

    c.now += 1000;
    const cancelling = c.pass(input({ pods, job: { id: 'j1', state: 'CANCELLING' } }, { phase: 'Suspended' }));
    expect(cancelling).toMatchObject({ deletePods: [] });
    expect(cancelling.events.map((e) => e.reason)).toEqual([]);
    expect(c.cancels).toEqual(['j1']); // not again: a second cancel would end it without its tasks

    c.now += 1000;
    const ended = c.pass(input({ pods, job: { id: 'j1', state: 'CANCELED' } }, { phase: 'Suspended' }));
    expect(ended).toMatchObject({ phase: 'Suspended', deletePods: ['d-jm', 'd-tm'] });
    expect(ended.conditions.find((x) => x.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Suspended' });
    expect(c.cancelRequested).toBeUndefined();
  });

  test('a lost cancel request is sent again while the job still runs', () => {
    const c = new Passes();
    c.pass(input({ pods, job: { id: 'j1', state: 'RUNNING' } }));
    c.now += 1000;
    c.pass(input({ pods, job: { id: 'j1', state: 'RUNNING' } }, { phase: 'Suspended' }));
    expect(c.cancels).toEqual(['j1', 'j1']);
  });

  test('a job that never reports its cancellation: the pods go at the timeout, with a Warning', () => {
    const c = new Passes();
    c.pass(input({ pods, job: { id: 'j1', state: 'RUNNING' } }));
    c.now += CANCEL_CONFIRM_TIMEOUT_MS - 1;
    expect(c.pass(input({ pods, job: { id: 'j1', state: 'CANCELLING' } }, { phase: 'Suspended' })).deletePods).toEqual([]);
    c.now += 1;
    const late = c.pass(input({ pods, job: { id: 'j1', state: 'CANCELLING' } }, { phase: 'Suspended' }));
    expect(late.deletePods).toEqual(['d-jm', 'd-tm']);
    expect(late.cancelJob).toBeUndefined();
    expect(late.events.map((e) => e.reason)).toEqual(['CancelNotConfirmed']);
  });

  test('a JobManager that cannot answer cannot confirm: its pods go at once', () => {
    const c = new Passes();
    const d = c.pass(input({ pods, jobManagerError: 'connect ECONNREFUSED' }));
    expect(d.deletePods).toEqual(['d-jm', 'd-tm']);
    expect(c.cancelRequested).toBeUndefined();
  });

  test('a start that fails at its deadline deletes its pods at once (Failed is not decided again)', () => {
    const s = spec({ progressDeadlineSeconds: 5 });
    const c = new Passes();
    const d = c.pass({ spec: s, generation: 1, previous: { phase: 'Starting', startingSince: '2025-12-31T23:59:00.000Z' }, desiredHash: specHash(s), admission: { admitted: true }, observed: { pods: [pod('d-jm', specHash(s))], jobManagerHash: specHash(s), job: { id: 'j1', state: 'CREATED' } } });
    expect(d).toMatchObject({ phase: 'Failed', cancelJob: 'j1', deletePods: ['d-jm'] });
    expect(c.cancelRequested).toBeUndefined();
  });

  test('a stateless upgrade waits the same way before replacing the pods', () => {
    const old = spec({ parallelism: 1 });
    const next = spec({ parallelism: 2 });
    const previous: DeploymentStatus = { phase: 'Running', lastReconciledSpec: JSON.stringify(old), specHash: specHash(old) };
    const c = new Passes();
    const base = { spec: next, generation: 2, previous, desiredHash: specHash(next), admission: { admitted: true as const } };
    const waiting = c.pass({ ...base, observed: { pods: [pod('d-jm-old', specHash(old))], job: { id: 'j1', state: 'RUNNING' } } });
    expect(waiting).toMatchObject({ phase: 'Upgrading', cancelJob: 'j1', deletePods: [], createPods: false });
    c.now += 500;
    const done = c.pass({ ...base, previous: { ...previous, phase: 'Upgrading' }, observed: { pods: [pod('d-jm-old', specHash(old))], job: { id: 'j1', state: 'CANCELED' } } });
    expect(done).toMatchObject({ phase: 'Upgrading', deletePods: ['d-jm-old'], createPods: false });
  });
});

describe('runs fence the HA record of a job the operator ended', () => {
  test('a fresh start is a new run; pods made again while the job runs stay in it', () => {
    expect(runOf(undefined, true)).toBe(1);
    expect(runOf({ phase: 'Starting', run: 1 }, true)).toBe(1);
    expect(runOf({ phase: 'Running', run: 1 }, true)).toBe(1);
    expect(runOf({ phase: 'Upgrading', run: 1 }, true)).toBe(1); // the spec hash changed: fenced by it
    for (const phase of ['Suspended', 'Cancelled', 'Failed', 'Queued', 'Finished'] as const) expect(runOf({ phase, run: 3 }, true)).toBe(4);
    expect(runOf({ phase: 'Suspended', run: 3 }, false)).toBe(3);
    // A pass whose status write was lost decides again from the same status: the same run.
    expect(runOf({ phase: 'Suspended', run: 3 }, true)).toBe(runOf({ phase: 'Suspended', run: 3 }, true));
  });

  test('the revision differs after suspend and resume of an unchanged spec, and for a Deployment created again', () => {
    const h = specHash(spec());
    const before = podRevision(h, 'uid-1', runOf({ phase: 'Starting' }, true) ?? 1);
    const afterResume = podRevision(h, 'uid-1', runOf({ phase: 'Suspended', run: 1 }, true));
    const recreated = podRevision(h, 'uid-2', runOf(undefined, true));
    expect(new Set([before, afterResume, recreated]).size).toBe(3);
    // Pods of an operator that did not count runs keep the spec hash: their jobs still resume.
    expect(podRevision(h, 'uid-1', undefined)).toBe(h);
  });
});
