import { explain, find, planWith } from '../test-support.ts';
import { filterPushDown } from './filter-push-down.ts';
import { rexToString } from '../rex.ts';

describe('filter push-down', () => {
  it('turns FROM a, b WHERE a.x = b.y into a join condition and pushes one-sided conditions below the join', () => {
    const p = planWith('SELECT * FROM clicks c, users u WHERE c.user_id = u.id AND u.name = \'x\' AND c.amount > 1', [filterPushDown]);
    const join = find(p.optimized, 'Join')!;
    const names = [...join.left.fields, ...join.right.fields].map((f) => f.name);
    expect(rexToString(join.condition, names)).toBe('=(user_id, id)');
    expect(explain(join.right)).toContain("where=[=(name, _UTF-16LE'x')]");
    expect(explain(join.left)).toContain('where=[>(amount, 1)]');
  });

  it('pushes a filter through a projection into the scan, but not past a watermark', () => {
    const plain = planWith('SELECT * FROM (SELECT a, c * 2 AS d FROM plain) WHERE d > 4', [filterPushDown]);
    expect(find(plain.optimized, 'TableScan')!.filters.map((f) => rexToString(f, ['a', 'b', 'c']))).toEqual(['>(*(c, 2), 4)']);
    const wm = planWith('SELECT * FROM clicks WHERE user_id = 1', [filterPushDown]);
    expect(find(wm.optimized, 'TableScan')!.filters).toEqual([]);
    expect(find(wm.optimized, 'Filter')!.input.kind).toBe('WatermarkAssigner');
  });

  it('keeps non-deterministic conditions where they are', () => {
    const p = planWith('SELECT * FROM plain WHERE RAND() < 0.5', [filterPushDown]);
    expect(find(p.optimized, 'TableScan')!.filters).toEqual([]);
  });
});

describe('IN (SELECT ...)', () => {
  it('becomes a semi join whose rows keep the outer columns; the rest of the WHERE stays a filter', () => {
    const p = planWith("SELECT url FROM clicks WHERE user_id IN (SELECT id FROM users WHERE name = 'x') AND amount > 1", [filterPushDown]);
    const join = find(p.optimized, 'Join')!;
    expect(join.joinType).toBe('SEMI');
    expect(join.fields.map((f) => f.name)).toEqual(find(p.optimized, 'Join')!.left.fields.map((f) => f.name));
    expect(explain(p.optimized)).toContain('LeftSemiJoin');
    expect(() => planWith('SELECT url FROM clicks WHERE (user_id, url) IN (SELECT id FROM users)', [])).toThrow(/returns 1 columns, but 2 values are compared/);
  });
});
