// The accumulators on their own: values in, values taken back, merged, read; and through JSON
// (keyed state snapshots are JSON) without losing exactness.
import { T, type DataType } from '../../types/data-type.ts';
import type { AggCall, Field } from '../../planner/logical-plan.ts';
import { createAggsHandle } from './aggs-handle.ts';

const call = (fn: string, args: number[], type: DataType, extra: Partial<AggCall> = {}): AggCall => ({ fn, args, distinct: false, name: fn, type, ...extra });
const roundTrip = <X>(x: X): X => JSON.parse(JSON.stringify(x)) as X;

describe('aggregate functions with retraction', () => {
  const input: Field[] = [{ name: 'v', type: T.bigint() }, { name: 'ok', type: T.boolean() }, { name: 'd', type: T.decimal(10, 2) }, { name: 's', type: T.varchar(10) }];

  test('COUNT(*), COUNT(x), SUM, AVG, MIN, MAX over added and retracted rows; NULLs skipped', () => {
    const h = createAggsHandle([
      call('COUNT', [], T.bigint(false)), call('COUNT', [0], T.bigint(false)), call('SUM', [0], T.bigint()),
      call('AVG', [0], T.bigint()), call('MIN', [0], T.bigint()), call('MAX', [0], T.bigint()),
    ], input);
    const accs = h.create();
    for (const v of [7, 3, null, 10]) h.accumulate(accs, [v, true, null, null]);
    expect(h.values(accs)).toEqual([4, 3, 20, 6, 3, 10]); // AVG(BIGINT) truncates: 20 / 3 = 6
    h.retract(accs, [3, true, null, null]);
    expect(h.values(roundTrip(accs))).toEqual([3, 2, 17, 8, 7, 10]);
    h.retract(accs, [10, true, null, null]);
    h.retract(accs, [7, true, null, null]);
    // no values left: SUM, AVG, MIN, MAX are NULL again, COUNT(*) still counts the NULL row
    expect(h.values(accs)).toEqual([1, 0, null, null, null, null]);
  });

  test('MIN/MAX keep every value: taking back the maximum reveals the next one, duplicates count', () => {
    const h = createAggsHandle([call('MAX', [3], T.varchar(10)), call('MIN', [2], T.decimal(10, 2))], input);
    const accs = h.create();
    for (const [s, d] of [['b', '10.00'], ['c', '9.50'], ['c', '100.25']]) h.accumulate(accs, [null, null, d, s]);
    expect(h.values(accs)).toEqual(['c', '9.50']); // DECIMAL ordered by value, not as text
    h.retract(accs, [null, null, '9.50', 'c']);
    expect(h.values(accs)).toEqual(['c', '10.00']); // the other 'c' is still held
    h.retract(accs, [null, null, '100.25', 'c']);
    expect(h.values(accs)).toEqual(['b', '10.00']);
  });

  test('over an insert-only input MIN/MAX keep only the extreme value (constant state), merge included', () => {
    const h = createAggsHandle([call('MIN', [2], T.decimal(10, 2)), call('MAX', [0], T.bigint())], input, { insertOnlyInput: true });
    const a = h.create();
    for (const [v, d] of [[5, '10.00'], [9007199254740993n, '9.50'], [null, null]]) h.accumulate(a, [v, null, d, null]);
    expect(roundTrip(a)).toEqual([{ x: '9.50' }, { x: { $b: '9007199254740993' } }]);
    const b = h.create();
    h.accumulate(b, [1, null, '0.01', null]);
    h.merge(b, roundTrip(a));
    expect(h.values(b)).toEqual(['0.01', 9007199254740993n]);
    expect(() => h.retract(b, [1, null, '0.01', null])).toThrow(/insert-only input got a retraction/);
  });

  test('SUM of BIGINT stays exact beyond 2^53 (also through JSON) and wraps like Java long', () => {
    const h = createAggsHandle([call('SUM', [0], T.bigint())], input);
    let accs = h.create();
    h.accumulate(accs, [Number.MAX_SAFE_INTEGER, null, null, null]);
    h.accumulate(accs, [2, null, null, null]);
    accs = roundTrip(accs);
    expect(h.values(accs)).toEqual([9007199254740993n]);
    h.accumulate(accs, [9223372036854775807n - 9007199254740993n + 1n, null, null, null]);
    expect(h.values(roundTrip(accs))).toEqual([-9223372036854775808n]);
  });

  test('DECIMAL: SUM exact at the input scale, AVG as DECIMAL(38, 6) rounded half up', () => {
    const h = createAggsHandle([call('SUM', [2], T.decimal(38, 2)), call('AVG', [2], T.decimal(38, 6))], input);
    const accs = h.create();
    for (const d of ['0.10', '0.20', '0.01']) h.accumulate(accs, [null, null, d, null]);
    expect(h.values(accs)).toEqual(['0.31', '0.103333']);
    h.accumulate(accs, [null, null, '0.01', null]);
    expect(h.values(accs)).toEqual(['0.32', '0.080000']);
  });

  test('DISTINCT counts a value once until its last occurrence is retracted; FILTER skips rows', () => {
    const h = createAggsHandle([
      call('COUNT', [0], T.bigint(false), { distinct: true }),
      call('COUNT', [0], T.bigint(false), { distinct: true, filterArg: 1 }),
      call('SUM', [0], T.bigint(), { distinct: true }),
      call('COUNT', [], T.bigint(false), { filterArg: 1 }),
    ], input);
    const accs = h.create();
    for (const [v, ok] of [[5, true], [5, false], [6, false], [null, true]]) h.accumulate(accs, [v, ok, null, null]);
    expect(h.values(accs)).toEqual([2, 1, 11, 2]);
    h.retract(accs, [5, true, null, null]);
    expect(h.values(roundTrip(accs))).toEqual([2, 0, 11, 1]); // 5 is still held once (unfiltered)
    h.retract(accs, [5, false, null, null]);
    expect(h.values(accs)).toEqual([1, 0, 6, 1]);
  });

  test('DISTINCT sets go through JSON snapshots: plain keys stay numbers, BIGINT beyond 2^53 keeps its tuple', () => {
    const h = createAggsHandle([call('SUM', [0], T.bigint(), { distinct: true }), call('COUNT', [3], T.bigint(false), { distinct: true })], input);
    const a = h.create();
    for (const v of [1, 9007199254740993n, 1, 9007199254740993n]) h.accumulate(a, [v, null, null, 'x']);
    const restored = roundTrip(a);
    expect(JSON.stringify(restored)).toContain('"$m":[[1,2]');
    h.retract(restored, [1, null, null, 'x']);
    expect(h.values(restored)).toEqual([9007199254740994n, 1]); // 1 is still held once
    const b = h.create();
    h.accumulate(b, [2, null, null, 'y']);
    h.merge(b, roundTrip(restored));
    expect(h.values(b)).toEqual([9007199254740996n, 2]);
  });

  test('merge (session windows) adds one accumulator into another, distinct values once', () => {
    const h = createAggsHandle([call('COUNT', [], T.bigint(false)), call('MAX', [0], T.bigint()), call('COUNT', [0], T.bigint(false), { distinct: true }), call('AVG', [0], T.bigint())], input);
    const a = h.create();
    const b = h.create();
    for (const v of [1, 2]) h.accumulate(a, [v, null, null, null]);
    for (const v of [2, 9]) h.accumulate(b, [v, null, null, null]);
    h.merge(a, roundTrip(b));
    expect(h.values(a)).toEqual([4, 9, 3, 3]);
  });

  test('FIRST_VALUE, LAST_VALUE, LISTAGG by arrival order; a retraction removes the earliest occurrence', () => {
    const h = createAggsHandle([
      call('FIRST_VALUE', [3], T.varchar(10)), call('LAST_VALUE', [3], T.varchar(10)), call('LISTAGG', [3], T.string()), call('LISTAGG', [3, 2], T.string()),
    ], [...input.slice(0, 2), { name: 'sep', type: T.varchar(1) }, input[3]!]);
    const accs = h.create();
    for (const v of ['a', 'b', null, 'a', 'c']) h.accumulate(accs, [null, null, '-', v]);
    expect(h.values(accs)).toEqual(['a', 'c', 'a,b,a,c', 'a-b-a-c']);
    h.retract(accs, [null, null, '-', 'a']);
    expect(h.values(roundTrip(accs))).toEqual(['b', 'c', 'b,a,c', 'b-a-c']);
    for (const v of ['b', 'a', 'c']) h.retract(accs, [null, null, '-', v]);
    expect(h.values(accs)).toEqual([null, null, null, null]);
  });

  test('STDDEV/VAR as Flink reduces them: in the argument type, integer division, NULL for one sample', () => {
    const h = createAggsHandle([
      call('VAR_POP', [0], T.bigint()), call('VAR_SAMP', [0], T.bigint()), call('STDDEV_POP', [0], T.bigint()), call('STDDEV_SAMP', [0], T.bigint()),
    ], input);
    const accs = h.create();
    h.accumulate(accs, [2, null, null, null]);
    expect(h.values(accs)).toEqual([0, null, 0, null]);
    for (const v of [4, 4, 5]) h.accumulate(accs, [v, null, null, null]);
    // x: 2,4,4,5: sum 15, sum of squares 61; 15*15/4 = 56 (integer); (61-56)/4 = 1, (61-56)/3 = 1
    expect(h.values(roundTrip(accs))).toEqual([1, 1, 1, 1]);
    const d = createAggsHandle([call('STDDEV_POP', [0], T.double()), call('VAR_SAMP', [0], T.double())], [{ name: 'x', type: T.double() }]);
    const a = d.create();
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) d.accumulate(a, [v]);
    expect(d.values(a)).toEqual([2, 32 / 7]);
    d.retract(a, [9]);
    // 2,4,4,4,5,5,7: n 7, sum 31, sum of squares 151
    expect(d.values(a)[0] as number).toBeCloseTo(Math.sqrt((151 - (31 * 31) / 7) / 7), 12);
  });

  test('an aggregate function that does not run (neither built in nor a registered UDAF) is refused by name', () => {
    expect(() => createAggsHandle([call('PERCENTILE', [0], T.double())], input)).toThrow(/aggregate function PERCENTILE is not executable yet/);
  });
});
