// The implementations of user-defined scalar functions, by the name SQL calls them, for the code
// that expressions compile to (codegen/expression-codegen.ts emits `udfCall(...)` through this
// process-wide table; generated functions see no imports). A job registers its functions while
// it is built, before any expression of it is compiled.

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
