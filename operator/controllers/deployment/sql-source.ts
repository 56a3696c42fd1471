// A Deployment's inline SQL (spec.source.sql), as the operator handles it:
// - before any pod exists, the whole script is checked the way the job will build it
//   (runtime/sql/physical/sql-job.ts validateSqlJob: parse, plan, translate), and every failing
//   statement is named with its line and column in one message (condition Ready, a Warning Event);
// - a valid script goes into the Deployment's ConfigMap as job.sql, mounted in the JobManager and
//   TaskManager pods, and the runtime's SQL job module runs it (`--set sql.file=...`).
// JAVASCRIPT functions are checked with the types their modules' types files declare
// (sql-modules.ts); no module is loaded. The check never reads a Secret: `${secret:...}`
// references resolve to a placeholder here, and to the mounted value in the pods; files the options
// name (a Kafka truststore, a keystore) are opened only there (checkOnly).
import { createConnectorRegistry, SecretResolver } from '../../../runtime/connectors/factory/index.ts';
import { validateSqlJob } from '../../../runtime/sql/physical/sql-job.ts';
import type { ScriptProblem } from '../../../runtime/sql/session/validate-script.ts';
import type { ModuleTypes } from '../../../runtime/sql/udf/udf-types.ts';

/** The script's file in the ConfigMap and in the pods (next to millrace.json). */
export const SQL_FILE = 'job.sql';
/** The runtime's job module that runs a SQL script (runtime/sql/physical/sql-job.ts in the image). */
export const SQL_JOB_MODULE = '/opt/millrace/runtime/sql/physical/sql-job.ts';

/** Problems listed in the status; the rest are counted (a condition and an Event stay readable). */
const MAX_LISTED = 5;
const MAX_PROBLEM_CHARS = 400;

export interface SqlSourceProblem {
  reason: 'InvalidSql';
  message: string;
}

function describe(p: ScriptProblem): string {
  const where = p.line !== undefined ? `line ${p.line}, column ${p.column ?? 1}: ` : '';
  const text = p.message.length > MAX_PROBLEM_CHARS ? `${p.message.slice(0, MAX_PROBLEM_CHARS)}…` : p.message;
  return `${where}${text} (${p.code})`;
}

/** The status message for a script's problems: each with its line and column, then how to fix. */
export function sqlProblemMessage(problems: readonly ScriptProblem[], field = 'spec.source.sql'): string {
  const listed = problems.slice(0, MAX_LISTED).map(describe);
  const more = problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : '';
  return `${field}: ${listed.join('; ')}${more}; fix the statements and apply again (npx millrace sql -f job.sql checks and runs a script locally)`;
}

// Reconciles repeat; a script is checked once per text (the last few kept).
const checked = new Map<string, SqlSourceProblem | null>();
const CACHE_SIZE = 32;

/**
 * Checks the script as its job would build it (with the Deployment's configuration as its
 * session's); undefined when it can run. `declared`: the types of its JAVASCRIPT function modules
 * (sql-modules.ts; nothing of them runs here). `field` names the script in the message.
 */
export function validateSqlSource(sql: string, configuration: Record<string, string> = {}, declared?: ReadonlyMap<string, ModuleTypes>, field = 'spec.source.sql'): SqlSourceProblem | undefined {
  const key = `${field}\n${JSON.stringify(Object.entries(configuration).sort())}\n${declared ? JSON.stringify([...declared].sort(([a], [b]) => a.localeCompare(b))) : ''}\n${sql}`;
  const known = checked.get(key);
  if (known !== undefined) return known ?? undefined;
  const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent', () => 'secret-placeholder'), checkOnly: true });
  let problem: SqlSourceProblem | null;
  try {
    const v = validateSqlJob(sql, { registry, config: configuration, ...(declared ? { udfDeclared: declared } : {}) });
    problem = v.ok ? null : { reason: 'InvalidSql', message: sqlProblemMessage(v.problems, field) };
  } catch (err) {
    // not a SqlError: a fault of the SQL layer, still this script's, and no pod should start
    problem = { reason: 'InvalidSql', message: `${field}: the script could not be checked (${(err as Error).message.slice(0, MAX_PROBLEM_CHARS)}); no pods were created` };
  }
  if (checked.size >= CACHE_SIZE) checked.delete(checked.keys().next().value!);
  checked.set(key, problem);
  return problem ?? undefined;
}
