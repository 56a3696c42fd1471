// The physical translation's entry: planned trees (planner/planner.ts) → operators of a
// DataStream job (runtime/api), so SQL runs on the local runtime and on JobManager/TaskManagers
// like any job. One translator per node kind (scan.ts, calc.ts, watermark.ts, values-union.ts,
// sink.ts); a node kind without one is refused with MR_ERR_SQL_UNSUPPORTED (unsupported.ts).
// Changelogs (+I/-U/+U/-D) flow between the operators; an upsert source is normalized first
// (changelog-normalize.ts), and the planner refuses updates where Flink does.
import type { StreamExecutionEnvironment } from '../../api/environment.ts';
import type { ChangelogInfo } from '../planner/changelog.ts';
import { inputsOf, type LogicalNode } from '../planner/logical-plan.ts';
import { operatorUids } from '../planner/operator-uids.ts';
import { reuseSources, tableSourceKey } from '../planner/rules/source-reuse.ts';
import { tableDescriptor } from '../planner/registry-capabilities.ts';
import type { PlannedTree } from '../planner/planner.ts';
import { SqlError } from '../errors.ts';
import { translateGroupAggregate } from './aggregate/group-aggregate.ts';
import { translateMiniBatchAggregate } from './aggregate/translate-mini-batch.ts';
import { translateFilter, translateProject } from './calc.ts';
import { translateJoin } from './join/translate-join.ts';
import { translateDeduplicate, translateRank } from './rank/translate-rank.ts';
import { translateChangelogScan } from './changelog-normalize.ts';
import { translateCorrelate } from './correlate.ts';
import { translateOver } from './over.ts';
import { translateSort } from './sort.ts';
import type { RowStream, TranslateContext, TranslateOptions } from './context.ts';
import { translateSink } from './sink.ts';
import { translateUnion, translateValues } from './values-union.ts';
import { unsupportedNode } from './unsupported.ts';
import { translateWindowAggregate } from './window/window-aggregate.ts';
import { translateWindowTableFunction } from './window/window-table-function.ts';
import { translateWatermarkAssigner } from './watermark.ts';
import { markIdleScans } from './source-idleness.ts';
import { declareRowType } from './record-type.ts';

/** Adds the operators of one job (the sinks of an INSERT or a statement set) to `env`. */
export function translatePlans(env: StreamExecutionEnvironment, planned: readonly PlannedTree[], options: TranslateOptions): void {
  // every INSERT of a script runs in this one job: identical scans of different INSERTs share one source too
  const trees = reuseSources(planned, options.config, (table) => options.registry.createSource(tableDescriptor(table)).watermarkPushDown === true);
  const uids = operatorUids(trees.map((t) => t.optimized));
  markIdleScans(env, trees.map((t) => t.optimized), options.config, (table) => options.registry.createSource(tableDescriptor(table)).watermarkPushDown === true);
  // one memo for the job: a node shared by several trees (a reused source) is built once and fans out
  const built = new Map<LogicalNode, RowStream>();
  const sources = new Map<string, RowStream>();
  const soleScans = scansAloneOnTheirTable(trees.map((t) => t.optimized));
  for (const tree of trees) {
    const ctx: TranslateContext = {
      ...options, env, uids, sources, soleScans, changelog: tree.changelog,
      translate(node) {
        let s = built.get(node);
        if (s === undefined) {
          s = translateNode(node, ctx, tree.changelog);
          // the channels after it write its rows by type (network/typed-rows.ts)
          declareRowType(env.graph, s, node.fields);
          built.set(node, s);
        }
        return s;
      },
    };
    const root = tree.optimized;
    if (root.kind !== 'Sink') throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `only INSERT INTO runs as a job; a plan ending in ${root.kind} has nowhere to write`);
    ctx.translate(root.input); // nodes that cannot run are refused bottom-up, naming the first
    // updates reach the sink as -U/+U/-D rows; the planner already refused them for append-only sinks
    translateSink(root, ctx);
  }
}

/** The scan nodes (after reuse: one node per shared scan) that are the only scan of their table in the job. */
function scansAloneOnTheirTable(roots: readonly LogicalNode[]): Set<LogicalNode> {
  const byTable = new Map<string, Set<LogicalNode>>();
  const seen = new Set<LogicalNode>();
  const visit = (node: LogicalNode): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.kind === 'TableScan') {
      const key = tableSourceKey(node.table);
      let scans = byTable.get(key);
      if (!scans) byTable.set(key, (scans = new Set()));
      scans.add(node);
    }
    for (const input of inputsOf(node)) visit(input);
  };
  for (const root of roots) visit(root);
  return new Set([...byTable.values()].filter((scans) => scans.size === 1).map((scans) => [...scans][0]!));
}

function translateNode(node: LogicalNode, ctx: TranslateContext, changelog: ReadonlyMap<LogicalNode, ChangelogInfo>): RowStream {
  switch (node.kind) {
    case 'TableScan': return translateChangelogScan(node, ctx, changelog.get(node));
    case 'Project': return translateProject(node, ctx);
    case 'Filter': return translateFilter(node, ctx);
    case 'WatermarkAssigner': return translateWatermarkAssigner(node, ctx);
    case 'Values': return translateValues(node, ctx);
    case 'Union': return translateUnion(node, ctx);
    case 'Aggregate': return node.miniBatch ? translateMiniBatchAggregate(node, ctx) : translateGroupAggregate(node, ctx);
    case 'WindowAggregate': return translateWindowAggregate(node, ctx);
    case 'WindowTableFunction': return translateWindowTableFunction(node, ctx);
    case 'Join': return translateJoin(node, ctx);
    case 'Rank': return translateRank(node, ctx);
    case 'Deduplicate': return translateDeduplicate(node, ctx);
    case 'Correlate': return translateCorrelate(node, ctx);
    case 'Sort': return translateSort(node, ctx);
    case 'Over': return translateOver(node, ctx);
    case 'Sink': throw new SqlError('MR_ERR_SQL_UNSUPPORTED', 'a Sink inside a plan');
    default: throw unsupportedNode(node);
  }
}
