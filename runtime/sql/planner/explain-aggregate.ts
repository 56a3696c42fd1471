// EXPLAIN lines for how a group aggregate runs when the configured rules marked it
// (rules/configured-rules.ts), in Flink's names: GlobalGroupAggregate (the node's own line) over
// Exchange and LocalGroupAggregate for two phases, and the MiniBatchAssigner that times the
// batches. Flink prints the assigner once above each source; here it stands under the aggregate
// it serves, since each mini-batch operator times its own batches.
import type { LogicalNode } from './logical-plan.ts';

function ms(v: number): string {
  return `${v}ms`;
}

export function aggregateChain(node: LogicalNode): string[] {
  if (node.kind !== 'Aggregate' || node.miniBatch === undefined) return [];
  const assigner = `MiniBatchAssigner(interval=[${ms(node.miniBatch.latencyMs)}], size=[${node.miniBatch.size}], mode=[ProcTime])`;
  if (node.twoPhase !== true) return [assigner];
  const inNames = node.input.fields.map((f) => f.name);
  const keys = node.groupKeys.map((k) => inNames[k]!);
  const partial = node.aggCalls.map((a, i) => `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${a.args.length === 0 ? '*' : a.args.map((x) => inNames[x]).join(', ')})${a.filterArg !== undefined ? ` FILTER ${inNames[a.filterArg]}` : ''} AS ${a.fn.toLowerCase().replace(/\$/g, '')}$${i}`);
  return [
    `Exchange(distribution=[${keys.length ? `hash[${keys.join(', ')}]` : 'single'}])`,
    `LocalGroupAggregate(${keys.length ? `groupBy=[${keys.join(', ')}], ` : ''}select=[${[...keys, ...partial].join(', ')}])`,
    assigner,
  ];
}
