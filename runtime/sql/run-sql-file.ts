// Runs a SQL script in this process: DDL/SET go to a session, every INSERT (or statement set) is
// planned, translated (physical/) into a DataStream job and run on the local runtime until its
// bounded sources end. Used by `millrace sql -f` and by sql:compare (test/sql/flink-oracle).
import path from 'node:path';
import { defineJob } from '../api/environment.ts';
import { collectSink } from '../connectors/collect-sink.ts';
import { createConnectorRegistry } from '../connectors/factory/index.ts';
import type { ConnectorRegistry } from '../connectors/factory/index.ts';
import type { PlannedTree } from './planner/planner.ts';
import type { ChangelogRow } from '../connectors/factory/row.ts';
import { executeLocally } from '../local/local-executor.ts';
import { SqlError } from './errors.ts';
import { translatePlans } from './physical/translate.ts';
import { registryCapabilities } from './planner/registry-capabilities.ts';
import type { StatementResult } from './session/result.ts';
import { SqlSession } from './session/sql-session.ts';
import { parseScript } from './parser/index.ts';
import { UdfLoader } from './udf/udf-loader.ts';

export interface RunSqlFileOptions {
  readonly parallelism?: number;
  /** each INSERT target collects its rows in-process instead of writing through its connector */
  readonly collectSinks?: boolean;
  /** initial configuration, as `SET 'k' = 'v'` (the CLI's --set) */
  readonly config?: Record<string, string>;
  /** where JAVASCRIPT function modules of CREATE FUNCTION load from (default: the working directory) */
  readonly baseDir?: string;
  /** called with each non-job statement's result (the CLI prints them) */
  readonly onResult?: (result: StatementResult) => void;
  /** runs a SELECT and shows its rows (the CLI: runtime/sql/client); without it a SELECT is refused */
  readonly onQuery?: (tree: PlannedTree, registry: ConnectorRegistry) => Promise<void>;
}

export interface SinkResult {
  /** the INSERT target's table name */
  readonly table: string;
  /** the rows it received, in order (only with collectSinks) */
  readonly changelog: ChangelogRow[];
}

export async function runSqlFile(sql: string, options: RunSqlFileOptions = {}): Promise<{ sinks: SinkResult[]; jobs: number }> {
  const registry = createConnectorRegistry();
  const udfs = new UdfLoader({ baseDir: options.baseDir ?? process.cwd() });
  const session = new SqlSession({ capabilities: registryCapabilities(registry), udfTypes: udfs.typeResolver, ...(options.config ? { config: options.config } : {}) });
  const sinks: SinkResult[] = [];
  let jobs = 0;
  for (const statement of parseScript(sql)) {
    const result = session.execute(statement);
    if (result.kind === 'query') {
      if (options.onQuery === undefined) throw new SqlError('MR_ERR_SQL_UNSUPPORTED', 'a SELECT returns its rows to a client, and this caller has none; write INSERT INTO a print or filesystem table', result.statement.pos);
      await options.onQuery(result.tree, registry);
      continue;
    }
    if (result.kind !== 'job') {
      options.onResult?.(result);
      continue;
    }
    const collected = new Map<string, ChangelogRow[]>();
    const job = defineJob({
      name: `sql-${++jobs}`,
      build: (env) => translatePlans(env, result.trees, {
        registry, config: session.config,
        ...(options.collectSinks ? {
          sinkFor: (table) => {
            let rows = collected.get(table.path.name);
            if (rows === undefined) collected.set(table.path.name, (rows = []));
            return collectSink(rows);
          },
        } : {}),
      }),
    });
    // bounded sources end, so the job ends (Flink's sql-client -f runs INSERTs one after another too)
    await executeLocally(job, { parallelism: options.parallelism ?? 1 }).done;
    for (const [table, changelog] of collected) sinks.push({ table, changelog });
  }
  return { sinks, jobs };
}

/** `millrace sql -f FILE [--set k=v ...] [--parallelism N]`: runs the script, prints what the SQL client prints; exit code. */
export async function runSqlCommand(opts: { file: string; config: Record<string, string>; parallelism: number; out?: (text: string) => void }): Promise<number> {
  const out = opts.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  const { readFileSync } = await import('node:fs');
  let sql: string;
  try {
    sql = readFileSync(opts.file, 'utf8');
  } catch (err) {
    throw new Error(`MR_ERR_CLI: cannot read the SQL script '${opts.file}': ${(err as Error).message}`, { cause: err });
  }
  const { formatTable } = await import('./session/result.ts');
  const { jobs } = await runSqlFile(sql, {
    parallelism: opts.parallelism, config: opts.config, baseDir: path.dirname(path.resolve(opts.file)),
    onResult: (r) => out(r.kind === 'ok' ? r.message : r.kind === 'table' ? formatTable(r.table) : r.kind === 'explain' ? r.text : ''),
    // a SELECT prints its rows as they arrive, as Flink's client does with -f (tableau)
    onQuery: async (tree, registry) => {
      const { TableauView } = await import('./client/result-view.ts');
      const { startQueryJob } = await import('./client/local-jobs.ts');
      const view = new TableauView(tree.optimized.fields);
      let rows = 0;
      await startQueryJob(tree, registry, opts.parallelism, (row) => out(`${rows++ === 0 ? `${view.header()}\n` : ''}${view.row(row)}`)).done;
      out(view.footer());
    },
  });
  out(`[INFO] ${jobs} job${jobs === 1 ? '' : 's'} finished.`);
  return 0;
}
