// The order of rows by ORDER BY keys (Top-N, Sort): per key its direction and where NULLs go;
// numbers, BIGINT beyond 2^53 and timestamps numerically, DECIMAL text exactly by value, strings
// by code unit, booleans FALSE before TRUE.
import { cmp, dec } from '../../codegen/sql-runtime.ts';
import type { Field, SortKey } from '../../planner/logical-plan.ts';

export type RowOrder = (a: readonly unknown[], b: readonly unknown[]) => number;

export function rowOrder(keys: readonly SortKey[], fields: readonly Field[]): RowOrder {
  const parts = keys.map((k) => {
    const t = fields[k.index]?.type;
    const compare = t?.root === 'DECIMAL' ? (a: unknown, b: unknown) => dec.cmp(a, t.scale, b, t.scale) : cmp;
    const sign = k.direction === 'DESC' ? -1 : 1;
    const nullFirst = k.nulls === 'FIRST' ? -1 : 1;
    return (a: readonly unknown[], b: readonly unknown[]): number => {
      const x = a[k.index];
      const y = b[k.index];
      const xNull = x === null || x === undefined;
      const yNull = y === null || y === undefined;
      if (xNull || yNull) return xNull && yNull ? 0 : xNull ? nullFirst : -nullFirst;
      return sign * compare(x, y);
    };
  });
  return (a, b) => {
    for (const p of parts) {
      const c = p(a, b);
      if (c !== 0) return c;
    }
    return 0;
  };
}
