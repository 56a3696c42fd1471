// A SQL script as an ordinary job module, so it runs wherever a job module runs: `millrace run`
// (a JobManager and TaskManager processes), application mode in a pod (a Deployment's
// spec.source.sql: the operator mounts the script and names this module). The script's path is the
// job parameter `sql.file`; every INSERT of the script goes into this one job (as one statement
// set), and the other parameters (`--set k=v`, a Deployment's configuration) are the session's
// configuration. Building is synchronous and deterministic, so the JobManager and every
// TaskManager build the same graph, with the same plan-derived uids on every run of the same
// script (which is what lets a savepoint of one run restore into the next).
//
// validateSqlJob is what the operator runs before it creates any pod: the same session, planning
// and translation as build(), each failing statement reported with its line and column.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildStreamGraph, defineJob } from '../../api/environment.ts';
import type { JobDefinition, StreamExecutionEnvironment } from '../../api/environment.ts';
import { createConnectorRegistry } from '../../connectors/factory/index.ts';
import type { ConnectorRegistry } from '../../connectors/factory/index.ts';
import { SqlError } from '../errors.ts';
import type { SqlPosition } from '../errors.ts';
import { registryCapabilities } from '../planner/registry-capabilities.ts';
import type { PlannedTree } from '../planner/planner.ts';
import type { StatementResult } from '../session/result.ts';
import { SqlSession } from '../session/sql-session.ts';
import { validateScript } from '../session/validate-script.ts';
import { inCluster, UdfLoader } from '../udf/udf-loader.ts';
import type { ScriptValidation } from '../session/validate-script.ts';
import type { ModuleTypes } from '../udf/udf-types.ts';
import { translatePlans } from './translate.ts';

/** Job parameter naming the script file. */
export const SQL_FILE_PARAM = 'sql.file';

/** The session configuration a job's parameters give: all of them but the script's path. */
export function sessionConfigOf(params: Readonly<Record<string, string>>): Record<string, string> {
  const { [SQL_FILE_PARAM]: _file, ...config } = params;
  return config;
}

function refuseQuery(pos: SqlPosition): SqlError {
  return new SqlError('MR_ERR_SQL_UNSUPPORTED', 'a SELECT returns its rows to a client, which a deployed job does not have; write INSERT INTO a table (print, filesystem, ...)', pos);
}

/**
 * Adds the operators of every INSERT of `script` to `env`. JAVASCRIPT functions load from modules
 * relative to `baseDir` (the script's directory), except in a cluster (udf/udf-loader.ts).
 */
export function buildSqlJob(env: StreamExecutionEnvironment, script: string, config: Record<string, string> = {}, registry: ConnectorRegistry = createConnectorRegistry(), baseDir = process.cwd()): void {
  const udfs = new UdfLoader({ baseDir, localModules: !inCluster() });
  const session = new SqlSession({ capabilities: registryCapabilities(registry), config, udfTypes: udfs.typeResolver });
  const trees: PlannedTree[] = [];
  for (const r of session.executeScript(script)) {
    if (r.kind === 'query') throw refuseQuery(r.statement.pos);
    if (r.kind === 'job') trees.push(...r.trees);
  }
  if (trees.length === 0) throw new SqlError('MR_ERR_SQL_UNSUPPORTED', 'the script has no INSERT INTO or statement set: nothing to run as a job');
  translatePlans(env, trees, { registry, config: session.config });
}

export interface ValidateSqlJobOptions {
  /** the session configuration the job will get (a Deployment's configuration) */
  readonly config?: Record<string, string>;
  /** the connector registry to check options against; the operator passes one that never reads secret files */
  readonly registry?: ConnectorRegistry;
  /** where JAVASCRIPT function modules load from; absent (the operator): none loads, as in a cluster */
  readonly udfBaseDir?: string;
  /** the operator's check: each module's declared types (udf/udf-types.ts), by module as written; nothing loads */
  readonly udfDeclared?: ReadonlyMap<string, ModuleTypes>;
}

/**
 * Checks a script as a deployed job would run it, without running anything: parse, plan, refuse a
 * SELECT, and translate each INSERT into operators (a node that cannot run yet is refused here,
 * not in a pod). Every failing statement is one problem with its line and column.
 */
export function validateSqlJob(script: string, options: ValidateSqlJobOptions = {}): ScriptValidation {
  const registry = options.registry ?? createConnectorRegistry();
  const check = (r: StatementResult): void => {
    if (r.kind === 'query') throw refuseQuery(r.statement.pos);
    if (r.kind !== 'job') return;
    // a refusal while building (a node that cannot run, a connector's or a file path's) is this statement's
    buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, r.trees, { registry }) }), 1);
  };
  const udfs = new UdfLoader({ baseDir: options.udfBaseDir ?? process.cwd(), localModules: options.udfBaseDir !== undefined, ...(options.udfDeclared ? { declared: options.udfDeclared } : {}) });
  return validateScript(script, { capabilities: registryCapabilities(registry), udfTypes: udfs.typeResolver, ...(options.config ? { config: options.config } : {}), onResult: check });
}

/**
 * A SQL script file as a job of its own: how the job loader (runtime/artifacts/job-loader.ts) runs a
 * `*.sql` job URL, so `millrace run job.sql` and a Deployment whose artifact is a .sql file in the
 * workspace bucket run the script like this module does with `sql.file`.
 */
export function sqlScriptJob(file: string): JobDefinition {
  const script = readFileSync(file, 'utf8');
  return defineJob({ name: 'sql', build: (env, params) => buildSqlJob(env, script, sessionConfigOf(params.values), createConnectorRegistry(), path.dirname(file)) });
}

export default defineJob({
  name: 'sql',
  build(env, params) {
    const file = params.get(SQL_FILE_PARAM, '');
    if (file === '') throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `the SQL job needs the script's path as the parameter ${SQL_FILE_PARAM} (--set ${SQL_FILE_PARAM}=job.sql)`);
    let script: string;
    try {
      script = readFileSync(file, 'utf8');
    } catch (err) {
      throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `cannot read the SQL script ${file}: ${(err as Error).message}`);
    }
    buildSqlJob(env, script, sessionConfigOf(params.values), createConnectorRegistry(), path.dirname(path.resolve(file)));
  },
});
