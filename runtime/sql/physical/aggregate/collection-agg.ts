// The aggregates that collect values: ARRAY_AGG([DISTINCT] x [RESPECT|IGNORE NULLS]) and COLLECT(x).
// As Flink's ArrayAggFunction and CollectAggFunction (checked on Flink 1.20.3 through the oracle):
// - ARRAY_AGG keeps the values in arrival order, NULLs included unless IGNORE NULLS; retracting a
//   value removes its earliest occurrence; the result is NULL when nothing is held.
// - COLLECT skips NULLs and counts each distinct value (a MULTISET); retracting one decrements it.
//   A MULTISET value is an array in the table world (runtime/connectors/factory/row.ts) that holds
//   each element as often as it is counted, grouped by element in first-arrival order; over no
//   rows it is empty, never NULL. Flink's print connector shows it as `{a=2, b=1}`.
// Values are kept in their state form (state-value.ts), so BIGINT beyond 2^53 and bytes survive snapshots.
import type { SqlAggFunction } from './agg-function.ts';
import { asJsonMap, JsonMap } from './json-map.ts';
import { fromState, toState, valueKey } from './state-value.ts';

export interface ArrayAggAcc {
  /** the values held, oldest first (state form; NULL as null) */
  v: unknown[];
}

export function arrayAggFunction(ignoreNulls: boolean): SqlAggFunction<ArrayAggAcc> {
  const skip = (v: unknown): boolean => ignoreNulls && (v === null || v === undefined);
  return {
    create: () => ({ v: [] }),
    accumulate(acc, args) {
      const v = args[0];
      if (!skip(v)) acc.v.push(v === undefined ? null : toState(v));
      return acc;
    },
    retract(acc, args) {
      const v = args[0];
      if (skip(v)) return acc;
      const k = valueKey([v === undefined ? null : v]);
      const i = acc.v.findIndex((x) => valueKey([fromState(x)]) === k);
      if (i >= 0) acc.v.splice(i, 1);
      return acc;
    },
    merge(acc, other) {
      acc.v.push(...other.v);
      return acc;
    },
    value: (acc) => (acc.v.length === 0 ? null : acc.v.map(fromState)),
  };
}

export interface CollectAcc {
  /** valueKey of the element → [element (state form), count]; a count may go below 0 when a retraction comes first */
  m: JsonMap<string, [unknown, number]> | { $m: Array<[string, [unknown, number]]> };
}

function add(acc: CollectAcc, v: unknown, n: number): void {
  const m = (acc.m = asJsonMap(acc.m));
  const k = valueKey([v]);
  const held = m.get(k);
  const count = (held?.[1] ?? 0) + n;
  if (count === 0) m.delete(k);
  else m.set(k, [held?.[0] ?? toState(v), count]);
}

export function collectFunction(): SqlAggFunction<CollectAcc> {
  return {
    create: () => ({ m: new JsonMap() }),
    accumulate(acc, args) {
      if (args[0] !== null && args[0] !== undefined) add(acc, args[0], 1);
      return acc;
    },
    retract(acc, args) {
      if (args[0] !== null && args[0] !== undefined) add(acc, args[0], -1);
      return acc;
    },
    merge(acc, other) {
      for (const [, [v, n]] of asJsonMap(other.m)) add(acc, fromState(v), n);
      return acc;
    },
    value(acc) {
      const out: unknown[] = [];
      for (const [, [v, n]] of asJsonMap(acc.m)) {
        const x = fromState(v);
        for (let i = 0; i < n; i++) out.push(x);
      }
      return out;
    },
  };
}
