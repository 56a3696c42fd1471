import { lostSavepoint, nextSavepointStep, phaseAfterPoll } from './decide.ts';

describe('savepoint state machine', () => {
  test('waits for a running job, then triggers, then polls', () => {
    expect(nextSavepointStep({ status: undefined, deployment: { exists: false } })).toMatchObject({ action: 'wait' });
    expect(nextSavepointStep({ status: undefined, deployment: { exists: true, phase: 'Queued' } })).toMatchObject({ action: 'wait', reason: expect.stringMatching(/Queued/) });
    expect(nextSavepointStep({ status: undefined, deployment: { exists: true, phase: 'Running', jobId: 'j', jobState: 'RUNNING' } })).toEqual({ action: 'trigger', jobId: 'j' });
    expect(nextSavepointStep({ status: { phase: 'InProgress', jobId: 'j', triggerId: 't' }, deployment: { exists: true } })).toEqual({ action: 'poll', jobId: 'j', triggerId: 't' });
    expect(nextSavepointStep({ status: { phase: 'Completed' }, deployment: { exists: true } })).toEqual({ action: 'done' });
    // Recorded by the Deployment controller, never triggered here.
    expect(nextSavepointStep({ status: undefined, origin: 'upgrade', deployment: { exists: true, phase: 'Running', jobId: 'j', jobState: 'RUNNING' } })).toEqual({ action: 'done' });
    expect(nextSavepointStep({ status: { phase: 'Completed' }, origin: 'suspend', deployment: { exists: true } })).toEqual({ action: 'done' });
  });
  test('poll results map to phases', () => {
    expect(phaseAfterPoll({ state: 'IN_PROGRESS' })).toBe('InProgress');
    expect(phaseAfterPoll({ state: 'COMPLETED', location: 's3://b/flink-savepoints/x' })).toBe('Completed');
    expect(phaseAfterPoll({ state: 'FAILED', reason: 'x' })).toBe('Failed');
  });
  test('a savepoint whose JobManager forgot it or went away is lost; a passing error is asked again', () => {
    expect(lostSavepoint({ message: 'GET /jobs/j/savepoints/t: HTTP 404 {"code":"MR_ERR_SAVEPOINT_REQUEST_NOT_FOUND"}', transient: true }, true)).toMatch(/no longer knows the savepoint request/);
    expect(lostSavepoint({ message: 'fetch failed', transient: true }, false)).toMatch(/no JobManager of the deployment runs/);
    expect(lostSavepoint({ message: 'HTTP 400 bad request', transient: false }, true)).toBe('HTTP 400 bad request');
    expect(lostSavepoint({ message: 'fetch failed', transient: true }, true)).toBeUndefined();
  });
});
