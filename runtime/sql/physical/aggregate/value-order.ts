// The order of SQL values of one type (MIN/MAX): numbers and BIGINT beyond 2^53 numerically,
// DECIMAL text exactly by value, strings and the rest as the generic comparison does.
import { cmp, dec } from '../../codegen/sql-runtime.ts';
import type { DataType } from '../../types/data-type.ts';

export type Compare = (a: unknown, b: unknown) => number;

export function valueOrder(t: DataType): Compare {
  if (t.root === 'DECIMAL') {
    const s = t.scale;
    return (a, b) => dec.cmp(a, s, b, s);
  }
  return cmp;
}
