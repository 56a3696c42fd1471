import { CheckpointStats } from './checkpoint-stats.ts';

describe('checkpoint statistics', () => {
  test('counts, min/max/avg over completed checkpoints, latest completed and failed, in the REST shape', () => {
    const s = new CheckpointStats();
    const a = s.started(1, false, 1000, 2);
    s.acknowledged(a, 1100, 300, 5, 0.42, 80);
    s.acknowledged(a, 1200, 700, 20, 0.17, 120);
    s.completedAt(a, 1250, 's3://b/flink-jobs/ns/d/j/chk-1/');
    const b = s.started(2, false, 2000, 2);
    s.failedAt(b, 2600, 'MR_ERR_CHECKPOINT_EXPIRED: checkpoint 2 expired');
    const c = s.started(3, false, 3000, 2);
    s.acknowledged(c, 3010, 100, 1, 2.24, 30);
    s.started(4, false, 4000, 2);
    s.completedAt(c, 3050, '/dir/chk-3/');
    s.restoredFrom({ id: 1, external_path: 'x', is_savepoint: false, restore_timestamp: 5 });
    const rest = s.toRest() as {
      counts: Record<string, number>; summary: Record<string, { min: number; max: number; avg: number }>;
      latest: { completed: { id: number; state_size: number; end_to_end_duration: number; alignment_duration: number }; failed: { id: number; failure_message: string }; restored: { id: number } };
      history: Array<{ id: number; status: string; sync_duration: number; async_duration: number }>;
    };
    expect(rest.counts).toEqual({ restored: 1, total: 4, in_progress: 1, completed: 2, failed: 1 });
    expect(rest.summary.end_to_end_duration).toEqual({ min: 50, max: 250, avg: 150 });
    expect(rest.summary.state_size).toEqual({ min: 100, max: 1000, avg: 550 });
    expect(rest.summary.alignment_duration).toEqual({ min: 1, max: 20, avg: 11 });
    // the pause per checkpoint is its slowest subtask's; sub-millisecond pauses stay visible
    expect(rest.summary.sync_duration).toEqual({ min: 0.4, max: 2.2, avg: 1.3 });
    expect(rest.history.find((h) => h.id === 1)).toMatchObject({ sync_duration: 0.4, async_duration: 120 });
    expect(rest.latest.completed).toMatchObject({ id: 3, state_size: 100, end_to_end_duration: 50 });
    expect(rest.latest.failed).toMatchObject({ id: 2, failure_message: expect.stringContaining('EXPIRED') });
    expect(rest.latest.restored.id).toBe(1);
    expect(rest.history.map((h) => [h.id, h.status])).toEqual([[4, 'IN_PROGRESS'], [3, 'COMPLETED'], [2, 'FAILED'], [1, 'COMPLETED']]);
  });

  test('history keeps the last 10', () => {
    const s = new CheckpointStats();
    for (let i = 1; i <= 12; i++) s.completedAt(s.started(i, false, i, 1), i + 1, `p${i}`);
    expect((s.toRest() as { history: Array<{ id: number }> }).history.map((h) => h.id)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
  });
});
