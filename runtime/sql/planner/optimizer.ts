// Applies the rewrite rules bottom-up until the plan stops changing (a bounded fixpoint, so a
// pair of rules undoing each other cannot loop forever).
import type { LogicalNode } from './logical-plan.ts';
import { transformUp } from './logical-plan.ts';
import type { Rule } from './rules/index.ts';
import { DEFAULT_RULES } from './rules/index.ts';

export function optimize(root: LogicalNode, rules: readonly Rule[] = DEFAULT_RULES, maxPasses = 30): LogicalNode {
  let plan = root;
  for (let pass = 0; pass < maxPasses; pass++) {
    let changed = false;
    plan = transformUp(plan, (node) => {
      let current = node;
      for (let round = 0; round < 10; round++) {
        let applied = false;
        for (const rule of rules) {
          const next = rule.rewrite(current);
          if (next !== undefined && next !== current) {
            current = next;
            applied = true;
            changed = true;
          }
        }
        if (!applied) break;
      }
      return current;
    });
    if (!changed) break;
  }
  return plan;
}
