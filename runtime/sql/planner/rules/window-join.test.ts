import { find, plan } from '../test-support.ts';

const windowed = (table: string, key: string, size = '1'): string =>
  `SELECT ${key} AS k, window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ${table}, DESCRIPTOR(ts), INTERVAL '${size}' MINUTE)) GROUP BY ${key}, window_start, window_end`;

describe('window join', () => {
  it('joins two window aggregates of the same window on window_start and window_end per window', () => {
    const p = plan(`SELECT a.k, b.n FROM (${windowed('clicks', 'user_id')}) a JOIN (${windowed('users', 'id')}) b
      ON a.k = b.k AND a.window_start = b.window_start AND a.window_end = b.window_end`);
    expect(find(p.optimized, 'Join')!.variant).toEqual({ kind: 'window' });
    expect([...p.changelog.values()].every((c) => c.kinds.join() === 'I')).toBe(true);
  });

  it('stays a regular join when the windows differ or window_end is not compared', () => {
    const differ = plan(`SELECT a.k FROM (${windowed('clicks', 'user_id')}) a JOIN (${windowed('users', 'id', '2')}) b
      ON a.window_start = b.window_start AND a.window_end = b.window_end`);
    expect(find(differ.optimized, 'Join')!.variant.kind).toBe('regular');
    const startOnly = plan(`SELECT a.k FROM (${windowed('clicks', 'user_id')}) a JOIN (${windowed('users', 'id')}) b ON a.window_start = b.window_start`);
    expect(find(startOnly.optimized, 'Join')!.variant.kind).toBe('regular');
  });
});

describe('window Top-N', () => {
  it('ranks per window when the partition holds window_start and window_end, insert-only', () => {
    const p = plan(`SELECT * FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY n DESC) AS rn FROM (${windowed('clicks', 'user_id')})
    ) WHERE rn <= 3`);
    const rank = find(p.optimized, 'Rank')!;
    expect(rank.window).toMatchObject({ kind: 'TUMBLE', size: 60000 });
    expect(p.changelog.get(p.optimized)!.kinds).toEqual(['I']);
  });

  it('is an ordinary Top-N when the partition lacks the window', () => {
    const p = plan(`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY n DESC) AS rn FROM (${windowed('clicks', 'user_id')})) WHERE rn <= 3`);
    expect(find(p.optimized, 'Rank')!.window).toBeUndefined();
  });
});
