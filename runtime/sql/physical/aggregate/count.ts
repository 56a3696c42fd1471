// COUNT(*) counts rows; COUNT(x [, y ...]) counts rows where no argument is NULL. Retracting
// takes one off; the result is never NULL (0 over no rows).
import { anyNull, type SqlAggFunction } from './agg-function.ts';

export function countFunction(star: boolean): SqlAggFunction<number> {
  return {
    create: () => 0,
    accumulate: (acc, args) => (star || !anyNull(args) ? acc + 1 : acc),
    retract: (acc, args) => (star || !anyNull(args) ? acc - 1 : acc),
    merge: (acc, other) => acc + other,
    value: (acc) => acc,
  };
}
