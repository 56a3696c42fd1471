// What the comparison needs to know of Millrace's plans (not its results): the planned tree of each
// INSERT target, planned by a session set up as runtime/sql/run-sql-file.ts sets up its own, and a
// run of a rewritten tree (the candidate rows of a Top-N, ties.ts).

import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { createConnectorRegistry } from '../../../runtime/connectors/factory/index.ts';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { parseScript } from '../../../runtime/sql/parser/index.ts';
import { translatePlans } from '../../../runtime/sql/physical/translate.ts';
import { deriveChangelog } from '../../../runtime/sql/planner/changelog.ts';
import type { LogicalNode } from '../../../runtime/sql/planner/logical-plan.ts';
import type { PlannedTree } from '../../../runtime/sql/planner/planner.ts';
import { registryCapabilities } from '../../../runtime/sql/planner/registry-capabilities.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { UdfLoader } from '../../../runtime/sql/udf/udf-loader.ts';

export interface PlannedScript {
  /** INSERT target name (as in the SQL) → its planned tree */
  readonly trees: Map<string, PlannedTree>;
  readonly config: Map<string, string>;
}

/** Plans every INSERT of the script without running it; throws Millrace's SqlError when it refuses one. */
export function planScript(sql: string, baseDir = process.cwd()): PlannedScript {
  const registry = createConnectorRegistry();
  const udfs = new UdfLoader({ baseDir });
  const session = new SqlSession({ capabilities: registryCapabilities(registry), udfTypes: udfs.typeResolver });
  const trees = new Map<string, PlannedTree>();
  for (const statement of parseScript(sql)) {
    const result = session.execute(statement);
    if (result.kind !== 'job') continue;
    for (const tree of result.trees) if (tree.optimized.kind === 'Sink') trees.set(tree.optimized.table.path.name, tree);
  }
  return { trees, config: session.config };
}

/** Runs one rewritten plan (root: a Sink) on the local runtime; the rows its sink receives. */
export async function runTree(root: LogicalNode, config: Map<string, string>, parallelism: number): Promise<ChangelogRow[]> {
  const registry = createConnectorRegistry();
  const tree: PlannedTree = { logical: root, optimized: root, changelog: deriveChangelog(root, registryCapabilities(registry)) };
  const rows: ChangelogRow[] = [];
  const job = defineJob({ name: 'sql-candidates', build: (env) => translatePlans(env, [tree], { registry, config, sinkFor: () => collectSink(rows) }) });
  await executeLocally(job, { parallelism }).done;
  return rows;
}

/** Whether a node of the plan reads the wall clock: a window, deduplication or OVER on a PROCTIME() column. */
export function processingTimeNode(tree: PlannedTree): string | undefined {
  const isProctime = (n: LogicalNode, index: number): boolean => {
    const t = n.fields[index]?.type;
    return t !== undefined && (t.root === 'TIMESTAMP' || t.root === 'TIMESTAMP_LTZ') && t.timeAttribute === 'PROCTIME';
  };
  const walk = (n: LogicalNode): string | undefined => {
    if ((n.kind === 'WindowAggregate' || n.kind === 'WindowTableFunction') && isProctime(n.input, n.window.timeIndex)) return `${n.kind}(${n.window.kind} on ${n.input.fields[n.window.timeIndex]!.name})`;
    if (n.kind === 'Deduplicate' && n.timeKind === 'PROCTIME') return 'Deduplicate(on PROCTIME)';
    if (n.kind === 'Over' && n.groups.some((g) => g.orderKeys.some((k) => isProctime(n.input, k.index)))) return 'Over(ordered by PROCTIME)';
    const inputs = n.kind === 'Join' ? [n.left, n.right] : n.kind === 'Union' ? n.inputs : 'input' in n ? [n.input] : [];
    for (const i of inputs) {
      const found = walk(i);
      if (found) return found;
    }
    return undefined;
  };
  return walk(tree.optimized);
}
