// An aggregate over DISTINCT values (COUNT(DISTINCT x), SUM(DISTINCT x), ...): the accumulator
// counts how often each distinct argument tuple is held; the inner function sees a tuple when it
// first appears and loses it when its last occurrence is retracted. Rows with a NULL argument are
// skipped, as every aggregate over an argument skips them (except ARRAY_AGG, which respects NULLs). A single number or string argument is
// its own map key; other tuples are keyed by their valueKey text and keep the tuple for merging.
import { anyNull, type AggArgs, type SqlAggFunction } from './agg-function.ts';
import { asJsonMap, JsonMap } from './json-map.ts';
import { fromState, toState, valueKey } from './state-value.ts';

/** A count for a plain key; [count, tuple in state form] for a composite one. */
type Held = number | [number, unknown];

export interface DistinctAcc {
  /** distinct key → how often it is held */
  d: JsonMap<string | number, Held> | { $m: Array<[string | number, Held]> };
  /** the inner function's accumulator */
  i: unknown;
}

/** The map key of a tuple: the value itself when it is one number or string. */
function keyOf(args: AggArgs): string | number {
  if (args.length === 1) {
    const v = args[0];
    if (typeof v === 'number' || typeof v === 'string') return v;
  }
  return `\u0000${valueKey(args)}`;
}

const countOf = (h: Held): number => (typeof h === 'number' ? h : h[0]);
const withCount = (h: Held, n: number): Held => (typeof h === 'number' ? n : [n, h[1]]);

/** `keepNulls`: a NULL argument is a distinct value of its own (ARRAY_AGG(DISTINCT x) RESPECT NULLS). */
export function distinctFunction(inner: SqlAggFunction, keepNulls = false): SqlAggFunction<DistinctAcc> {
  const skipped = (args: AggArgs): boolean => args.length === 0 || (!keepNulls && anyNull(args));
  return {
    create: () => ({ d: new JsonMap(), i: inner.create() }),
    accumulate(acc, args) {
      if (skipped(args)) return acc;
      const d = (acc.d = asJsonMap(acc.d));
      const k = keyOf(args);
      const held = d.get(k);
      if (held === undefined) {
        d.set(k, typeof k === 'string' && k.startsWith('\u0000') ? [1, toState(args)] : 1);
        acc.i = inner.accumulate(acc.i, args);
      } else d.set(k, withCount(held, countOf(held) + 1));
      return acc;
    },
    retract(acc, args) {
      if (skipped(args)) return acc;
      const d = (acc.d = asJsonMap(acc.d));
      const k = keyOf(args);
      const held = d.get(k);
      if (held === undefined) return acc;
      const n = countOf(held) - 1;
      if (n <= 0) {
        d.delete(k);
        acc.i = inner.retract(acc.i, args);
      } else d.set(k, withCount(held, n));
      return acc;
    },
    merge(acc, other) {
      const d = (acc.d = asJsonMap(acc.d));
      for (const [k, h] of asJsonMap(other.d)) {
        const held = d.get(k);
        if (held === undefined) {
          d.set(k, h);
          acc.i = inner.accumulate(acc.i, typeof h === 'number' ? [k] : (fromState(h[1]) as AggArgs));
        } else d.set(k, withCount(held, countOf(held) + countOf(h)));
      }
      return acc;
    },
    value: (acc) => inner.value(acc.i),
  };
}
