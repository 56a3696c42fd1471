// `CREATE FUNCTION name AS 'module.ts#export' LANGUAGE JAVASCRIPT`: loads the export from a local
// module (TypeScript or JavaScript, an ES module), checks its declared result type and registers
// its implementation for compiled expressions and operators. A scalar function is either
//   export const f = { result: 'BIGINT NOT NULL', eval(s: string | null, c: string) { ... } };
// or a function with a `resultType` property. A table function (udf-kinds.ts) is
//   export const f = { kind: 'table', result: 'ROW<word STRING, len INT>', *eval(s) { yield [w, n]; } };
// and an aggregate function is
//   export const f = { kind: 'aggregate', result: 'DOUBLE', createAccumulator, accumulate, retract?, merge?, getValue };
// Arguments arrive as the runtime represents SQL values (NULL as null); the result is read as a
// value of the declared type.
//
// Modules load synchronously (Node's require of an ES module without top-level await), because a
// job's graph is built synchronously on the JobManager and on every TaskManager alike. Paths are
// relative to the script's directory (or the client's working directory). In a cluster (a
// Deployment key is configured) nothing loads from the pod's file system: a module is the
// verified local copy of the bucket file the operator pinned for the Deployment (udf-modules.ts);
// in the operator's check nothing loads at all, the types come from the module's types file
// (udf-types.ts) and the implementations registered are placeholders that never run.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RuntimeError } from '../../errors/runtime-error.ts';
import { AUTH_KEY_FILE_ENV } from '../../auth/deployment-key.ts';
import type { CatalogFunction } from '../catalog/catalog-objects.ts';
import { SqlError } from '../errors.ts';
import { parseExpression } from '../parser/index.ts';
import type { Pos } from '../parser/ast.ts';
import type { DataType } from '../types/data-type.ts';
import type { UdfTypeResolver } from '../validator/expression-converter.ts';
import { aggregateUdf, checkUdfKind, tableUdf, type AggregateUdfDefinition, type UdfKind } from './udf-kinds.ts';
import { moduleRefOf, pinnedModules, splitIdentifier, type PinnedModule } from './udf-modules.ts';
import { UDF_TYPES_FORMAT, type FunctionTypes, type ModuleTypes } from './udf-types.ts';
import { registerAggregateUdf, registerTableUdf, registerUdfImplementation } from './udf-registry.ts';

export interface ScalarUdf {
  /** the result type as Flink SQL writes it: 'BIGINT', 'STRING NOT NULL', 'DECIMAL(10, 2)' */
  readonly result: string;
  eval(...args: never[]): unknown;
}

/** For a module's author: a typed scalar function. */
export function scalarFunction<A extends unknown[]>(result: string, fn: (...args: A) => unknown): ScalarUdf {
  return { result, eval: fn as (...args: never[]) => unknown };
}

export interface UdfLoaderOptions {
  /** where relative module paths start */
  readonly baseDir: string;
  /** false in a cluster: no module loads from the pod's file system, only the pinned copies */
  readonly localModules?: boolean;
  /** the pinned modules when localModules is false (default: from the pod's environment, udf-modules.ts) */
  readonly pinned?: ReadonlyMap<string, PinnedModule>;
  /** the operator's check: module (as written, normalized) → its types file; nothing loads */
  readonly declared?: ReadonlyMap<string, ModuleTypes>;
}

/** Whether this process runs a Deployment's job (its key is configured), where local modules do not load. */
export const inCluster = (env: NodeJS.ProcessEnv = process.env): boolean => env[AUTH_KEY_FILE_ENV] !== undefined;

interface Loaded {
  readonly kind: UdfKind;
  readonly type: DataType;
}

