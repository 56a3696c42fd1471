// How a bounded scan is cut (Flink's JdbcNumericBetweenParametersProvider): `num` ranges
// `[lower, upper]` of the partition column, as even as integers allow, each read by one subtask
// (split i by subtask i mod parallelism). Pure.

export interface Split {
  index: number;
  /** inclusive bounds, as decimal text so BIGINT bounds beyond 2^53 stay exact */
  from: string;
  to: string;
}

export function numericSplits(lower: bigint, upper: bigint, num: number): Split[] {
  if (upper < lower) throw new Error(`scan.partition.lower-bound ${lower} is above scan.partition.upper-bound ${upper}`);
  const span = upper - lower + 1n;
  const n = BigInt(Math.max(1, num)) > span ? span : BigInt(Math.max(1, num));
  const size = span / n;
  const bigger = span % n; // the first `bigger` splits take one more value
  const splits: Split[] = [];
  let start = lower;
  for (let i = 0n; i < n; i++) {
    const end = start + size - 1n + (i < bigger ? 1n : 0n);
    splits.push({ index: Number(i), from: start.toString(), to: end.toString() });
    start = end + 1n;
  }
  return splits;
}

export function splitsOfSubtask<S extends { index: number }>(splits: readonly S[], subtask: number, parallelism: number): S[] {
  return splits.filter((s) => s.index % parallelism === subtask);
}
