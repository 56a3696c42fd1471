import { find, plan } from '../test-support.ts';

describe('projection through a regular join', () => {
  it('keeps on each side only the columns read above and in the condition', () => {
    // c.amount > 1 goes below the join as a filter, so the join's left side does not keep amount
    const p = plan('SELECT c.url, u.name FROM clicks AS c JOIN users AS u ON c.user_id = u.id AND c.amount > 1 AND c.ts > u.ts');
    const join = find(p.optimized, 'Join')!;
    if (join.kind !== 'Join') throw new Error('no join');
    expect(join.variant.kind).toBe('regular');
    expect(join.left.fields.map((f) => f.name)).toEqual(['user_id', 'url', 'ts']);
    expect(join.right.fields.map((f) => f.name)).toEqual(['id', 'name', 'ts']);
  });

  it('keeps one column of a side none of whose columns is read (its rows still multiply the result)', () => {
    const p = plan('SELECT c.url FROM clicks AS c LEFT JOIN plain AS x ON TRUE');
    const join = find(p.optimized, 'Join')!;
    if (join.kind !== 'Join') throw new Error('no join');
    expect(join.right.fields.map((f) => f.name)).toEqual(['a']);
    expect(join.left.fields.map((f) => f.name)).toEqual(['url']);
  });
});
