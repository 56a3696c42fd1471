// Local/global aggregation (`table.optimizer.agg-phase-strategy` AUTO | TWO_PHASE): a local
// pre-aggregation before the shuffle merges each bundle into one partial row per group, and the
// global aggregation after it merges the partial accumulators (Flink's
// TwoStageOptimizedAggregateRule). As in Flink, group aggregates get two phases only with
// mini-batch on (the local phase needs batches), and only when every call can merge: FIRST_VALUE,
// LAST_VALUE and LISTAGG depend on arrival order and keep one phase. Unlike Flink, an input with
// updates keeps one phase too (here a retraction must meet the accumulator that holds its row).
import type { ConnectorCapabilities } from '../changelog.ts';
import { deriveChangelog } from '../changelog.ts';
import type { LogicalNode } from '../logical-plan.ts';
import type { Rule } from './rule.ts';

const MERGEABLE = new Set(['COUNT', 'SUM', 'SUM0', '$SUM0', 'AVG', 'MIN', 'MAX', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP']);

export function twoPhaseAggregate(capabilities: ConnectorCapabilities): Rule {
  return {
    name: 'TwoStageOptimizedAggregate',
    rewrite(node: LogicalNode): LogicalNode | undefined {
      if (node.kind !== 'Aggregate' || node.miniBatch === undefined || node.twoPhase === true) return undefined;
      if (!node.aggCalls.every((c) => MERGEABLE.has(c.fn))) return undefined;
      const kinds = deriveChangelog(node.input, capabilities).get(node.input)?.kinds;
      if (kinds === undefined || !kinds.every((k) => k === 'I')) return undefined;
      return { ...node, twoPhase: true };
    },
  };
}
