// SUM (NULL over no non-NULL values) and SUM0 ($SUM0, 0 over none), retractable: the accumulator
// counts the values it holds, so retracting the last one makes SUM NULL again (Flink's
// SumWithRetractAggFunction).
import { anyNull, type SqlAggFunction } from './agg-function.ts';
import { sumArithmetic } from './sum-arithmetic.ts';
import type { DataType } from '../../types/data-type.ts';

export interface SumAcc {
  /** the sum in its state form */
  s: unknown;
  /** how many non-NULL values it holds */
  n: number;
}

export function sumFunction(argType: DataType, zeroWhenEmpty: boolean): SqlAggFunction<SumAcc> {
  const arith = sumArithmetic(argType);
  return {
    create: () => ({ s: arith.zero, n: 0 }),
    accumulate(acc, args) {
      if (anyNull(args)) return acc;
      acc.s = arith.add(acc.s, args[0]);
      acc.n++;
      return acc;
    },
    retract(acc, args) {
      if (anyNull(args)) return acc;
      acc.s = arith.sub(acc.s, args[0]);
      acc.n--;
      return acc;
    },
    merge(acc, other) {
      acc.s = arith.add(acc.s, arith.out(other.s));
      acc.n += other.n;
      return acc;
    },
    value: (acc) => (acc.n === 0 ? (zeroWhenEmpty ? arith.out(arith.zero) : null) : arith.out(acc.s)),
  };
}
