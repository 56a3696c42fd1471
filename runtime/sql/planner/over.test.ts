import { explain, find, plan } from './test-support.ts';

describe('OVER aggregates', () => {
  it('plan ROWS and RANGE frames ordered by a time attribute, insert-only', () => {
    const p = plan(`SELECT user_id,
      SUM(amount) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS last11,
      COUNT(*) OVER w AS per_hour
      FROM clicks WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)`);
    const over = find(p.optimized, 'Over')!;
    expect(over.groups.map((g) => g.frame)).toEqual([
      { unit: 'ROWS', preceding: 10, following: 0 },
      { unit: 'RANGE', preceding: 3600000, following: 0 },
    ]);
    expect(explain(over).split('\n')[0]).toContain('window=[ROWS BETWEEN 10 PRECEDING AND CURRENT ROW]');
    expect(explain(over).split('\n')[0]).toContain('window=[RANGE BETWEEN 1 h PRECEDING AND CURRENT ROW]');
    expect(p.changelog.get(p.optimized)!.kinds).toEqual(['I']);
    expect(p.optimized.fields.map((f) => f.name)).toEqual(['user_id', 'last11', 'per_hour']);
  });

  it('refuse an ordering that is not a time attribute, with Flink\'s message', () => {
    expect(() => plan('SELECT SUM(amount) OVER (PARTITION BY user_id ORDER BY amount) FROM clicks')).toThrow("OVER windows' ordering in stream mode must be defined on a time attribute.");
  });
});
