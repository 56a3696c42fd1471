// The equality keys of a join condition (`l.a = r.b AND ...`): what both inputs are partitioned
// and keyed by in the physical plan; the remaining conjuncts are checked per matching pair.
import type { LogicalNode } from './logical-plan.ts';
import type { Rex } from './rex.ts';
import { conjunctions } from './rex.ts';

export interface JoinKeys {
  /** Field indexes into the left input. */
  leftKeys: number[];
  /** Field indexes into the right input (not shifted by the left width). */
  rightKeys: number[];
  /** Conjuncts that are not column equalities across the two sides. */
  remaining: Rex[];
}

export function joinKeys(join: Extract<LogicalNode, { kind: 'Join' }>): JoinKeys {
  const lw = join.left.fields.length;
  const out: JoinKeys = { leftKeys: [], rightKeys: [], remaining: [] };
  for (const c of conjunctions(join.condition)) {
    if (c.kind === 'call' && c.op === '=' && c.operands.length === 2) {
      const [a, b] = c.operands as [Rex, Rex];
      if (a.kind === 'inputRef' && b.kind === 'inputRef' && (a.index < lw) !== (b.index < lw)) {
        const [l, r] = a.index < lw ? [a.index, b.index] : [b.index, a.index];
        out.leftKeys.push(l);
        out.rightKeys.push(r - lw);
        continue;
      }
    }
    if (!(c.kind === 'literal' && c.value === true)) out.remaining.push(c);
  }
  return out;
}
