// Validation and EXPLAIN of a SQL draft, in the console process, with the same code the operator
// runs before it creates pods (runtime/sql/session/validate-script.ts): problems with line and
// column, and for each INSERT (or statement set) the plan Flink's EXPLAIN would print.
// JAVASCRIPT functions are checked with the types files of the namespace's sql-artifacts folder,
// found, read and verified as the operator does for a Deployment (draftUdfTypes below); the
// console never runs a module.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ArtifactStore } from '../../../runtime/artifacts/artifact-store.ts';
import { namespaceArtifactsDir } from '../../../runtime/artifacts/layout.ts';
import { SqlError } from '../../../runtime/sql/errors.ts';
import { UdfLoader } from '../../../runtime/sql/udf/udf-loader.ts';
import { typesFileOf } from '../../../runtime/sql/udf/udf-types.ts';
import type { ModuleTypes } from '../../../runtime/sql/udf/udf-types.ts';
import type { DeploymentSpec } from '../../api/v1alpha1/deployment.ts';
import { completeSqlModules, planSqlModules } from '../../controllers/deployment/sql-modules.ts';
import type { ModuleRead, SqlModuleProblem } from '../../controllers/deployment/sql-modules.ts';
import { parseScript } from '../../../runtime/sql/parser/index.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { validateScript, type ScriptProblem, type ScriptValidation } from '../../../runtime/sql/session/validate-script.ts';

export interface SqlPlan { line: number; column: number; statement: string; plan: string }

/** The files of a namespace's sql-artifacts folder in its workspace bucket. */
export interface SqlArtifactFiles {
  readonly bucket: string;
  readonly prefix: string;
  /** a file by its name in the folder (`udf/fns.mjs`); undefined when there is none */
  read(name: string): Promise<Buffer | undefined>;
}

export function sqlArtifactFiles(store: ArtifactStore, namespace: string): SqlArtifactFiles {
  return {
    bucket: store.bucket,
    prefix: store.prefix,
    async read(name) {
      const got = await store.download(namespace, name, 'sql-artifacts');
      if (!got) return undefined;
      const chunks: Buffer[] = [];
      for await (const c of got.body as Readable) chunks.push(Buffer.from(c as Uint8Array));
      return Buffer.concat(chunks);
    },
  };
}

/** The declared types of a draft's JAVASCRIPT function modules, or why they cannot be used. */
export interface DraftUdfTypes {
  declared?: ReadonlyMap<string, ModuleTypes>;
  problems: ScriptProblem[];
}

const FIELD = 'the draft';

function problemOf(p: SqlModuleProblem): ScriptProblem {
  const at = /line (\d+), column (\d+)/.exec(p.message);
  return { code: 'MR_ERR_SQL_UDF_TYPES', message: `${p.reason}: ${p.message}`, ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}) };
}

/**
 * What the operator's check would use for a Deployment of this draft in `namespace`
 * (controllers/deployment/sql-modules.ts): each module resolved in the namespace's folder only,
 * its types file read and matched with the module's sha256; a missing, untyped, stale or foreign
 * module is a problem with the function's line and column and the upload command.
 */
export async function draftUdfTypes(text: string, namespace: string, files: SqlArtifactFiles): Promise<DraftUdfTypes> {
  // a draft is checked as a running Deployment would be: no earlier status, nothing to reuse
  const input = { script: text, field: FIELD, spec: { state: 'running' } as DeploymentSpec, namespace, specHash: '', previous: undefined, scope: { bucket: files.bucket, prefix: files.prefix, namespace } };
  const plan = planSqlModules(input);
  if (plan.kind === 'none' || plan.kind === 'reuse') return { problems: [] };
  if (plan.kind === 'problem') return { problems: [problemOf(plan.problem)] };
  const dir = namespaceArtifactsDir(files.prefix, namespace, 'sql-artifacts');
  const reads: ModuleRead[] = await Promise.all(plan.modules.map(async (m) => {
    const name = m.key.slice(dir.length);
    const [bytes, types] = await Promise.all([files.read(name), files.read(typesFileOf(name))]);
    return { digest: bytes ? { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length } : undefined, typesText: types?.toString('utf8') };
  }));
  const result = completeSqlModules(input, plan.modules, reads, new Date(0).toISOString());
  if (result.problem) return { problems: [problemOf(result.problem)] };
  return { ...(result.declared ? { declared: result.declared } : {}), problems: [] };
}

/** Session options for the declared types: registered as the operator's check does, nothing loads. */
function udfOptions(declared: ReadonlyMap<string, ModuleTypes> | undefined) {
  return declared ? { udfTypes: new UdfLoader({ baseDir: process.cwd(), localModules: false, declared }).typeResolver } : {};
}

export function validateSqlDraft(text: string, declared?: ReadonlyMap<string, ModuleTypes>): ScriptValidation {
  return validateScript(text, udfOptions(declared));
}

/** EXPLAIN of every INSERT and statement set of a script that validates; [] when it does not. */
export function explainSqlDraft(text: string, declared?: ReadonlyMap<string, ModuleTypes>): { validation: ScriptValidation; plans: SqlPlan[] } {
  const validation = validateScript(text, udfOptions(declared));
  if (!validation.ok) return { validation, plans: [] };
  const session = new SqlSession(udfOptions(declared));
  const plans: SqlPlan[] = [];
  for (const s of parseScript(text)) {
    const kind = s.statement.kind;
    if (kind !== 'insert' && kind !== 'statementSet') { session.execute(s); continue; }
    try {
      const explained = parseScript(`EXPLAIN ${s.text}`)[0];
      const r = explained ? session.execute(explained) : undefined;
      if (r?.kind === 'explain') plans.push({ ...s.statement.pos, statement: s.text, plan: r.text });
    } catch (e) {
      // the statement validated; a failing EXPLAIN is shown as its message rather than hiding the rest
      if (!(e instanceof SqlError)) throw e;
      plans.push({ ...s.statement.pos, statement: s.text, plan: `EXPLAIN failed: ${e.message}` });
    }
  }
  return { validation, plans };
}
