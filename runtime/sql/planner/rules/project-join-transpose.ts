// Projection through a regular join (Flink's ProjectJoinTransposeRule): each input of the join
// keeps only the columns the projection above and the join condition read, so the rows crossing
// the join's exchange and kept in its state are narrower (Nexmark q7's bids drop channel and url,
// as in Flink's plan). The projection above is rewritten onto the narrower join row.
import type { Field, LogicalNode, NodeOf } from '../logical-plan.ts';
import { inputRefsOf, mapInputRefs, type Rex } from '../rex.ts';
import type { Rule } from './rule.ts';

/** The input's used columns, in order (at least one: the join still needs the input's rows). */
function kept(used: ReadonlySet<number>, from: number, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < width; i++) if (used.has(from + i)) out.push(i);
  return out.length === 0 ? [0] : out;
}

function narrowed(input: LogicalNode, keep: readonly number[]): LogicalNode {
  const fields: Field[] = keep.map((i) => input.fields[i]!);
  const exprs: Rex[] = keep.map((i) => ({ kind: 'inputRef', index: i, type: input.fields[i]!.type }));
  return { kind: 'Project', input, exprs, fields };
}

export const projectJoinTranspose: Rule = {
  name: 'project-join-transpose',
  rewrite(node) {
    if (node.kind !== 'Project' || node.input.kind !== 'Join') return undefined;
    const join: NodeOf<'Join'> = node.input;
    // regular joins of both sides' columns only: the other variants carry column indexes of their own
    if (join.variant.kind !== 'regular' || join.joinType === 'SEMI' || join.joinType === 'ANTI') return undefined;
    const lw = join.left.fields.length;
    const rw = join.right.fields.length;
    const used = new Set<number>();
    for (const e of node.exprs) inputRefsOf(e, used);
    inputRefsOf(join.condition, used);
    const keepLeft = kept(used, 0, lw);
    const keepRight = kept(used, lw, rw);
    if (keepLeft.length === lw && keepRight.length === rw) return undefined;
    const remap = new Map<number, number>();
    keepLeft.forEach((old, i) => remap.set(old, i));
    keepRight.forEach((old, i) => remap.set(lw + old, keepLeft.length + i));
    const shift = (rex: Rex): Rex => mapInputRefs(rex, (i, t) => ({ kind: 'inputRef', index: remap.get(i)!, type: t }));
    const left = keepLeft.length === lw ? join.left : narrowed(join.left, keepLeft);
    const right = keepRight.length === rw ? join.right : narrowed(join.right, keepRight);
    const fields = [...keepLeft.map((i) => join.fields[i]!), ...keepRight.map((i) => join.fields[lw + i]!)];
    const newJoin: LogicalNode = { ...join, left, right, condition: shift(join.condition), fields };
    return { ...node, input: newJoin, exprs: node.exprs.map(shift) };
  },
};
