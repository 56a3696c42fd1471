import { SweepTimes } from './savepoint-sweep.ts';

describe('when a namespace\'s savepoint directories are swept', () => {
  test('first seen: one interval later, not at once; then every interval; namespaces apart; a deleted one forgotten', () => {
    const t = new SweepTimes();
    expect(t.due('a', 0, 600_000)).toBe(false);
    expect(t.due('a', 599_999, 600_000)).toBe(false);
    expect(t.due('a', 600_000, 600_000)).toBe(true);
    t.record('a', 600_000);
    expect(t.dueInMs('a', 700_000, 600_000)).toBe(500_000);
    expect(t.dueInMs('a', 1_300_000, 600_000)).toBe(1);
    expect(t.due('a', 1_000_000, 600_000)).toBe(false);
    expect(t.due('b', 1_000_000, 600_000)).toBe(false);
    t.forget('a');
    expect(t.due('a', 1_000_000, 600_000)).toBe(false);
  });
});
