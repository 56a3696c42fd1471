// One SQL aggregate function as the group and window aggregations run it: an accumulator that
// lives in keyed state (so plain JSON: no bigint, no Map; see state-value.ts), values added and
// retracted (a GROUP BY over a changelog takes rows back: -U/-D), merged (session windows), read.
// Flink's counterpart is AggregateFunction with accumulate/retract/merge/getValue.

/**
 * The argument values of one input row for one call (FILTER and DISTINCT are applied around it).
 * The array is reused for the next row: copy what the accumulator keeps.
 */
export type AggArgs = readonly unknown[];

export interface SqlAggFunction<A = unknown> {
  create(): A;
  /** Adds a row's arguments; may change `acc` in place and returns the accumulator to keep. */
  accumulate(acc: A, args: AggArgs): A;
  /** Takes a row back (the input retracted it); never called for more than was added. */
  retract(acc: A, args: AggArgs): A;
  /** Adds what `other` holds into `acc` (session windows merge). */
  merge(acc: A, other: A): A;
  /** The result in the table world's value representation (runtime/connectors/factory/row.ts). */
  value(acc: A): unknown;
}

/** True when one of the arguments is NULL: SQL aggregates skip such rows (COUNT(*) has none). */
export function anyNull(args: AggArgs): boolean {
  for (let i = 0; i < args.length; i++) if (args[i] === null || args[i] === undefined) return true;
  return false;
}
