// The shapes of table and aggregate functions a module exports, turned into what the operators
// call. Flink's counterparts are TableFunction (eval + collect) and AggregateFunction
// (createAccumulator, accumulate, retract, merge, getValue); here:
//
//   export const split_words = {
//     kind: 'table', result: 'ROW<word STRING, length INT>',
//     *eval(s: string | null) { for (const w of (s ?? '').split(' ')) yield [w, w.length]; },
//   };
//   export const weighted_avg = {
//     kind: 'aggregate', result: 'DOUBLE',
//     createAccumulator: () => ({ sum: 0, count: 0 }),
//     accumulate(acc, value, weight) { acc.sum += value * weight; acc.count += weight; },
//     retract(acc, value, weight) { ... },            // needed when the input is updating
//     merge(acc, others) { for (const o of others) { ... } },   // needed by session windows
//     getValue: (acc) => (acc.count === 0 ? null : acc.sum / acc.count),
//   };
//
// A table function's eval returns (or yields) rows: for a ROW result an array of the field values
// in order or an object by field name, else the value itself; NULL and undefined rows are skipped.
// An accumulator lives in keyed state, whose snapshots are JSON: it must be plain JSON data
// (objects, arrays, strings, finite numbers, booleans, null), checked on a fresh accumulator.
import type { SqlAggFunction } from '../physical/aggregate/agg-function.ts';
import { SqlError } from '../errors.ts';
import type { DataType } from '../types/data-type.ts';

export type UdfKind = 'scalar' | 'table' | 'aggregate';

/** The rows (column values) a table function gives for one call. */
export type TableUdfImpl = (args: readonly unknown[]) => unknown[][];

/** Refuses a function used as another kind than it is, saying how it is called. */
export function checkUdfKind(name: string, kind: UdfKind, expected: UdfKind): void {
  if (kind === expected) return;
  const how: Record<UdfKind, string> = {
    scalar: `a scalar function: call it in an expression, ${name}(...)`,
    table: `a table function: call it in FROM t, LATERAL TABLE(${name}(...)) AS T(a, b) or FROM t LEFT JOIN LATERAL TABLE(${name}(...)) ON TRUE`,
    aggregate: `an aggregate function: call it in a SELECT with GROUP BY or a window aggregation, ${name}(...)`,
  };
  throw new SqlError('MR_ERR_SQL_VALIDATE', `function '${name}' is ${how[kind]}`);
}

const method = (o: object, name: string): ((...a: unknown[]) => unknown) | undefined => {
  const m = (o as Record<string, unknown>)[name];
  return typeof m === 'function' ? (m as (...a: unknown[]) => unknown).bind(o) : undefined;
};

export function tableUdf(exported: object, type: DataType, where: string): TableUdfImpl {
  const evalFn = method(exported, 'eval');
  if (evalFn === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: a table function needs eval(...args) returning or yielding its rows`);
  const fields = type.root === 'ROW' ? type.fields.map((f) => f.name) : undefined;
  const toValues = (r: unknown): unknown[] => {
    if (fields === undefined) return [r];
    if (Array.isArray(r)) return fields.map((_, i) => r[i] ?? null);
    if (typeof r === 'object') return fields.map((f) => (r as Record<string, unknown>)[f] ?? null);
    throw new Error(`MR_ERR_SQL_UDF: ${where}: a row of its result ${fields.length === 1 ? '' : `(${fields.join(', ')}) `}must be an array of the field values or an object by field name, not ${typeof r}`);
  };
  return (args) => {
    const result = evalFn(...args);
    const rows: unknown[][] = [];
    if (result === null || result === undefined) return rows;
    if (typeof (result as Iterable<unknown>)[Symbol.iterator] !== 'function' || typeof result === 'string') {
      throw new Error(`MR_ERR_SQL_UDF: ${where}: eval must return or yield its rows (an iterable such as an array or a generator), not ${typeof result}`);
    }
    for (const r of result as Iterable<unknown>) if (r !== null && r !== undefined) rows.push(toValues(r));
    return rows;
  };
}

function isPlainJson(v: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isPlainJson(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every((x) => isPlainJson(x, depth + 1));
  return false;
}

export interface AggregateUdfDefinition {
  /** the function of one call; `updatingInput` when retractions will arrive (retract is then required) */
  create(updatingInput: boolean): SqlAggFunction;
}

export function aggregateUdf(exported: object, where: string): AggregateUdfDefinition {
  const createAccumulator = method(exported, 'createAccumulator');
  const accumulate = method(exported, 'accumulate');
  const getValue = method(exported, 'getValue');
  const retract = method(exported, 'retract');
  const merge = method(exported, 'merge');
  const missing = [['createAccumulator', createAccumulator], ['accumulate', accumulate], ['getValue', getValue]].filter(([, m]) => m === undefined).map(([n]) => n);
  if (missing.length > 0) throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: an aggregate function needs createAccumulator(), accumulate(acc, ...args) and getValue(acc); ${missing.join(', ')} missing`);
  const sample = createAccumulator!();
  if (sample === null || typeof sample !== 'object' || !isPlainJson(sample)) {
    throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: createAccumulator() must return an object or array of plain JSON data (accumulators are kept in state and snapshotted as JSON), got ${sample === null ? 'null' : Array.isArray(sample) ? 'an array with other values' : typeof sample === 'object' ? 'an object with other values (Map, Set, bigint, a class instance, ...)' : typeof sample}`);
  }
  return {
    create(updatingInput) {
      if (updatingInput && retract === undefined) {
        throw new SqlError('MR_ERR_SQL_PLAN', `${where}: its input is an updating table (rows are retracted), so the aggregate function needs retract(acc, ...args)`);
      }
      return {
        create: () => createAccumulator!(),
        // Flink's accumulate changes the accumulator in place; a returned value is ignored.
        accumulate: (acc, args) => {
          accumulate!(acc, ...args);
          return acc;
        },
        retract: (acc, args) => {
          retract!(acc, ...args);
          return acc;
        },
        merge: (acc, other) => {
          if (merge === undefined) throw new Error(`MR_ERR_SQL_UDF: ${where}: merging windows (SESSION) needs merge(acc, others), others an iterable of accumulators`);
          merge(acc, [other]);
          return acc;
        },
        value: (acc) => getValue!(acc) ?? null,
      };
    },
  };
}
