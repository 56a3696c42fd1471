// The rewrites the session's configuration switches on (optimizer-config.ts), applied once each,
// in order, after the fixpoint of the default rules: split distinct aggregation, then mini-batch,
// then local/global aggregation (which needs mini-batch). Those are off by default, as in Flink.
// Local/global window aggregation is on by default (Flink's agg-phase-strategy AUTO plans it
// without mini-batch) and off with ONE_PHASE.
import type { ConnectorCapabilities } from '../changelog.ts';
import type { LogicalNode } from '../logical-plan.ts';
import { transformUp } from '../logical-plan.ts';
import { miniBatch } from './mini-batch.ts';
import { aggregateOptimizerConfig } from './optimizer-config.ts';
import type { Rule } from './rule.ts';
import { splitDistinctAggregate } from './split-distinct-aggregate.ts';
import { twoPhaseAggregate } from './two-phase-aggregate.ts';
import { twoPhaseWindowAggregate } from './two-phase-window-aggregate.ts';

export function configuredRules(config: ReadonlyMap<string, string> | undefined, capabilities: ConnectorCapabilities): Rule[] {
  const c = aggregateOptimizerConfig(config);
  const rules: Rule[] = [];
  if (c.splitDistinctBuckets !== undefined) rules.push(splitDistinctAggregate(c.splitDistinctBuckets));
  if (c.miniBatch !== undefined) {
    rules.push(miniBatch(c.miniBatch));
    if (c.aggPhaseStrategy !== 'ONE_PHASE') rules.push(twoPhaseAggregate(capabilities));
  }
  if (c.aggPhaseStrategy !== 'ONE_PHASE') rules.push(twoPhaseWindowAggregate);
  return rules;
}

/** Each rule once over the whole plan (bottom-up); a rewritten node is not visited again by the same rule. */
export function applyConfiguredRules(plan: LogicalNode, rules: readonly Rule[]): LogicalNode {
  let out = plan;
  for (const rule of rules) out = transformUp(out, (n) => rule.rewrite(n) ?? n);
  return out;
}
