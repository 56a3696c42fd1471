// Projection below the watermark assigner (Flink's ProjectWatermarkAssignerTransposeRule): columns
// that nothing above reads are dropped before the watermark is assigned, so wide source rows (the
// Nexmark table's person/auction/bid ROWs) shrink right after the source. The rowtime column and
// what the watermark expression reads stay. Also looks through one filter between the two.
import type { LogicalNode, NodeOf } from '../logical-plan.ts';
import type { Rex } from '../rex.ts';
import { inputRef, inputRefsOf, mapInputRefs } from '../rex.ts';
import type { Rule } from './rule.ts';

export const projectWatermarkTranspose: Rule = {
  name: 'project-watermark-transpose',
  rewrite(node) {
    if (node.kind !== 'Project') return undefined;
    let filter: NodeOf<'Filter'> | undefined;
    let below = node.input;
    if (below.kind === 'Filter') { filter = below; below = below.input; }
    if (below.kind !== 'WatermarkAssigner') return undefined;
    const wa = below;
    const used = new Set<number>([wa.rowtimeIndex]);
    for (const e of node.exprs) inputRefsOf(e, used);
    if (filter !== undefined) inputRefsOf(filter.condition, used);
    inputRefsOf(wa.watermark, used);
    if (used.size >= wa.input.fields.length) return undefined;
    const keep = [...used].sort((a, b) => a - b);
    const remap = new Map(keep.map((old, i) => [old, i]));
    const shift = (r: Rex): Rex => mapInputRefs(r, (i, t) => inputRef(remap.get(i)!, t));
    const narrowed: LogicalNode = { kind: 'Project', input: wa.input, exprs: keep.map((k) => inputRef(k, wa.input.fields[k]!.type)), fields: keep.map((k) => wa.input.fields[k]!) };
    const newWa: LogicalNode = { kind: 'WatermarkAssigner', input: narrowed, rowtimeIndex: remap.get(wa.rowtimeIndex)!, watermark: shift(wa.watermark), fields: keep.map((k) => wa.fields[k]!) };
    const mid: LogicalNode = filter === undefined ? newWa : { kind: 'Filter', input: newWa, condition: shift(filter.condition), fields: newWa.fields };
    return { kind: 'Project', input: mid, exprs: node.exprs.map(shift), fields: node.fields };
  },
};
