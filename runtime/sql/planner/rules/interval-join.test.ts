import { find, plan } from '../test-support.ts';

describe('interval join', () => {
  it('recognizes time bounds between two rowtime attributes', () => {
    const p = plan("SELECT c.user_id FROM clicks c, users u WHERE c.user_id = u.id AND c.ts BETWEEN u.ts - INTERVAL '1' HOUR AND u.ts + INTERVAL '10' SECOND");
    const join = find(p.optimized, 'Join')!;
    expect(join.variant).toEqual({ kind: 'interval', leftTime: 4, rightTime: 2, lowerBound: -3600000, upperBound: 10000 });
  });

  it('keeps a join whose bound is not a time attribute regular (Nexmark q4)', () => {
    const s = plan('SELECT c.user_id FROM clicks c JOIN users u ON c.user_id = u.id AND c.ts > u.ts AND c.amount > 1');
    expect(find(s.optimized, 'Join')!.variant.kind).toBe('regular');
  });
});
