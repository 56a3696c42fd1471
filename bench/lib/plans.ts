// The rows of the Nexmark comparison and what each side runs for them. Each row names the Millrace
// job module and the Flink peer's query; the plans come from the code that runs: the job module's
// exported `plan(params)` and the tasks of the job graph Millrace builds from it, and the Flink
// peer's `--describe-plan` (its `Queries.plan` and the JobGraph Flink builds from the pipeline).

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildStreamGraph, jobParams, type JobDefinition, type JobParams } from '../../runtime/api/environment.ts';
import { buildJobGraph } from '../../runtime/graph/job-graph.ts';
import { javaArgs } from './flink.ts';
import { runCaptured } from './run-process.ts';
import type { DeclaredPlan } from './results.ts';

export interface BenchRow {
  /** the row's name in the report and in --queries */
  readonly row: string;
  /** the Nexmark query: the Flink peer's query, the reference result, the target */
  readonly query: string;
  /** the Millrace job module, relative to the checkout */
  readonly millraceJob: string;
  /** why the row exists besides the query's headline row (an optimization one side has); null for a headline row */
  readonly label: string | null;
}

export const ROWS: readonly BenchRow[] = [
  { row: 'q0', query: 'q0', millraceJob: 'examples/nexmark/q0.ts', label: null },
  { row: 'q1', query: 'q1', millraceJob: 'examples/nexmark/q1.ts', label: null },
  { row: 'q2', query: 'q2', millraceJob: 'examples/nexmark/q2.ts', label: null },
  { row: 'q3', query: 'q3', millraceJob: 'examples/nexmark/q3.ts', label: null },
  // the headline q5: local combine when a window fires, as the Flink peer's chained LocalMaxPerWindow
  { row: 'q5', query: 'q5', millraceJob: 'bench/jobs/q5-local-combine.ts', label: null },
  {
    row: 'q5-best-keys', query: 'q5', millraceJob: 'examples/nexmark/q5.ts',
    label: "Millrace's optimization, not in the Flink peer: the best auctions per window are kept up to date per bid (maxPerWindow), so a window fires without visiting every auction",
  },
  { row: 'q7', query: 'q7', millraceJob: 'examples/nexmark/q7.ts', label: null },
  { row: 'q8', query: 'q8', millraceJob: 'examples/nexmark/q8.ts', label: null },
];

interface JobModule {
  readonly default: JobDefinition;
  readonly plan?: (params: JobParams) => { readonly logical: readonly string[]; readonly implementation: readonly string[] };
}

/** What the Millrace job module declares and the tasks (operator chains) of the job graph built from it. */
export async function millracePlan(root: string, job: string, params: Record<string, string>, parallelism: number): Promise<DeclaredPlan> {
  const mod = (await import(pathToFileURL(join(root, job)).href)) as JobModule;
  if (typeof mod.plan !== 'function') throw new Error(`MR_ERR_BENCH_PLAN: ${job} exports no plan(params); export one next to its build (see examples/nexmark/common.ts QueryPlan)`);
  const declared = mod.plan(jobParams(params));
  const graph = buildJobGraph(buildStreamGraph(mod.default, parallelism, params));
  return { logical: [...declared.logical], implementation: [...declared.implementation], tasks: graph.vertices.map((v) => v.name) };
}

/** The Flink peer's declared plan and the tasks Flink builds (`--describe-plan`: builds the pipeline, runs nothing). */
export async function flinkPlan(jar: string, query: string, args: readonly string[]): Promise<DeclaredPlan> {
  const out = await runCaptured('java', [...javaArgs(jar, 1), '--query', query, ...args, '--describe-plan'], { timeoutMs: 300_000 });
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line === undefined) throw new Error(`MR_ERR_BENCH_PLAN: the Flink peer printed no plan for ${query}: ${out.slice(-300)}`);
  const plan = JSON.parse(line) as DeclaredPlan;
  return { logical: plan.logical, implementation: plan.implementation, tasks: plan.tasks };
}
