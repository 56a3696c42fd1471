// Where a Deployment's JAVASCRIPT function modules come from (pure; shared by the operator and the
// pods). A script names a module as it would locally, `CREATE FUNCTION f AS 'udf/fns.mjs#f'
// LANGUAGE JAVASCRIPT`: locally the path is relative to the script's directory; in a Deployment
// the same relative path is a file of the namespace's `sql-artifacts/namespaces/<ns>/` folder in
// the workspace bucket (an `s3://` URI of that folder is accepted too). The operator resolves each
// module before any pod exists, pins its sha256 (status.sqlModules), and gives both the
// JobManager and every TaskManager the pins in one environment variable; the pods download and
// verify the pinned bytes before the job is built (runtime/artifacts/fetch-sql-modules.ts), and
// the loader (udf-loader.ts) requires only those verified copies.
import path from 'node:path';
import { cacheFileName, defaultArtifactCacheDir } from '../../artifacts/fetch-artifact.ts';
import { parseJobUrl } from '../../artifacts/job-url.ts';
import type { CreateFunction } from '../parser/ast.ts';
import { parseScript } from '../parser/index.ts';

/** The pods' environment variable: JSON `{ "<module as written>": "s3://<bucket>/<key>#sha256=<hex>" }`. */
export const SQL_MODULES_ENV = 'MILLRACE_SQL_MODULES';

export type ModuleRef = { ok: true; ref: string } | { ok: false; why: string };

/** The module part of a function identifier (`module#export`) as a key both sides compute alike. */
export function moduleRefOf(module: string): ModuleRef {
  if (/^s3:\/\//i.test(module)) return { ok: true, ref: module };
  if (module.startsWith('/') || /^[a-z][a-z0-9+.-]+:/i.test(module)) return { ok: false, why: `'${module}' is an absolute path or another URL; in a Deployment a module is a path relative to the namespace's sql-artifacts folder (udf/fns.mjs) or an s3:// URI of it` };
  const ref = path.posix.normalize(module);
  if (ref === '.' || ref.startsWith('../') || ref === '..') return { ok: false, why: `'${module}' leaves the namespace's sql-artifacts folder` };
  return { ok: true, ref };
}

/** `module#export` split at its last '#' (the session checked the shape when the function was created). */
export function splitIdentifier(identifier: string): { module: string; exportName: string } {
  const hash = identifier.lastIndexOf('#');
  return { module: identifier.slice(0, hash), exportName: identifier.slice(hash + 1) };
}

/** A CREATE FUNCTION ... LANGUAGE JAVASCRIPT of a script, where it is written. */
export interface ScriptFunction {
  name: string;
  identifier: string;
  module: string;
  exportName: string;
  line: number;
  column: number;
}

/**
 * The JAVASCRIPT functions a script creates, read from its parse tree only (nothing executes; the
 * operator never loads tenant code). Undefined when the script does not parse: the SQL check
 * reports that with line and column.
 */
export function scriptFunctions(script: string): ScriptFunction[] | undefined {
  let statements;
  try {
    statements = parseScript(script);
  } catch {
    return undefined;
  }
  const out: ScriptFunction[] = [];
  for (const { statement } of statements) {
    if (statement.kind !== 'createFunction') continue;
    const s = statement as CreateFunction;
    if (s.language !== 'JAVASCRIPT' || !s.identifier.includes('#')) continue;
    out.push({ name: s.name.parts.join('.'), identifier: s.identifier, ...splitIdentifier(s.identifier), line: s.pos.line, column: s.pos.column });
  }
  return out;
}

/** A module pinned for the pods: the URI with its digest, and the verified local copy's path. */
export interface PinnedModule {
  uri: string;
  bucket: string;
  key: string;
  sha256: string;
  file: string;
}

export function formatPins(pins: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(pins).sort(([a], [b]) => a.localeCompare(b))));
}

/** The pins a pod was started with (empty without the variable); a malformed value is refused by name. */
export function pinnedModules(env: Readonly<Record<string, string | undefined>> = process.env, cacheDir = defaultArtifactCacheDir()): Map<string, PinnedModule> {
  const text = env[SQL_MODULES_ENV];
  const out = new Map<string, PinnedModule>();
  if (text === undefined || text === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`MR_ERR_SQL_UDF: ${SQL_MODULES_ENV} is not JSON (the operator sets it; do not set it by hand)`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`MR_ERR_SQL_UDF: ${SQL_MODULES_ENV} must be an object of module → pinned s3:// URI`);
  for (const [ref, uri] of Object.entries(parsed as Record<string, unknown>)) {
    const { base, sha256 } = parseJobUrl(String(uri));
    const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(base);
    if (!m || !sha256) throw new Error(`MR_ERR_SQL_UDF: ${SQL_MODULES_ENV}: module '${ref}' is not pinned as s3://<bucket>/<key>#sha256=<hex> (${String(uri)})`);
    const [, bucket = '', key = ''] = m;
    out.set(ref, { uri: String(uri), bucket, key, sha256, file: path.join(cacheDir, cacheFileName(key, sha256)) });
  }
  return out;
}
