// Local/global aggregation (`table.optimizer.agg-phase-strategy` AUTO | TWO_PHASE): a local
// pre-aggregation before the shuffle merges each bundle into one partial row per group, and the
// global aggregation after it merges the partial accumulators (Flink's
// TwoStageOptimizedAggregateRule). As in Flink, group aggregates get two phases only with
// mini-batch on (the local phase needs batches), and only when every call can merge: FIRST_VALUE,
// LAST_VALUE, LISTAGG and ARRAY_AGG depend on arrival order and keep one phase. An input with
// updates gets two phases too, as in Flink: the local accumulators take retractions back even
// when their row went out in an earlier bundle (COUNT and SUM below zero, MIN/MAX value counts
// below zero), and the global merge adds them up; the row count travels with them, so the global
// knows when a group is empty (-D). DISTINCT calls over updates keep one phase here (the distinct
// map drops a retraction of a value it does not hold).
import type { ConnectorCapabilities } from '../changelog.ts';
import { deriveChangelog } from '../changelog.ts';
import type { LogicalNode } from '../logical-plan.ts';
import type { Rule } from './rule.ts';

const MERGEABLE = new Set(['COUNT', 'SUM', 'SUM0', '$SUM0', 'AVG', 'MIN', 'MAX', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'COLLECT']);

export function twoPhaseAggregate(capabilities: ConnectorCapabilities): Rule {
  return {
    name: 'TwoStageOptimizedAggregate',
    rewrite(node: LogicalNode): LogicalNode | undefined {
      if (node.kind !== 'Aggregate' || node.miniBatch === undefined || node.twoPhase === true) return undefined;
      if (!node.aggCalls.every((c) => MERGEABLE.has(c.fn))) return undefined;
      const kinds = deriveChangelog(node.input, capabilities).get(node.input)?.kinds;
      if (kinds === undefined) return undefined;
      if (!kinds.every((k) => k === 'I') && node.aggCalls.some((c) => c.distinct)) return undefined;
      return { ...node, twoPhase: true };
    },
  };
}
