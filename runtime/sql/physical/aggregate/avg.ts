// AVG with Flink's result types: integer inputs sum as BIGINT and divide with truncation (AVG(INT)
// is INT), FLOAT/DOUBLE divide in floating point, DECIMAL(p, s) sums as DECIMAL(38, s) and
// divides exactly into DECIMAL(38, max(6, s)), rounding half up. Retractable (sum and count).
import { dec, i64 } from '../../codegen/sql-runtime.ts';
import { T, type DataType } from '../../types/data-type.ts';
import { anyNull, type SqlAggFunction } from './agg-function.ts';
import { sumArithmetic } from './sum-arithmetic.ts';
import type { SumAcc } from './sum.ts';

export function avgFunction(argType: DataType, resultType: DataType): SqlAggFunction<SumAcc> {
  const integral = argType.root === 'TINYINT' || argType.root === 'SMALLINT' || argType.root === 'INTEGER' || argType.root === 'BIGINT';
  const arith = sumArithmetic(integral ? T.bigint() : argType);
  const divide = avgDivision(argType, resultType);
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
    value: (acc) => (acc.n === 0 ? null : divide(arith.out(acc.s), acc.n)),
  };
}

function avgDivision(argType: DataType, resultType: DataType): (sum: unknown, n: number) => unknown {
  switch (argType.root) {
    // a safe-integer sum divides exactly enough in floating point: truncation cannot cross an integer
    case 'BIGINT': return (sum, n) => (typeof sum === 'number' ? Math.trunc(sum / n) : i64.div(sum as bigint, n));
    case 'TINYINT': case 'SMALLINT': case 'INTEGER': return (sum, n) => (typeof sum === 'number' ? Math.trunc(sum / n) : Number(i64.div(sum as bigint, n)));
    case 'FLOAT': return (sum, n) => Math.fround((sum as number) / n);
    case 'DOUBLE': return (sum, n) => (sum as number) / n;
    case 'DECIMAL': {
      const scale = argType.scale;
      const out = resultType.root === 'DECIMAL' ? resultType : { precision: 38, scale: Math.max(6, scale) };
      return (sum, n) => dec.div(sum, scale, n, 0, out.precision, out.scale);
    }
    default: throw new Error(`MR_ERR_SQL_UNSUPPORTED: AVG over values of type ${argType.root}`);
  }
}
