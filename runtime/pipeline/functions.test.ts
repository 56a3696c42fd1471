import { compileAggregates, compilePredicate, compileProjection, getField } from './functions.ts';
import type { Row } from './functions.ts';

describe('pipeline functions', () => {
  test('comparisons: numbers, strings, booleans, numeric strings, missing fields', () => {
    const rows: Row[] = [{ p: 5, s: 'a', b: true }, { p: '7', s: 'b' }, { s: 'c' }];
    const keep = (where: Parameters<typeof compilePredicate>[0]) => rows.filter(compilePredicate(where)).map((r) => r.s);
    expect(keep([{ field: 'p', op: '>', value: 5 }])).toEqual(['b']);
    expect(keep([{ field: 'p', op: '>=', value: 5 }])).toEqual(['a', 'b']);
    expect(keep([{ field: 'p', op: '<', value: 6 }])).toEqual(['a']);
    expect(keep([{ field: 'p', op: '!=', value: 5 }])).toEqual(['b', 'c']);
    expect(keep([{ field: 's', op: '==', value: 'c' }])).toEqual(['c']);
    expect(keep([{ field: 'b', op: '==', value: true }])).toEqual(['a']);
    expect(keep([{ field: 's', op: '>', value: 'a' }, { field: 'p', op: '<=', value: 7 }])).toEqual(['b']);
  });

  test('projection keeps the named fields in order, nested names included', () => {
    expect(compileProjection(['b', 'n.x', 'missing'])({ a: 1, b: 2, n: { x: 3 } })).toEqual({ b: 2, 'n.x': 3, missing: undefined });
    expect(getField({ a: { b: { c: 1 } } }, 'a.b.c')).toBe(1);
    expect(getField({ a: 1 }, 'a.b')).toBeUndefined();
  });

  test('aggregates in one pass; merge equals adding everything to one accumulator; JSON round trip keeps it', () => {
    const agg = compileAggregates([{ fn: 'count', as: 'n' }, { fn: 'sum', field: 'v', as: 's' }, { fn: 'min', field: 'v', as: 'lo' }, { fn: 'max', field: 'v', as: 'hi' }, { fn: 'avg', field: 'v', as: 'mean' }]);
    const rows: Row[] = [{ v: 4 }, { v: '2' }, { v: 'x' }, { v: 9 }, {}];
    const all = rows.reduce((acc, r) => agg.add(r, acc), agg.createAccumulator());
    expect(agg.getResult(all)).toEqual({ n: 5, s: 15, lo: 2, hi: 9, mean: 5 });
    const left = JSON.parse(JSON.stringify(rows.slice(0, 2).reduce((acc, r) => agg.add(r, acc), agg.createAccumulator())));
    const right = rows.slice(2).reduce((acc, r) => agg.add(r, acc), agg.createAccumulator());
    expect(agg.getResult(agg.merge(left, right))).toEqual(agg.getResult(all));
    expect(agg.getResult(JSON.parse(JSON.stringify(agg.createAccumulator())))).toEqual({ n: 0, s: 0, lo: null, hi: null, mean: null });
  });
});
