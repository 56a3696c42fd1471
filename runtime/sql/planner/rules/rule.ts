// A rewrite rule: looks at one node (whose inputs are already rewritten) and returns a
// replacement, or undefined when it does not apply. Rules are applied bottom-up until none
// changes the plan (optimizer.ts); each rule lives in its own file with its own tests.
import type { LogicalNode } from '../logical-plan.ts';

export interface Rule {
  name: string;
  rewrite(node: LogicalNode): LogicalNode | undefined;
}
