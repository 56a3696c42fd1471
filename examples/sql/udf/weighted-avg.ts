// An aggregate function (Flink's WeightedAvg example): the average of `value` weighted by `weight`.
// The accumulator is plain JSON (it lives in keyed state and goes into checkpoints as JSON);
// retract lets it follow an updating input, merge lets session windows join accumulators.
// Registered with: CREATE FUNCTION weighted_avg AS 'udf/weighted-avg.ts#weighted_avg' LANGUAGE JAVASCRIPT;
interface Acc { sum: number; count: number }

export const weighted_avg = {
  kind: 'aggregate',
  result: 'DOUBLE',
  createAccumulator: (): Acc => ({ sum: 0, count: 0 }),
  accumulate(acc: Acc, value: number | null, weight: number | null): void {
    if (value === null || weight === null) return;
    acc.sum += value * weight;
    acc.count += weight;
  },
  retract(acc: Acc, value: number | null, weight: number | null): void {
    if (value === null || weight === null) return;
    acc.sum -= value * weight;
    acc.count -= weight;
  },
  merge(acc: Acc, others: Iterable<Acc>): void {
    for (const o of others) {
      acc.sum += o.sum;
      acc.count += o.count;
    }
  },
  getValue: (acc: Acc): number | null => (acc.count === 0 ? null : acc.sum / acc.count),
};
