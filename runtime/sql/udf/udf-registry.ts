// The implementations of user-defined scalar functions, by the name SQL calls them, for the code
// that expressions compile to (codegen/expression-codegen.ts emits `udfCall(...)` through this
// process-wide table; generated functions see no imports). A job registers its functions while
// it is built, before any expression of it is compiled.

import type { AggregateUdfDefinition, TableUdfImpl } from './udf-kinds.ts';

const UDFS = new Map<string, (...args: unknown[]) => unknown>();

export function registerUdfImplementation(name: string, fn: (...args: unknown[]) => unknown): void {
  UDFS.set(name, fn);
}

export function udfImplementation(name: string): ((...args: unknown[]) => unknown) | undefined {
  return UDFS.get(name);
}

/** Source of the call generated code makes: NULL for undefined results, as SQL has no undefined. */
export function udfCallSource(name: string, args: readonly string[]): string {
  return `(globalThis[Symbol.for('millrace.sql.udf')](${JSON.stringify(name)})(${args.join(', ')}) ?? null)`;
}

(globalThis as Record<symbol, unknown>)[Symbol.for('millrace.sql.udf')] = (name: string) => {
  const fn = UDFS.get(name);
  if (fn === undefined) throw new Error(`MR_ERR_SQL_UDF: function '${name}' is not loaded in this process`);
  return fn;
};

// Table and aggregate functions, by name, for the Correlate and aggregation operators.
const TABLE_UDFS = new Map<string, TableUdfImpl>();
const AGGREGATE_UDFS = new Map<string, AggregateUdfDefinition>();

export function registerTableUdf(name: string, impl: TableUdfImpl): void {
  TABLE_UDFS.set(name, impl);
}

export function tableUdfImplementation(name: string): TableUdfImpl | undefined {
  return TABLE_UDFS.get(name);
}

export function registerAggregateUdf(name: string, def: AggregateUdfDefinition): void {
  AGGREGATE_UDFS.set(name, def);
}

export function aggregateUdfDefinition(name: string): AggregateUdfDefinition | undefined {
  return AGGREGATE_UDFS.get(name);
}
