// STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP as Flink computes them: its planner rewrites them
// (Calcite's AggregateReduceFunctionsRule) into SUM(x * x), SUM(x) and COUNT(x) in the argument's
// own type, then (SUM(x*x) - SUM(x) * SUM(x) / COUNT(x)) / COUNT(x) [or COUNT(x) - 1, NULL when it
// is 1], POWER(.., 0.5) for STDDEV, cast back to the argument's type. So STDDEV_POP(BIGINT) is a
// BIGINT, and integer arithmetic divides and wraps as Java's does (large values overflow in Flink,
// and identically here). INT, BIGINT and DOUBLE arguments run; others are refused.
import { i64 } from '../../codegen/sql-runtime.ts';
import { SqlError } from '../../errors.ts';
import type { DataType } from '../../types/data-type.ts';
import { anyNull, type SqlAggFunction } from './agg-function.ts';
import { sumArithmetic } from './sum-arithmetic.ts';

type Int = number | bigint;

export interface VarianceAcc {
  /** SUM(x * x), SUM(x) in state form; the count of non-NULL x */
  q: unknown;
  s: unknown;
  n: number;
}

/** Java's (long) / (int) cast of a double: NaN → 0, truncated, saturated at the type's bounds. */
function doubleToLong(d: number): Int {
  if (Number.isNaN(d)) return 0;
  if (d >= 2 ** 63) return 9223372036854775807n;
  if (d <= -(2 ** 63)) return -9223372036854775808n;
  const t = Math.trunc(d);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}
function doubleToInt(d: number): number {
  if (Number.isNaN(d)) return 0;
  return Math.max(-2147483648, Math.min(2147483647, Math.trunc(d)));
}

export function varianceFunction(fn: 'STDDEV_POP' | 'STDDEV_SAMP' | 'VAR_POP' | 'VAR_SAMP', argType: DataType): SqlAggFunction<VarianceAcc> {
  const arith = sumArithmetic(argType);
  const sqrt = fn.startsWith('STDDEV');
  const sample = fn.endsWith('SAMP');
  let square: (x: unknown) => unknown;
  let result: (sumSq: unknown, sum: unknown, n: number) => unknown;
  switch (argType.root) {
    case 'DOUBLE':
      square = (x) => (x as number) * (x as number);
      result = (q, s, n) => {
        const div = ((q as number) - ((s as number) * (s as number)) / n) / (sample ? n - 1 : n);
        return sqrt ? Math.pow(div, 0.5) : div;
      };
      break;
    case 'BIGINT':
      square = (x) => i64.mul(x as Int, x as Int);
      result = (q, s, n) => {
        const div = i64.div(i64.sub(q as Int, i64.div(i64.mul(s as Int, s as Int), n)), sample ? n - 1 : n);
        return sqrt ? doubleToLong(Math.pow(Number(div), 0.5)) : div;
      };
      break;
    case 'INTEGER':
      // INT * INT and SUM(INT) stay INT (wrap); dividing by COUNT (BIGINT) makes BIGINT; cast back to INT
      square = (x) => Math.imul(x as number, x as number);
      result = (q, s, n) => {
        const div = i64.div(i64.sub(q as number, i64.div(Math.imul(s as number, s as number), n)), sample ? n - 1 : n);
        return sqrt ? doubleToInt(Math.pow(Number(div), 0.5)) : Number(BigInt.asIntN(32, BigInt(div)));
      };
      break;
    default:
      throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `aggregate function ${fn} over ${argType.root} is not executable yet (INT, BIGINT and DOUBLE arguments run; CAST the argument)`);
  }
  return {
    create: () => ({ q: arith.zero, s: arith.zero, n: 0 }),
    accumulate(acc, args) {
      if (anyNull(args)) return acc;
      acc.q = arith.add(acc.q, square(args[0]));
      acc.s = arith.add(acc.s, args[0]);
      acc.n++;
      return acc;
    },
    retract(acc, args) {
      if (anyNull(args)) return acc;
      acc.q = arith.sub(acc.q, square(args[0]));
      acc.s = arith.sub(acc.s, args[0]);
      acc.n--;
      return acc;
    },
    merge(acc, other) {
      acc.q = arith.add(acc.q, arith.out(other.q));
      acc.s = arith.add(acc.s, arith.out(other.s));
      acc.n += other.n;
      return acc;
    },
    value(acc) {
      if (acc.n === 0 || (sample && acc.n === 1)) return null;
      return result(arith.out(acc.q), arith.out(acc.s), acc.n);
    },
  };
}
