// Mini-batch for group aggregation (`table.exec.mini-batch.enabled`, `...allow-latency`,
// `...size`): the Aggregate applies its input to state once per batch of rows per key instead of
// once per row (physical/aggregate/mini-batch-group-aggregate.ts). Flink inserts a
// MiniBatchAssigner that emits batch markers; here each mini-batch operator times its own batch
// (EXPLAIN shows the assigner under the aggregate). Window aggregates are not touched: they
// already apply once per window.
import type { LogicalNode } from '../logical-plan.ts';
import type { MiniBatchConfig } from './optimizer-config.ts';
import type { Rule } from './rule.ts';

export function miniBatch(config: MiniBatchConfig): Rule {
  return {
    name: 'MiniBatchGroupAggregate',
    rewrite(node: LogicalNode): LogicalNode | undefined {
      if (node.kind !== 'Aggregate' || node.miniBatch !== undefined) return undefined;
      return { ...node, miniBatch: { latencyMs: config.latencyMs, size: config.size } };
    },
  };
}
