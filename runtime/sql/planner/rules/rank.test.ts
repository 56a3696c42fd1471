import { find, kinds, plan } from '../test-support.ts';

describe('Top-N and deduplication', () => {
  it('turns ROW_NUMBER <= N into a Rank', () => {
    const p = plan('SELECT * FROM (SELECT user_id, amount, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY amount DESC) AS rn FROM clicks) WHERE rn <= 3');
    const rank = find(p.optimized, 'Rank')!;
    expect([rank.rankType, rank.rankStart, rank.rankEnd, rank.outputRankNumber]).toEqual(['ROW_NUMBER', 1, 3, true]);
    expect(kinds(p.optimized)).not.toContain('Over');
  });

  it('turns ROW_NUMBER = 1 ordered by a time attribute into a Deduplicate (first row ASC, last row DESC)', () => {
    const first = plan('SELECT user_id, url FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY proc ASC) AS rn FROM clicks) WHERE rn = 1');
    expect(find(first.optimized, 'Deduplicate')).toMatchObject({ keepLastRow: false, timeKind: 'PROCTIME' });
    const last = plan('SELECT user_id, url FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM clicks) WHERE rn <= 1');
    expect(find(last.optimized, 'Deduplicate')).toMatchObject({ keepLastRow: true, timeKind: 'ROWTIME' });
  });

  it('refuses ROW_NUMBER without a filter on it, as Flink does in streaming', () => {
    expect(() => plan('SELECT user_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY amount) FROM clicks')).toThrow(/supported in streaming only as Top-N or deduplication/);
  });
});
