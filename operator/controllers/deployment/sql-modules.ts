// The JAVASCRIPT function modules of a SQL Deployment, as the operator handles them (pure; the
// bucket reads are in sql-module-step.ts). The script is parsed, never run: its
// `CREATE FUNCTION f AS '<module>#<export>' LANGUAGE JAVASCRIPT` statements name the modules,
// each resolved only inside the Deployment's own namespace (a relative path is a file of
// `sql-artifacts/namespaces/<ns>/` in the workspace bucket; an s3:// URI must point there).
// Before any pod exists each module's sha256 is read and its types file (`<module>.types.json`,
// runtime/sql/udf/udf-types.ts) checked against it; the script is then checked with those
// declared types, the pins are recorded in status.sqlModules and handed to the JobManager and
// TaskManager pods (MILLRACE_SQL_MODULES), which load only those bytes. A missing, foreign or
// untyped module fails the Deployment naming the function, its line and the fix; an upload
// fixes it without a spec change (looked at again, decide.ts FIXED_OUTSIDE_SPEC).
// Like status.artifact, the pins are reused while the job lives and resolved again when the spec
// changes or a stopped job starts again.
import type { DeploymentSpec, DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { MAX_ARTIFACT_BYTES } from '../../../runtime/artifacts/job-loader.ts';
import { formatJobUrl } from '../../../runtime/artifacts/job-url.ts';
import { isArtifactPath, namespaceArtifactsDir } from '../../../runtime/artifacts/layout.ts';
import type { BucketScope } from '../../../runtime/artifacts/layout.ts';
import { moduleRefOf, scriptFunctions } from '../../../runtime/sql/udf/udf-modules.ts';
import type { ScriptFunction } from '../../../runtime/sql/udf/udf-modules.ts';
import { parseModuleTypes, UDF_TYPES_FORMAT } from '../../../runtime/sql/udf/udf-types.ts';
import type { FunctionTypes, ModuleTypes } from '../../../runtime/sql/udf/udf-types.ts';
import type { ObjectDigest } from './artifact-digest.ts';
import { holdsCapacity } from './decide.ts';

export type SqlModulesStatus = NonNullable<DeploymentStatus['sqlModules']>;
export type SqlModuleProblemReason = 'SqlModuleNotAllowed' | 'SqlModuleNotFound' | 'SqlModuleTooLarge' | 'SqlModuleTypesMissing' | 'SqlModuleTypesInvalid' | 'SqlModuleStorageUnavailable';

export interface SqlModuleProblem { reason: SqlModuleProblemReason; message: string }

/** One module the script needs: where it is and which of its functions the script creates. */
export interface WantedModule {
  module: string;
  bucket: string;
  key: string;
  functions: ScriptFunction[];
}

/** What the rest of the operator needs: the pins for the pods, the types for the check, the status. */
export interface SqlModulesResult {
  /** module as written → s3://<bucket>/<key>#sha256=<hex> */
  pins?: Record<string, string>;
  /** module → its declared types (the SQL check's UdfLoader) */
  declared?: ReadonlyMap<string, ModuleTypes>;
  status?: SqlModulesStatus;
  problem?: SqlModuleProblem;
}

export type SqlModulesPlan =
  | { kind: 'none' }
  | { kind: 'problem'; problem: SqlModuleProblem }
  | { kind: 'reuse'; result: SqlModulesResult }
  | { kind: 'resolve'; modules: WantedModule[] };

export interface SqlModulesInput {
  /** The script (inline spec.source.sql, or a .sql artifact's text) and the field that names it in messages. */
  script: string;
  field: string;
  spec: DeploymentSpec;
  namespace: string;
  specHash: string;
  previous: DeploymentStatus | undefined;
  /** The namespace's workspace bucket; undefined when it has none. */
  scope: BucketScope | undefined;
}

const at = (field: string, f: ScriptFunction) => `${field}: line ${f.line}, column ${f.column}: function '${f.name}' ('${f.identifier}')`;
const uploadHint = (namespace: string, module: string) => `npx millrace artifacts upload --kind sql-artifacts --name ${module} <file> -n ${namespace}`;

/** Where a script's module is, or why the Deployment may not load it. */
export function locateModule(f: ScriptFunction, field: string, scope: BucketScope): { ok: true; module: string; bucket: string; key: string } | { ok: false; problem: SqlModuleProblem } {
  const dir = namespaceArtifactsDir(scope.prefix, scope.namespace, 'sql-artifacts');
  const refused = (why: string): { ok: false; problem: SqlModuleProblem } => ({ ok: false, problem: { reason: 'SqlModuleNotAllowed', message: `${at(field, f)}: ${why}; a Deployment loads function modules only from its own namespace's s3://${scope.bucket}/${dir} (write the module's path relative to it, as 'udf/fns.mjs#${f.exportName}', and upload it with ${uploadHint(scope.namespace, 'udf/fns.mjs')})` } });
  const ref = moduleRefOf(f.module);
  if (!ref.ok) return refused(ref.why);
  if (!/^s3:\/\//i.test(ref.ref)) {
    if (!isArtifactPath(ref.ref, true)) return refused(`'${ref.ref}' is not a file path of letters, digits, '.', '_', '-' and '/'`);
    return { ok: true, module: ref.ref, bucket: scope.bucket, key: `${dir}${ref.ref}` };
  }
  const [, bucket = '', key = ''] = /^s3:\/\/([^/]+)\/(.+)$/i.exec(ref.ref) ?? [];
  if (bucket !== scope.bucket) return refused(`${ref.ref} is not in the workspace bucket ${scope.bucket}`);
  if (!key.startsWith(dir) || !isArtifactPath(key.slice(dir.length), true)) return refused(`${ref.ref} is outside the namespace's sql-artifacts folder`);
  return { ok: true, module: ref.ref, bucket, key };
}

/** The pins and declared types of recorded modules (what a reuse hands on). */
export function resultOfStatus(status: SqlModulesStatus): SqlModulesResult {
  const pins: Record<string, string> = {};
  const declared = new Map<string, ModuleTypes>();
  for (const m of status.modules) {
    const [, bucket = '', key = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(m.location) ?? [];
    pins[m.module] = formatJobUrl({ base: `s3://${bucket}/${key}`, sha256: m.sha256 });
    const functions: Record<string, FunctionTypes> = {};
    for (const f of m.functions) functions[f.export] = { kind: f.kind, result: f.result, ...(f.retract !== undefined ? { retract: f.retract } : {}), ...(f.merge !== undefined ? { merge: f.merge } : {}) };
    declared.set(m.module, { format: UDF_TYPES_FORMAT, module: { sha256: m.sha256, ...(m.size !== undefined ? { size: m.size } : {}) }, functions });
  }
  return { pins, declared, status };
}

export function planSqlModules(input: SqlModulesInput): SqlModulesPlan {
  const functions = scriptFunctions(input.script);
  // a script that does not parse is reported by the SQL check, with line and column
  if (functions === undefined || functions.length === 0) return { kind: 'none' };
  const scope = input.scope;
  if (!scope) {
    const f = functions[0]!;
    return { kind: 'problem', problem: { reason: 'SqlModuleStorageUnavailable', message: `${at(input.field, f)}: function modules are files of the workspace bucket, but namespace ${input.namespace} has no workspace bucket (its Workspace sets no spec.storage); give the Workspace storage` } };
  }
  const byModule = new Map<string, WantedModule>();
  for (const f of functions) {
    const loc = locateModule(f, input.field, scope);
    if (!loc.ok) return { kind: 'problem', problem: loc.problem };
    const m = byModule.get(loc.module) ?? { module: loc.module, bucket: loc.bucket, key: loc.key, functions: [] };
    m.functions.push(f);
    byModule.set(loc.module, m);
  }
  const modules = [...byModule.values()];
  const prev = input.previous?.sqlModules;
  const same = prev !== undefined && prev.specHash === input.specHash && prev.modules.length === modules.length &&
    modules.every((m) => prev.modules.some((p) => p.module === m.module && p.location === `s3://${m.bucket}/${m.key}`));
  // A suspended or cancelled Deployment starts nothing: what was pinned stays, the bucket is not read.
  if (prev !== undefined && input.spec.state !== 'running' && same) return { kind: 'reuse', result: resultOfStatus(prev) };
  if (same && holdsCapacity(input.previous?.phase)) return { kind: 'reuse', result: resultOfStatus(prev) };
  return { kind: 'resolve', modules };
}

/** What the bucket said about one module: its digest (undefined: no such object) and its types file's text (undefined: none). */
export interface ModuleRead {
  digest: ObjectDigest | undefined;
  typesText: string | undefined;
}

export function completeSqlModules(input: Pick<SqlModulesInput, 'field' | 'namespace' | 'specHash'>, modules: readonly WantedModule[], reads: readonly ModuleRead[], now: string): SqlModulesResult {
  const recorded: SqlModulesStatus['modules'] = [];
  for (const [i, m] of modules.entries()) {
    const read = reads[i]!;
    const f = m.functions[0]!;
    const location = `s3://${m.bucket}/${m.key}`;
    const fail = (reason: SqlModuleProblemReason, why: string): SqlModulesResult => ({ problem: { reason, message: `${at(input.field, f)}: ${why}` } });
    const retry = 'the Deployment starts once it is there (looked at again every 15 s)';
    if (!read.digest) return fail('SqlModuleNotFound', `its module ${m.module} does not exist (${location}); upload it with ${uploadHint(input.namespace, m.module)}; ${retry}`);
    if (read.digest.tooLarge) return fail('SqlModuleTooLarge', `its module ${location} has ${read.digest.size} bytes, more than the ${MAX_ARTIFACT_BYTES} a module may have; bundle it smaller (npx millrace bundle --minify)`);
    if (read.typesText === undefined) return fail('SqlModuleTypesMissing', `its module ${m.module} has no types file (${location}.types.json), and the operator never runs a module to learn its types; upload the module with ${uploadHint(input.namespace, m.module)}, which writes it; ${retry}`);
    const parsed = parseModuleTypes(read.typesText);
    if (!parsed.ok) return fail('SqlModuleTypesInvalid', `the types file ${location}.types.json is not valid (${parsed.why}); upload the module again with ${uploadHint(input.namespace, m.module)}`);
    if (parsed.types.module.sha256 !== read.digest.sha256) {
      return fail('SqlModuleTypesInvalid', `the types file ${location}.types.json was written for another version of the module (sha256 ${parsed.types.module.sha256.slice(0, 12)}…, the module has ${read.digest.sha256.slice(0, 12)}…); upload the module again with ${uploadHint(input.namespace, m.module)}, which writes both`);
    }
    const functions: SqlModulesStatus['modules'][number]['functions'] = [];
    for (const fn of m.functions) {
      const t = parsed.types.functions[fn.exportName];
      // an export the types file does not list is reported by the SQL check at its call
      if (t === undefined || functions.some((x) => x.export === fn.exportName)) continue;
      functions.push({ export: fn.exportName, kind: t.kind, result: t.result, ...(t.retract !== undefined ? { retract: t.retract } : {}), ...(t.merge !== undefined ? { merge: t.merge } : {}) });
    }
    recorded.push({ module: m.module, location, sha256: read.digest.sha256, size: read.digest.size, functions });
  }
  const status: SqlModulesStatus = { specHash: input.specHash, resolvedAt: now, modules: recorded };
  return resultOfStatus(status);
}

