// MIN and MAX with retraction: the accumulator keeps every distinct value with how many times it
// is held, sorted (Flink's MinWithRetractAggFunction keeps a map of value counts), so taking back
// the current minimum reveals the next one; counts below zero are kept for merging (as Flink's). Values are kept in their state form (state-value.ts).
import { anyNull, type SqlAggFunction } from './agg-function.ts';
import { fromState, toState } from './state-value.ts';
import type { Compare } from './value-order.ts';

export interface MinMaxAcc {
  /** [value (state form), count] sorted ascending by value */
  e: Array<[unknown, number]>;
}

/** Index of `v` in the sorted entries, or -(insertion point) - 1. */
function search(e: Array<[unknown, number]>, v: unknown, compare: Compare): number {
  let lo = 0;
  let hi = e.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(fromState(e[mid]![0]), v);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/**
 * Adds `times` (negative: takes back) occurrences of `v`. A count may go below zero: a local
 * pre-aggregation (local-group-aggregate.ts) can see a retraction in a later bundle than its row,
 * so its partial accumulator holds -1 for it until the global merge meets the +1. Zero counts go.
 */
function add(acc: MinMaxAcc, v: unknown, times: number, compare: Compare): void {
  const i = search(acc.e, v, compare);
  if (i < 0) acc.e.splice(-i - 1, 0, [toState(v), times]);
  else if ((acc.e[i]![1] += times) === 0) acc.e.splice(i, 1);
}

/** The least (MIN) or greatest (MAX) value held at least once. */
function extreme(acc: MinMaxAcc, kind: 'MIN' | 'MAX'): unknown {
  const e = acc.e;
  if (kind === 'MIN') {
    for (let i = 0; i < e.length; i++) if (e[i]![1] > 0) return fromState(e[i]![0]);
  } else {
    for (let i = e.length - 1; i >= 0; i--) if (e[i]![1] > 0) return fromState(e[i]![0]);
  }
  return null;
}

export function minMaxFunction(kind: 'MIN' | 'MAX', compare: Compare): SqlAggFunction<MinMaxAcc> {
  return {
    create: () => ({ e: [] }),
    accumulate(acc, args) {
      if (!anyNull(args)) add(acc, args[0], 1, compare);
      return acc;
    },
    retract(acc, args) {
      if (!anyNull(args)) add(acc, args[0], -1, compare);
      return acc;
    },
    merge(acc, other) {
      for (const [v, n] of other.e) add(acc, fromState(v), n, compare);
      return acc;
    },
    value: (acc) => extreme(acc, kind),
  };
}

/** MIN/MAX over an insert-only input (Flink's MinAggFunction): the extreme value alone, O(1) state. */
export function appendOnlyMinMaxFunction(kind: 'MIN' | 'MAX', compare: Compare): SqlAggFunction<{ x: unknown }> {
  const better = (v: unknown, held: unknown): boolean => {
    const c = compare(v, fromState(held));
    return kind === 'MIN' ? c < 0 : c > 0;
  };
  const take = (acc: { x: unknown }, v: unknown): void => {
    if (acc.x === null || better(v, acc.x)) acc.x = toState(v);
  };
  return {
    create: () => ({ x: null }),
    accumulate(acc, args) {
      if (!anyNull(args)) take(acc, args[0]);
      return acc;
    },
    retract() {
      throw new Error(`MR_ERR_SQL_RUNTIME: ${kind} over an insert-only input got a retraction`);
    },
    merge(acc, other) {
      if (other.x !== null) take(acc, fromState(other.x));
      return acc;
    },
    value: (acc) => (acc.x === null ? null : fromState(acc.x)),
  };
}
