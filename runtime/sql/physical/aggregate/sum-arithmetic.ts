// Running sums per type, as Flink's SUM/AVG keep them: INT-sized integers wrap like Java's int
// (SUM(INT) is INT), BIGINT wraps like Java's long and stays exact beyond 2^53, DOUBLE/FLOAT are
// floating point, DECIMAL(p, s) is exact at scale s (SUM's type is DECIMAL(38, s)). The sum lives
// in keyed state, so its state form is JSON (a BIGINT beyond 2^53 as its decimal text).
import { dec, i64 } from '../../codegen/sql-runtime.ts';
import type { DataType } from '../../types/data-type.ts';

type Int = number | bigint;

export interface SumArithmetic {
  /** state form of 0 */
  readonly zero: unknown;
  add(sum: unknown, v: unknown): unknown;
  sub(sum: unknown, v: unknown): unknown;
  /** the sum as a value of the sum type (table-world representation) */
  out(sum: unknown): unknown;
}

const bigintIn = (s: unknown): Int => (typeof s === 'string' ? BigInt(s) : (s as number));
const bigintOut = (v: Int): unknown => (typeof v === 'bigint' ? v.toString() : v);
const toInt = (v: unknown): Int => (typeof v === 'bigint' || typeof v === 'number' ? v : Number(v));

export function sumArithmetic(t: DataType): SumArithmetic {
  switch (t.root) {
    case 'TINYINT': return wrapping((x) => (x << 24) >> 24);
    case 'SMALLINT': return wrapping((x) => (x << 16) >> 16);
    case 'INTEGER': return wrapping((x) => x | 0);
    case 'BIGINT': return {
      zero: 0,
      add: (s, v) => bigintOut(i64.add(bigintIn(s), toInt(v))),
      sub: (s, v) => bigintOut(i64.sub(bigintIn(s), toInt(v))),
      out: (s) => bigintIn(s),
    };
    case 'FLOAT': case 'DOUBLE': return {
      zero: 0,
      add: (s, v) => (s as number) + (v as number),
      sub: (s, v) => (s as number) - (v as number),
      out: (s) => (t.root === 'FLOAT' ? Math.fround(s as number) : s),
    };
    case 'DECIMAL': {
      const scale = t.scale;
      return {
        zero: dec.cast(0, 0, 38, scale),
        add: (s, v) => dec.add(s, scale, v, scale, 38, scale),
        sub: (s, v) => dec.sub(s, scale, v, scale, 38, scale),
        out: (s) => s,
      };
    }
    default: throw new Error(`MR_ERR_SQL_UNSUPPORTED: cannot sum values of type ${t.root}`);
  }
}

function wrapping(wrap: (x: number) => number): SumArithmetic {
  return {
    zero: 0,
    add: (s, v) => wrap((s as number) + (v as number)),
    sub: (s, v) => wrap((s as number) - (v as number)),
    out: (s) => s,
  };
}
