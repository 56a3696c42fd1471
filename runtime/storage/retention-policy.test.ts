import { CheckpointRetentionPolicy } from './retention-policy.ts';

const dirs = (spec: string) => spec.split(' ').map((s) => ({ checkpointId: Number(s.replace('?', '')), complete: !s.endsWith('?') }));

describe('checkpoint retention', () => {
  test('keeps the newest N completed checkpoints and deletes older ones', () => {
    expect(new CheckpointRetentionPolicy(2).plan(dirs('1 2 3 4'))).toEqual({ retained: [3, 4], discard: [1, 2] });
    expect(new CheckpointRetentionPolicy(3).plan(dirs('4 1 3 2'))).toEqual({ retained: [2, 3, 4], discard: [1] });
  });

  test('deletes incomplete directories older than the newest completed checkpoint (failed attempts)', () => {
    expect(new CheckpointRetentionPolicy(1).plan(dirs('1 2? 3 4?'))).toEqual({ retained: [3], discard: [1, 2] });
  });

  test('without coordinator knowledge, an incomplete directory newer than every completed one may be in progress and stays', () => {
    expect(new CheckpointRetentionPolicy(1).plan(dirs('3 4? 5?'))).toEqual({ retained: [3], discard: [] });
  });

  test('with the in-progress set known, every other incomplete directory is a leftover', () => {
    expect(new CheckpointRetentionPolicy(1).plan(dirs('3 4? 5?'), { inProgress: new Set([5]) })).toEqual({ retained: [3], discard: [4] });
    expect(new CheckpointRetentionPolicy(2).plan(dirs('1? 2?'), { inProgress: new Set() })).toEqual({ retained: [], discard: [1, 2] });
  });

  test('fewer completed checkpoints than N: all kept', () => {
    expect(new CheckpointRetentionPolicy(5).plan(dirs('1 2'))).toEqual({ retained: [1, 2], discard: [] });
    expect(new CheckpointRetentionPolicy(1).plan([])).toEqual({ retained: [], discard: [] });
  });

  test('N must be at least 1: recovery needs the latest completed checkpoint', () => {
    for (const n of [0, -1, 1.5]) expect(() => new CheckpointRetentionPolicy(n)).toThrow('MR_ERR_CHECKPOINT_RETENTION');
  });
});
