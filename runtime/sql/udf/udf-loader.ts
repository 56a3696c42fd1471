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
// Deployment key is configured) nothing loads from the pod's file system: UDF modules of a
// Deployment belong in the workspace bucket's sql-artifacts/namespaces/<ns>/, not loaded yet.
import { createRequire } from 'node:module';
import path from 'node:path';
import { AUTH_KEY_FILE_ENV } from '../../auth/deployment-key.ts';
import type { CatalogFunction } from '../catalog/catalog-objects.ts';
import { SqlError } from '../errors.ts';
import { parseExpression } from '../parser/index.ts';
import type { Pos } from '../parser/ast.ts';
import type { DataType } from '../types/data-type.ts';
import type { UdfTypeResolver } from '../validator/expression-converter.ts';
import { aggregateUdf, checkUdfKind, tableUdf, type UdfKind } from './udf-kinds.ts';
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
  /** false in a cluster: no module loads from the pod's file system */
  readonly localModules?: boolean;
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

export class UdfLoader {
  private readonly options: UdfLoaderOptions;
  private readonly loaded = new Map<string, Loaded>();
  private readonly require = createRequire(import.meta.url);

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
    const hash = fn.identifier.lastIndexOf('#');
    const modulePath = fn.identifier.slice(0, hash);
    const exportName = fn.identifier.slice(hash + 1);
    const where = `function '${name}' ('${fn.identifier}')`;
    if (this.options.localModules === false) {
      throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `${where}: in a Deployment, user-defined function modules come from the workspace bucket (sql-artifacts/namespaces/<namespace>/), which is not supported yet; run the script locally with npx millrace sql -f`);
    }
    const file = path.resolve(this.options.baseDir, modulePath);
    let mod: Record<string, unknown>;
    try {
      mod = this.require(file) as Record<string, unknown>;
    } catch (err) {
      throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: cannot load ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
    const exported = mod[exportName];
    const declaredKind = exported !== null && typeof exported === 'object' ? (exported as { kind?: unknown }).kind : undefined;
    let loaded: Loaded;
    if (declaredKind === 'table' || declaredKind === 'aggregate') {
      const result = (exported as { result?: unknown }).result;
      if (typeof result !== 'string') throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: declare its result type, as { kind: '${declaredKind}', result: '${declaredKind === 'table' ? 'ROW<word STRING, length INT>' : 'BIGINT'}', ... }`);
      const type = resultType(result, where);
      if (declaredKind === 'table') registerTableUdf(name, tableUdf(exported as object, type, where));
      else registerAggregateUdf(name, aggregateUdf(exported as object, where));
      loaded = { kind: declaredKind, type };
    } else {
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
        throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: ${file} has no export '${exportName}' that is a function, { result, eval }, { kind: 'table', ... } or { kind: 'aggregate', ... }${Object.keys(mod).length > 0 ? ` (it exports ${Object.keys(mod).join(', ')})` : ''}`);
      }
      if (typeof result !== 'string') throw new SqlError('MR_ERR_SQL_VALIDATE', `${where}: declare its result type, as { result: 'BIGINT', eval(...) { ... } } or a resultType property on the function`);
      loaded = { kind: 'scalar', type: resultType(result, where) };
      registerUdfImplementation(name, impl);
    }
    this.loaded.set(key, loaded);
    return loaded;
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
