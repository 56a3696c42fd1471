import { joinKeys } from './join-keys.ts';
import { find, plan } from './test-support.ts';
import { rexToString } from './rex.ts';

describe('join keys', () => {
  it('split a condition into equality keys per side and the rest', () => {
    const p = plan('SELECT * FROM clicks c JOIN users u ON u.id = c.user_id AND c.url = u.name AND c.amount > 1');
    const join = find(p.optimized, 'Join')!;
    const k = joinKeys(join);
    expect(k.leftKeys.map((i) => join.left.fields[i]!.name)).toEqual(['user_id', 'url']);
    expect(k.rightKeys.map((i) => join.right.fields[i]!.name)).toEqual(['id', 'name']);
    expect(k.remaining.map((r) => rexToString(r, join.fields.map((f) => f.name)))).toEqual([]);
    expect(rexToString(find(join.left, 'Filter')!.condition, join.left.fields.map((f) => f.name))).toBe('>(amount, 1)');
  });
});
