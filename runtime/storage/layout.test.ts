import {
  checkpointDir, deploymentCheckpointsDir, fileInDir, jobCheckpointsDir, parseCheckpointDirName, parseSavepointDirName, savepointDir, stateFileName,
} from './layout.ts';

const job = { namespace: 'team-a', deployment: 'orders-agg', jobId: '5f1c2d9e-aa01' };

describe('bucket layout', () => {
  test('checkpoints live under flink-jobs/<namespace>/<deployment>/<jobId>/chk-<n>/', () => {
    expect(deploymentCheckpointsDir(job)).toBe('flink-jobs/team-a/orders-agg/');
    expect(jobCheckpointsDir(job)).toBe('flink-jobs/team-a/orders-agg/5f1c2d9e-aa01/');
    expect(checkpointDir(job, 17)).toBe('flink-jobs/team-a/orders-agg/5f1c2d9e-aa01/chk-17/');
  });

  test('savepoints live under flink-savepoints/<namespace>/<deployment>/savepoint-<id>/', () => {
    expect(savepointDir(job, 'sp-20260101-1')).toBe('flink-savepoints/team-a/orders-agg/savepoint-sp-20260101-1/');
  });

  test('directory names parse back, other names do not', () => {
    expect(parseCheckpointDirName('chk-17')).toBe(17);
    expect(parseCheckpointDirName('chk-17/')).toBe(17);
    for (const name of ['chk-0', 'chk-017', 'chk-', 'chk-1a', 'shared', 'taskowned', '_metadata']) expect(parseCheckpointDirName(name)).toBeUndefined();
    expect(parseSavepointDirName('savepoint-abc_1/')).toBe('abc_1');
    expect(parseSavepointDirName('savepoint-')).toBeUndefined();
  });

  test.each([
    [{ ...job, namespace: 'Team A' }, 'namespace'],
    [{ ...job, deployment: '../etc' }, 'deployment'],
    [{ ...job, jobId: 'a/b' }, 'jobId'],
    [{ ...job, jobId: '' }, 'jobId'],
  ])('a segment that would break the layout is refused (%j)', (scope, field) => {
    expect(() => jobCheckpointsDir(scope)).toThrow(expect.objectContaining({ code: 'MR_ERR_STORAGE_LAYOUT', message: expect.stringContaining(field) }));
  });

  test('checkpoint ids are positive integers', () => {
    for (const id of [0, -1, 1.5, Number.NaN]) expect(() => checkpointDir(job, id)).toThrow(expect.objectContaining({ code: 'MR_ERR_STORAGE_LAYOUT' }));
  });

  test('state file names are plain, distinct per operator uid, subtask and key groups', () => {
    const a = stateFileName({ operatorUid: 'window/agg 1', subtaskIndex: 0, keyGroupRange: { start: 0, end: 63 } });
    expect(a).toMatch(/^op-window_agg_1-[0-9a-f]{8}-st-0-kg-0-63\.state$/);
    // uids that reduce to the same safe text still get different names
    expect(stateFileName({ operatorUid: 'window_agg_1', subtaskIndex: 0, keyGroupRange: { start: 0, end: 63 } })).not.toBe(a);
    expect(stateFileName({ operatorUid: 'src', subtaskIndex: 3 })).toMatch(/^op-src-[0-9a-f]{8}-st-3\.state$/);
    expect(() => stateFileName({ operatorUid: '', subtaskIndex: 0 })).toThrow(expect.objectContaining({ code: 'MR_ERR_STORAGE_LAYOUT' }));
  });

  test('files are joined to a directory only as plain names', () => {
    expect(fileInDir('a/chk-1/', '_metadata')).toBe('a/chk-1/_metadata');
    for (const bad of ['../x', 'a/b', '..', '']) expect(() => fileInDir('a/', bad)).toThrow(expect.objectContaining({ code: 'MR_ERR_STORAGE_LAYOUT' }));
  });
});
