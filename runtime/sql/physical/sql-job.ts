// A SQL script as an ordinary job module, so it runs wherever a job module runs: `millrace run`
// (a JobManager and TaskManager processes), application mode in a pod. The script's path is the
// job parameter `sql.file`; every INSERT of the script goes into this one job (as one statement
// set), and other `--set` parameters are the session's configuration. Building is synchronous
// and deterministic, so the JobManager and every TaskManager build the same graph.
import { readFileSync } from 'node:fs';
import { defineJob } from '../../api/environment.ts';
import { createConnectorRegistry } from '../../connectors/factory/index.ts';
import { SqlError } from '../errors.ts';
import { registryCapabilities } from '../planner/registry-capabilities.ts';
import type { PlannedTree } from '../planner/planner.ts';
import { SqlSession } from '../session/sql-session.ts';
import { translatePlans } from './translate.ts';

export default defineJob({
  name: 'sql',
  build(env, params) {
    const file = params.get('sql.file', '');
    if (file === '') throw new SqlError('MR_ERR_SQL_UNSUPPORTED', "the SQL job needs the script's path as the parameter sql.file (--set sql.file=job.sql)");
    const registry = createConnectorRegistry();
    const session = new SqlSession({ capabilities: registryCapabilities(registry) });
    const trees: PlannedTree[] = [];
    for (const r of session.executeScript(readFileSync(file, 'utf8'))) {
      if (r.kind === 'query') throw new SqlError('MR_ERR_SQL_UNSUPPORTED', 'a SELECT returns its rows to a client, which a deployed job does not have; write INSERT INTO a table', r.statement.pos);
      if (r.kind === 'job') trees.push(...r.trees);
    }
    if (trees.length === 0) throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `the script ${file} has no INSERT: nothing to run`);
    translatePlans(env, trees, { registry });
  },
});
