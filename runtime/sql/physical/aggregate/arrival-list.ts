// The values an accumulator holds in arrival order, for the aggregates whose result depends on
// order: FIRST_VALUE, LAST_VALUE and LISTAGG. Retracting a value removes its earliest occurrence,
// as Flink's FirstValueWithRetract/LastValueWithRetract/ListAggWithRetract do. NULLs are skipped.
// Values are kept in their state form (state-value.ts).
import { anyNull, type SqlAggFunction } from './agg-function.ts';
import { fromState, toState } from './state-value.ts';

export interface ArrivalAcc {
  /** the values held, oldest first (state form) */
  v: unknown[];
  /** LISTAGG's separator as last given */
  s?: string;
}

function removeFirst(acc: ArrivalAcc, v: unknown): void {
  const k = toState(v);
  const i = acc.v.findIndex((x) => x === k || (typeof k === 'object' && JSON.stringify(x) === JSON.stringify(k)));
  if (i >= 0) acc.v.splice(i, 1);
}

function arrivalFunction(value: (acc: ArrivalAcc) => unknown): SqlAggFunction<ArrivalAcc> {
  return {
    create: () => ({ v: [] }),
    accumulate(acc, args) {
      if (args[0] === null || args[0] === undefined) return acc;
      acc.v.push(toState(args[0]));
      if (args.length > 1 && !anyNull(args)) acc.s = args[1] as string;
      return acc;
    },
    retract(acc, args) {
      if (args[0] !== null && args[0] !== undefined) removeFirst(acc, args[0]);
      return acc;
    },
    merge(acc, other) {
      acc.v.push(...other.v);
      if (other.s !== undefined) acc.s = other.s;
      return acc;
    },
    value,
  };
}

export const firstValueFunction = (): SqlAggFunction<ArrivalAcc> => arrivalFunction((acc) => (acc.v.length === 0 ? null : fromState(acc.v[0])));
export const lastValueFunction = (): SqlAggFunction<ArrivalAcc> => arrivalFunction((acc) => (acc.v.length === 0 ? null : fromState(acc.v[acc.v.length - 1])));
/** LISTAGG(x [, separator]): the values joined by the separator (',' by default), NULL when none. */
export const listAggFunction = (): SqlAggFunction<ArrivalAcc> => arrivalFunction((acc) => (acc.v.length === 0 ? null : acc.v.join(acc.s ?? ',')));
