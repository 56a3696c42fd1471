// Interval joins (Flink's time-windowed join): a join whose condition bounds one input's time
// attribute by the other's (`l.rt BETWEEN r.rt - INTERVAL '1' HOUR AND r.rt`) runs with state
// that the watermark prunes, and emits only inserts. Both time attributes must be of the same
// kind (event time or processing time). Bounds are kept in milliseconds of l.rt - r.rt.
import type { LogicalNode } from '../logical-plan.ts';
import type { Rex } from '../rex.ts';
import { conjunctions } from '../rex.ts';
import { timeAttributeOf } from '../../types/data-type.ts';
import type { Rule } from './rule.ts';

/** `ref` or `ref ± INTERVAL` → (index, offset ms). */
function timeTerm(r: Rex): { index: number; offset: number } | undefined {
  if (r.kind === 'inputRef') return { index: r.index, offset: 0 };
  if (r.kind === 'call' && (r.op === '+' || r.op === '-') && r.operands.length === 2) {
    const [a, b] = r.operands as [Rex, Rex];
    if (a.kind === 'inputRef' && b.kind === 'literal' && typeof b.value === 'number' && b.type.root === 'INTERVAL_DAY_TIME') {
      return { index: a.index, offset: r.op === '+' ? b.value : -b.value };
    }
  }
  return undefined;
}

export const intervalJoin: Rule = {
  name: 'interval-join',
  rewrite(node) {
    if (node.kind !== 'Join' || node.variant.kind !== 'regular' || node.joinType === 'SEMI' || node.joinType === 'ANTI') return undefined;
    const lw = node.left.fields.length;
    const attr = (i: number): string | undefined => timeAttributeOf(i < lw ? node.left.fields[i]!.type : node.right.fields[i - lw]!.type);
    let lower: number | undefined;
    let upper: number | undefined;
    let pair: [number, number] | undefined;
    for (const c of conjunctions(node.condition)) {
      if (c.kind !== 'call' || !['<', '<=', '>', '>='].includes(c.op)) continue;
      const a = timeTerm(c.operands[0]!);
      const b = timeTerm(c.operands[1]!);
      if (a === undefined || b === undefined || attr(a.index) === undefined || attr(a.index) !== attr(b.index)) continue;
      if ((a.index < lw) === (b.index < lw)) continue;
      // Normalize to: l - r (op) bound, with l the left input's time attribute.
      const [l, r, op] = a.index < lw ? [a, b, c.op] : [b, a, ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[c.op]!];
      if (pair !== undefined && (pair[0] !== l.index || pair[1] !== r.index)) return undefined;
      pair = [l.index, r.index];
      const bound = r.offset - l.offset;
      if (op === '>=') lower = Math.max(lower ?? -Infinity, bound);
      else if (op === '>') lower = Math.max(lower ?? -Infinity, bound + 1);
      else if (op === '<=') upper = Math.min(upper ?? Infinity, bound);
      else upper = Math.min(upper ?? Infinity, bound - 1);
    }
    if (pair === undefined || lower === undefined || upper === undefined) return undefined;
    // An interval join keeps both inputs' time attributes.
    const fields = [...node.left.fields, ...node.right.fields].map((f, i) => ({ name: node.fields[i]!.name, type: { ...f.type, nullable: node.fields[i]!.type.nullable } }));
    const joined: LogicalNode = { ...node, variant: { kind: 'interval', leftTime: pair[0], rightTime: pair[1] - lw, lowerBound: lower, upperBound: upper }, fields };
    return joined;
  },
};
