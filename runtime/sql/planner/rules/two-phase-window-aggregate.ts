// Local/global window aggregation (Flink's TwoStageOptimizedWindowAggregateRule, on by default:
// `table.optimizer.agg-phase-strategy` AUTO or TWO_PHASE): before the shuffle each subtask
// accumulates its rows per group and slice (the window for TUMBLE, Flink's slice for HOP and
// CUMULATE) and sends one partial row per group and slice when the watermark passes it; the
// global window aggregate merges the partials. Unlike group aggregation this needs no mini-batch:
// the watermark bounds the buffer. As in Flink, only event-time TUMBLE/HOP/CUMULATE windows of the
// window table functions, and only when every call can merge without arrival order or a distinct
// set (COUNT, SUM, AVG, MIN, MAX, STDDEV/VAR, COLLECT); SESSION windows, processing time, the legacy
// GROUP BY windows, DISTINCT, FIRST_VALUE/LAST_VALUE, LISTAGG, ARRAY_AGG and JAVASCRIPT aggregate
// functions keep one phase.
import { timeAttributeOf } from '../../types/data-type.ts';
import type { LogicalNode } from '../logical-plan.ts';
import type { Rule } from './rule.ts';

const MERGEABLE = new Set(['COUNT', 'SUM', 'SUM0', '$SUM0', 'AVG', 'MIN', 'MAX', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'COLLECT']);

export const twoPhaseWindowAggregate: Rule = {
  name: 'TwoStageOptimizedWindowAggregate',
  rewrite(node: LogicalNode): LogicalNode | undefined {
    if (node.kind !== 'WindowAggregate' || node.twoPhase === true || node.legacy === true) return undefined;
    if (node.window.kind === 'SESSION') return undefined;
    if (timeAttributeOf(node.input.fields[node.window.timeIndex]!.type) !== 'ROWTIME') return undefined;
    if (!node.aggCalls.every((c) => MERGEABLE.has(c.fn) && !c.distinct)) return undefined;
    return { ...node, twoPhase: true };
  },
};
