// Merges a projection into the projection below it and drops projections that pass every
// column through unchanged (Flink's ProjectMergeRule and ProjectRemoveRule).
import type { LogicalNode } from '../logical-plan.ts';
import { mapInputRefs } from '../rex.ts';
import type { Rule } from './rule.ts';

function isIdentity(node: Extract<LogicalNode, { kind: 'Project' }>): boolean {
  return node.exprs.length === node.input.fields.length
    && node.exprs.every((e, i) => e.kind === 'inputRef' && e.index === i)
    && node.fields.every((f, i) => f.name === node.input.fields[i]!.name);
}

export const projectMerge: Rule = {
  name: 'project-merge',
  rewrite(node) {
    if (node.kind !== 'Project') return undefined;
    if (isIdentity(node)) return node.input;
    const below = node.input;
    if (below.kind !== 'Project') return undefined;
    // An expression used more than once below would be computed twice: only inline input refs and
    // cheap expressions, or when each lower expression is used at most once.
    const uses = new Map<number, number>();
    for (const e of node.exprs) mapInputRefs(e, (i, t) => { uses.set(i, (uses.get(i) ?? 0) + 1); return { kind: 'inputRef', index: i, type: t }; });
    const costly = [...uses].some(([i, n]) => n > 1 && below.exprs[i]!.kind === 'call');
    if (costly) return undefined;
    const exprs = node.exprs.map((e) => mapInputRefs(e, (i) => below.exprs[i]!));
    return { kind: 'Project', input: below.input, exprs, fields: node.fields };
  },
};