function resultType(text: string, where: string): DataType {
  try {
    const e = parseExpression(`CAST(NULL AS ${text})`);
    if (e.kind === 'cast') return e.target.type;
  } catch {
    // reported below
  }
  throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: its result type '${text}' is not a Flink SQL type (for example 'BIGINT', 'STRING NOT NULL', 'DECIMAL(10, 2)')`);
}

/** What one export is: its kind and type, what its types file records, and how it registers. */
interface Inspected {
  readonly kind: UdfKind;
  readonly type: DataType;
  readonly types: FunctionTypes;
  register(name: string): void;
}

/** Whether an export looks like a function meant for SQL (the rest of a module is left alone when types are described). */
function looksLikeUdf(exported: unknown): boolean {
  if (typeof exported === 'function') return (exported as { resultType?: unknown }).resultType !== undefined;
  if (exported === null || typeof exported !== 'object') return false;
  const o = exported as { kind?: unknown; eval?: unknown; accumulate?: unknown };
  return o.kind !== undefined || typeof o.eval === 'function' || typeof o.accumulate === 'function';
}

/** Checks an export's shape and declaration (SqlError naming `where` and the fix otherwise). */
function inspectExport(exported: unknown, where: string, noSuchExport: () => SqlError): Inspected {
  const declaredKind = exported !== null && typeof exported === 'object' ? (exported as { kind?: unknown }).kind : undefined;
  if (declaredKind === 'table' || declaredKind === 'aggregate') {
    const result = (exported as { result?: unknown }).result;
    if (typeof result !== 'string') throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: declare its result type, as { kind: '${declaredKind}', result: '${declaredKind === 'table' ? 'ROW<word STRING, length INT>' : 'BIGINT'}', ... }`);
    const type = resultType(result, where);
    if (declaredKind === 'table') {
      const impl = tableUdf(exported as object, type, where);
      return { kind: 'table', type, types: { kind: 'table', result }, register: (name) => registerTableUdf(name, impl) };
    }
    const def = aggregateUdf(exported as object, where);
    const has = (m: string) => typeof (exported as Record<string, unknown>)[m] === 'function';
    return { kind: 'aggregate', type, types: { kind: 'aggregate', result, retract: has('retract'), merge: has('merge') }, register: (name) => registerAggregateUdf(name, def) };
  }
  if (declaredKind !== undefined && declaredKind !== 'scalar') throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: kind '${String(declaredKind)}' is not a function kind; write kind: 'scalar', 'table' or 'aggregate'`);
  let impl: (...args: unknown[]) => unknown;
  let result: unknown;
  if (typeof exported === 'function') {
    impl = exported as (...args: unknown[]) => unknown;
    result = (exported as { resultType?: unknown }).resultType;
  } else if (exported !== null && typeof exported === 'object' && typeof (exported as ScalarUdf).eval === 'function') {
    const udf = exported as ScalarUdf;
    impl = (...args) => udf.eval(...(args as never[]));
    result = udf.result;
  } else {
    throw noSuchExport();
  }
  if (typeof result !== 'string') throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: declare its result type, as { result: 'BIGINT', eval(...) { ... } } or a resultType property on the function`);
  return { kind: 'scalar', type: resultType(result, where), types: { kind: 'scalar', result }, register: (name) => registerUdfImplementation(name, impl) };
}

/**
 * An export as its types file declares it (the operator's check): the same kinds and types, and
 * placeholder implementations so the job's operators can be planned; they never run.
 */
