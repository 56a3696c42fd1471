import { deploymentSpecSchema } from '../../api/v1alpha1/deployment.ts';
import type { DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { decideDeployment } from './decide.ts';
import type { DecisionInput, ObservedPod } from './decide.ts';
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
    const invalidSource = { reason: 'SqlNotSupported' as const, message: 'spec.source.sql: no SQL engine' };
    const d = decideDeployment(base({ invalidSource }));
    expect(d).toMatchObject({ phase: 'Failed', createPods: false, deletePods: [], reason: 'spec.source.sql: no SQL engine' });
    expect(d.conditions).toEqual([{ type: 'Ready', status: 'False', reason: 'SqlNotSupported', message: 'spec.source.sql: no SQL engine' }]);
    expect(d.events).toEqual([{ type: 'Warning', reason: 'SqlNotSupported', note: 'spec.source.sql: no SQL engine' }]);
    const again = decideDeployment(base({ invalidSource, previous: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', reason: 'SqlNotSupported', message: 'spec.source.sql: no SQL engine', lastTransitionTime: 't' }] } }));
    expect(again.events).toEqual([]);
    const h = specHash(spec());
    const edited = decideDeployment(base({ invalidSource: { reason: 'InvalidPipeline', message: 'spec.source.pipeline: steps[0].size: bad' }, previous: { phase: 'Running' }, observed: { pods: [pod('jm', h)], job: { id: 'j1', state: 'RUNNING' } } }));
    expect(edited).toMatchObject({ phase: 'Failed', deletePods: ['jm'], cancelJob: 'j1' });
  });
});
