// An aggregate over DISTINCT values (COUNT(DISTINCT x), SUM(DISTINCT x), ...): the accumulator
// counts how often each distinct argument tuple is held; the inner function sees a tuple when it
// first appears and loses it when its last occurrence is retracted. Rows with a NULL argument are
// skipped, as every aggregate over an argument skips them.
import { anyNull, type AggArgs, type SqlAggFunction } from './agg-function.ts';
import { fromState, toState, valueKey } from './state-value.ts';

export interface DistinctAcc {
  /** distinct argument tuple (valueKey) → [count, the tuple in state form] */
  d: Record<string, [number, unknown]>;
  /** the inner function's accumulator */
  i: unknown;
}

export function distinctFunction(inner: SqlAggFunction): SqlAggFunction<DistinctAcc> {
  return {
    create: () => ({ d: {}, i: inner.create() }),
    accumulate(acc, args) {
      if (args.length === 0 || anyNull(args)) return acc;
      const k = valueKey(args);
      const held = acc.d[k];
      if (held === undefined) {
        acc.d[k] = [1, toState(args)];
        acc.i = inner.accumulate(acc.i, args);
      } else held[0]++;
      return acc;
    },
    retract(acc, args) {
      if (args.length === 0 || anyNull(args)) return acc;
      const k = valueKey(args);
      const held = acc.d[k];
      if (held === undefined) return acc;
      if (--held[0] <= 0) {
        delete acc.d[k];
        acc.i = inner.retract(acc.i, args);
      }
      return acc;
    },
    merge(acc, other) {
      for (const [k, [n, tuple]] of Object.entries(other.d)) {
        const held = acc.d[k];
        if (held === undefined) {
          acc.d[k] = [n, tuple];
          acc.i = inner.accumulate(acc.i, fromState(tuple) as AggArgs);
        } else held[0] += n;
      }
      return acc;
    },
    value: (acc) => inner.value(acc.i),
  };
}
