// Projection push-down into the source (Flink's PushProjectIntoTableSourceScanRule): a scan
// reads only the columns the projection above it uses; the projection is rewritten onto the
// narrower row. Filters pushed into the scan keep the columns they read.
import type { LogicalNode } from '../logical-plan.ts';
import { inputRefsOf, mapInputRefs } from '../rex.ts';
import type { Rule } from './rule.ts';

export const projectionPushDown: Rule = {
  name: 'projection-push-down',
  rewrite(node) {
    if (node.kind !== 'Project' || node.input.kind !== 'TableScan') return undefined;
    const scan = node.input;
    const used = new Set<number>();
    for (const e of node.exprs) inputRefsOf(e, used);
    for (const f of scan.filters) inputRefsOf(f, used);
    if (used.size === scan.fields.length) return undefined;
    // Keep at least one column: a source must produce rows even for SELECT COUNT(*).
    if (used.size === 0) used.add(0);
    const keep = [...used].sort((a, b) => a - b);
    const remap = new Map(keep.map((old, i) => [old, i]));
    const shift = (rex: Parameters<typeof mapInputRefs>[0]) => mapInputRefs(rex, (i, t) => ({ kind: 'inputRef', index: remap.get(i)!, type: t }));
    const newScan: LogicalNode = {
      ...scan,
      projection: keep.map((i) => scan.projection[i]!),
      fields: keep.map((i) => scan.fields[i]!),
      filters: scan.filters.map(shift),
    };
    return { ...node, input: newScan, exprs: node.exprs.map(shift) };
  },
};