function declaredExport(types: FunctionTypes, where: string): Inspected {
  const type = resultType(types.result, where);
  const never = () => {
    throw new Error(`MR_ERR_SQL_UDF: ${where} is only declared in this process (the operator's check); it runs in the Deployment's pods`);
  };
  const register = (name: string): void => {
    if (types.kind === 'scalar') registerUdfImplementation(name, never);
    else if (types.kind === 'table') registerTableUdf(name, never);
    else {
      registerAggregateUdf(name, {
        create(updatingInput) {
          if (updatingInput && types.retract !== true) throw new SqlError('MR_ERR_SQL_PLAN', `${where}: its input is an updating table (rows are retracted), so the aggregate function needs retract(acc, ...args)`);
          return { create: never, accumulate: never, retract: never, merge: never, value: never } as unknown as ReturnType<AggregateUdfDefinition['create']>;
        },
      });
    }
  };
  return { kind: types.kind, type, types, register };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * The types file of a module (udf-types.ts), from the module itself: every export that looks like
 * a SQL function is checked as a job would load it; a bad one is an error naming it. Runs on the
 * user's machine (millrace artifacts upload), never in the operator.
 */
export function describeUdfModule(file: string): ModuleTypes {
  const bytes = readFileSync(file);
  let mod: Record<string, unknown>;
  try {
    mod = createRequire(import.meta.url)(path.resolve(file)) as Record<string, unknown>;
  } catch (err) {
    throw new SqlError('MR_ERR_SQL_VALIDATE', `cannot load ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const functions: Record<string, FunctionTypes> = {};
  for (const [name, exported] of Object.entries(mod)) {
    if (!looksLikeUdf(exported) || !/^[A-Za-z_$][\w$]*$/.test(name)) continue;
    const where = `export '${name}' of ${file}`;
    functions[name] = inspectExport(exported, where, () => new SqlError('MR_ERR_SQL_VALIDATE', `${where}: not a function, { result, eval }, { kind: 'table', ... } or { kind: 'aggregate', ... }`)).types;
  }
  return { format: UDF_TYPES_FORMAT, module: { sha256: sha256(bytes), size: bytes.byteLength }, functions };
}

export class UdfLoader {
  private readonly options: UdfLoaderOptions;
  private readonly loaded = new Map<string, Loaded>();
  private readonly require = createRequire(import.meta.url);
  private pins: ReadonlyMap<string, PinnedModule> | undefined;

  constructor(options: UdfLoaderOptions) {
    this.options = options;
  }

  /** Loads (once) and registers the function; its declared result type. */
  load(fn: CatalogFunction): Loaded {
    const key = `${fn.path.name}\u0000${fn.identifier}`;
    const known = this.loaded.get(key);
    if (known !== undefined) return known;
    const name = fn.path.name;
    if (fn.language !== 'JAVASCRIPT') {
      throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `function '${name}' is a ${fn.language} function (${fn.identifier}): Millrace runs user-defined functions written in TypeScript/JavaScript; register one with CREATE FUNCTION ${name} AS 'module.ts#export' LANGUAGE JAVASCRIPT`);
    }
    const { module: modulePath, exportName } = splitIdentifier(fn.identifier);
    const where = `function '${name}' ('${fn.identifier}')`;
    let inspected: Inspected;
    if (this.options.declared !== undefined) {
      inspected = this.declaredFunction(modulePath, exportName, where);
    } else {
      const { mod, file } = this.options.localModules === false ? this.requirePinned(modulePath, where) : this.requireLocal(modulePath, where);
      inspected = inspectExport(mod[exportName], where, () => new SqlError('MR_ERR_SQL_VALIDATE', `${where}: ${file} has no export '${exportName}' that is a function, { result, eval }, { kind: 'table', ... } or { kind: 'aggregate', ... }${Object.keys(mod).length > 0 ? ` (it exports ${Object.keys(mod).join(', ')})` : ''}`));
    }
    inspected.register(name);
    const loaded = { kind: inspected.kind, type: inspected.type };
    this.loaded.set(key, loaded);
    return loaded;
  }

  private requireLocal(modulePath: string, where: string): { mod: Record<string, unknown>; file: string } {
    const file = path.resolve(this.options.baseDir, modulePath);
    try {
      return { mod: this.require(file) as Record<string, unknown>, file };
    } catch (err) {
      throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: cannot load ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /** In a Deployment's pods: the verified copy of the module the operator pinned, nothing else. */
  private requirePinned(modulePath: string, where: string): { mod: Record<string, unknown>; file: string } {
    const ref = moduleRefOf(modulePath);
    if (!ref.ok) throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: ${ref.why}`);
    this.pins ??= this.options.pinned ?? pinnedModules(process.env);
    const pin = this.pins.get(ref.ref);
    if (pin === undefined) {
      throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `${where}: module '${ref.ref}' was not pinned for this job; in a Deployment, function modules are files of the workspace bucket's sql-artifacts/namespaces/<namespace>/, which the operator resolves when the job starts (npx millrace sql -f runs a script with local modules)`);
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(pin.file);
    } catch (err) {
      throw new RuntimeError('MR_ERR_JOB_LOAD', `${where}: the pinned module ${pin.uri} was not fetched into ${pin.file} (${(err as Error).message.split('\n')[0]})`);
    }
    // verified again right before it loads: the cache is a file others could have replaced
    const actual = sha256(bytes);
    if (actual !== pin.sha256) throw new RuntimeError('MR_ERR_JOB_DIGEST_MISMATCH', `${where}: the local copy of ${pin.uri} has sha256 ${actual}, not the pinned ${pin.sha256}`);
    try {
      return { mod: this.require(pin.file) as Record<string, unknown>, file: pin.uri };
    } catch (err) {
      throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: cannot load ${pin.uri}: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /** In the operator's check: the function as the module's types file declares it. */
  private declaredFunction(modulePath: string, exportName: string, where: string): Inspected {
    const ref = moduleRefOf(modulePath);
    if (!ref.ok) throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: ${ref.why}`);
    const types = this.options.declared!.get(ref.ref);
    if (types === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: module '${ref.ref}' has no declared types (upload it with npx millrace artifacts upload --kind sql-artifacts, which writes its types file)`);
    const f = types.functions[exportName];
    if (f === undefined) {
      const names = Object.keys(types.functions);
      throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: ${ref.ref} has no function export '${exportName}' (${names.length > 0 ? `its types file lists ${names.join(', ')}` : 'its types file lists none'}); fix the name, or upload the module again with npx millrace artifacts upload --kind sql-artifacts`);
    }
    return declaredExport(f, where);
  }

  /**
   * What the validator asks for a call's type (and what loads the module before codegen runs);
   * `expected` is how the query calls it, and a function of another kind is refused there.
   * `kindOf` tells the validator whether a call is an aggregate.
   */
  get typeResolver(): UdfTypeResolver {
    const atCall = <R>(pos: Pos, f: () => R): R => {
      try {
        return f();
      } catch (err) {
        if (err instanceof SqlError && err.line === undefined) throw new SqlError(err.code, err.message.replace(/^MR_ERR_[A-Z_]+: /, ''), pos);
        throw err;
      }
    };
    const resolver: UdfTypeResolver = (fn, _args, pos, expected = 'scalar') => atCall(pos, () => {
      const loaded = this.load(fn);
      checkUdfKind(fn.path.name, loaded.kind, expected);
      return loaded.type;
    });
    resolver.kindOf = (fn, pos) => atCall(pos, () => this.load(fn).kind);
    return resolver;
  }
}
