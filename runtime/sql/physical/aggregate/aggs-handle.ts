// All aggregate calls of one Aggregate/WindowAggregate node as one unit (Flink's generated
// AggsHandleFunction): picks each call's function, reads its arguments from the input row,
// applies FILTER (WHERE ...) (the row counts only when the filter column is TRUE) and DISTINCT.
// The accumulators of a group are one JSON array, kept in keyed state by the operator.
import { SqlError } from '../../errors.ts';
import { aggregateUdfDefinition } from '../../udf/udf-registry.ts';
import type { AggCall, Field } from '../../planner/logical-plan.ts';
import type { SqlAggFunction } from './agg-function.ts';
import { firstValueFunction, lastValueFunction, listAggFunction } from './arrival-list.ts';
import { avgFunction } from './avg.ts';
import { arrayAggFunction, collectFunction } from './collection-agg.ts';
import { countFunction } from './count.ts';
import { distinctFunction } from './distinct.ts';
import { appendOnlyMinMaxFunction, minMaxFunction } from './min-max.ts';
import { sumFunction } from './sum.ts';
import { valueOrder } from './value-order.ts';
import { varianceFunction } from './variance.ts';

export interface AggsHandle {
  create(): unknown[];
  accumulate(accs: unknown[], row: readonly unknown[]): void;
  retract(accs: unknown[], row: readonly unknown[]): void;
  merge(accs: unknown[], other: readonly unknown[]): void;
  /** the result of every call, in call order */
  values(accs: readonly unknown[]): unknown[];
}

/**
 * The function of one call, DISTINCT included (FILTER is the handle's). Over an insert-only input
 * nothing is ever retracted, so MIN/MAX keep only the extreme value (Flink picks those too).
 */
export function aggFunctionFor(call: AggCall, input: readonly Field[], insertOnlyInput = false, retracts = !insertOnlyInput): SqlAggFunction {
  const argType = call.args.length > 0 ? input[call.args[0]!]!.type : undefined;
  const needArg = (): NonNullable<typeof argType> => {
    if (argType === undefined) throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `aggregate function ${call.fn} needs an argument`);
    return argType;
  };
  let fn: SqlAggFunction;
  switch (call.fn) {
    case 'COUNT': fn = countFunction(call.args.length === 0) as SqlAggFunction; break;
    case 'SUM': fn = sumFunction(needArg(), false) as SqlAggFunction; break;
    case 'SUM0': case '$SUM0': fn = sumFunction(needArg(), true) as SqlAggFunction; break;
    case 'AVG': fn = avgFunction(needArg(), call.type) as SqlAggFunction; break;
    case 'MIN': case 'MAX': fn = (insertOnlyInput ? appendOnlyMinMaxFunction(call.fn, valueOrder(needArg())) : minMaxFunction(call.fn, valueOrder(needArg()))) as SqlAggFunction; break;
    case 'FIRST_VALUE': fn = firstValueFunction() as SqlAggFunction; break;
    case 'LAST_VALUE': fn = lastValueFunction() as SqlAggFunction; break;
    case 'LISTAGG': fn = listAggFunction() as SqlAggFunction; break;
    case 'ARRAY_AGG': fn = arrayAggFunction(call.ignoreNulls === true) as SqlAggFunction; break;
    case 'COLLECT': fn = collectFunction() as SqlAggFunction; break;
    case 'STDDEV_POP': case 'STDDEV_SAMP': case 'VAR_POP': case 'VAR_SAMP': fn = varianceFunction(call.fn, needArg()) as SqlAggFunction; break;
    default: {
      // a user-defined aggregate function (udf/udf-kinds.ts), registered when the job's plan was made
      const udf = aggregateUdfDefinition(call.fn);
      if (udf !== undefined) {
        fn = udf.create(retracts);
        break;
      }
      throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `aggregate function ${call.fn} is not executable yet (COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE, LISTAGG, ARRAY_AGG, COLLECT, STDDEV/VAR run, with DISTINCT and FILTER)`);
    }
  }
  // ARRAY_AGG(DISTINCT x) keeps NULL as one distinct value unless IGNORE NULLS (Flink 1.20 does)
  return call.distinct ? (distinctFunction(fn, call.fn === 'ARRAY_AGG' && call.ignoreNulls !== true) as SqlAggFunction) : fn;
}

/**
 * `insertOnlyInput`: nothing is ever retracted (MIN/MAX keep only the extreme value). `retracts`
 * (default: not insert-only) says whether values will be taken back, which a user-defined function
 * must then support: an OVER frame with n PRECEDING retracts the rows leaving it, an unbounded one never.
 */
export function createAggsHandle(calls: readonly AggCall[], input: readonly Field[], options: { insertOnlyInput?: boolean; retracts?: boolean } = {}): AggsHandle {
  const fns = calls.map((c) => aggFunctionFor(c, input, options.insertOnlyInput ?? false, options.retracts ?? !(options.insertOnlyInput ?? false)));
  const argIdx = calls.map((c) => c.args);
  const filters = calls.map((c) => c.filterArg ?? -1);
  const n = calls.length;
  // one reused argument array per call: functions read it during the call only (distinct copies what it keeps)
  const scratch = calls.map((c) => new Array<unknown>(c.args.length));
  const argsOf = (i: number, row: readonly unknown[]): unknown[] => {
    const idx = argIdx[i]!;
    const out = scratch[i]!;
    for (let j = 0; j < idx.length; j++) out[j] = row[idx[j]!];
    return out;
  };
  return {
    create: () => fns.map((f) => f.create()),
    accumulate(accs, row) {
      for (let i = 0; i < n; i++) {
        const f = filters[i]!;
        if (f >= 0 && row[f] !== true) continue;
        accs[i] = fns[i]!.accumulate(accs[i], argsOf(i, row));
      }
    },
    retract(accs, row) {
      for (let i = 0; i < n; i++) {
        const f = filters[i]!;
        if (f >= 0 && row[f] !== true) continue;
        accs[i] = fns[i]!.retract(accs[i], argsOf(i, row));
      }
    },
    merge(accs, other) {
      for (let i = 0; i < n; i++) accs[i] = fns[i]!.merge(accs[i], other[i]);
    },
    values(accs) {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = fns[i]!.value(accs[i]);
      return out;
    },
  };
}
