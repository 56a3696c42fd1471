// Where the SQL client's statements run: in this process, on the local runtime (the same
// translation as every SQL job, runtime/sql/physical). An INSERT (or statement set) becomes a job
// writing through its connectors; a SELECT becomes a job whose sink hands each row back to the
// client (the "collect" path: Flink's client fetches a query's rows from the cluster the same way).
import { randomBytes } from 'node:crypto';
import type { Sink } from '../../api/functions.ts';
import type { ConnectorRegistry } from '../../connectors/factory/index.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import { buildStreamGraph, defineJob } from '../../api/environment.ts';
import { buildJobGraph } from '../../graph/job-graph.ts';
import { createLocalTasks, executeLocally } from '../../local/local-executor.ts';
import { LocalSavepoints, loadRestoredState } from './local-savepoints.ts';
import type { CatalogTable } from '../catalog/catalog-objects.ts';
import type { PlannedTree } from '../planner/planner.ts';
import { translatePlans } from '../physical/translate.ts';

export interface RunningJob {
  readonly id: string;
  /** resolves when the job's bounded sources ended; rejects with its failure */
  readonly done: Promise<void>;
  cancel(): void;
  /** INSERT jobs: stop-with-savepoint into `targetDirectory`; resolves with the savepoint's path */
  stopWithSavepoint?(targetDirectory: string, drain: boolean, stopping: () => void): Promise<string>;
}

/** Where an INSERT job starts from ('execution.savepoint.path'). */
export interface RestoreSettings {
  readonly path: string;
  readonly allowNonRestoredState: boolean;
}

/** Flink's job ids: 32 hex digits. */
export const newJobId = (): string => randomBytes(16).toString('hex');

/**
 * Starts the job of an INSERT or a statement set, from a savepoint when `restore` is given (its
 * state is assigned to the subtasks by uid, as a JobManager does). The job can stop with a savepoint.
 */
export async function startInsertJob(trees: readonly PlannedTree[], registry: ConnectorRegistry, parallelism: number, restore?: RestoreSettings): Promise<RunningJob> {
  const id = newJobId();
  const graph = buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, trees, { registry }) }), parallelism, {});
  const jobGraph = buildJobGraph(graph);
  const restoredFor = restore === undefined ? undefined : await loadRestoredState(restore.path, jobGraph, restore.allowNonRestoredState);
  const savepoints = new LocalSavepoints(id);
  const tasks = createLocalTasks(graph, jobGraph, { jobId: id, ...(restoredFor ? { restoredFor } : {}), onCheckpoint: (s) => savepoints.receive(s) });
  savepoints.attach(tasks);
  const cancel = (): void => tasks.forEach((t) => t.cancel());
  const done = Promise.all(tasks.map((t) => t.run().catch((err: unknown) => {
    cancel();
    throw err;
  }))).then(() => undefined);
  return { id, done, cancel, stopWithSavepoint: (dir, drain, stopping) => savepoints.stopWithSavepoint(dir, drain, stopping) };
}

const RESULT_TABLE = 'collect_result';

/** Starts a SELECT: its rows go to `onRow` in the order the (single) collecting sink sees them. */
export function startQueryJob(tree: PlannedTree, registry: ConnectorRegistry, parallelism: number, onRow: (row: ChangelogRow) => void): RunningJob {
  const fields = tree.optimized.fields;
  // The query's rows go into a sink node over a table that exists only for this query.
  const table: CatalogTable = {
    kind: 'table', path: { catalog: 'default_catalog', database: 'default_database', name: RESULT_TABLE },
    schema: { columns: fields.map((f) => ({ kind: 'physical' as const, name: f.name, type: f.type })) },
    options: {}, partitionKeys: [], temporary: true,
  };
  const sinkTree: PlannedTree = { ...tree, optimized: { kind: 'Sink', input: tree.optimized, table, overwrite: false, fields: [...fields] } };
  const collect: Sink<ChangelogRow> = { name: 'collect', createWriter: () => ({ write: (row: ChangelogRow) => onRow(row) }) };
  const id = newJobId();
  const exec = executeLocally(defineJob({ name: 'sql-query', build: (env) => translatePlans(env, [sinkTree], { registry, sinkFor: () => collect }) }), { parallelism, jobId: id });
  return { id, done: exec.done, cancel: () => exec.cancel() };
}
