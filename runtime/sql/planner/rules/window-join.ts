// Window joins (Flink's WindowJoin): two windowed inputs (window aggregates or window table
// functions, the same window on both sides) joined on equal window_start and window_end run per
// window: rows are joined when the window closes and state is dropped with it, so the result is
// insert-only instead of the updating output of a regular join. Nexmark q8 is one.
import type { LogicalNode, WindowDef } from '../logical-plan.ts';
import { conjunctions } from '../rex.ts';
import type { Rule } from './rule.ts';

type Prop = 'window_start' | 'window_end';

/** Which window property a column of `node` is, following projections and filters. */
export function windowPropertyOf(node: LogicalNode, index: number): { window: WindowDef; prop: Prop } | undefined {
  switch (node.kind) {
    case 'WindowAggregate': {
      const first = node.groupKeys.length + node.aggCalls.length;
      const prop = node.properties[index - first];
      return prop === 'window_start' || prop === 'window_end' ? { window: node.window, prop } : undefined;
    }
    case 'WindowTableFunction': {
      const k = index - node.input.fields.length;
      return k === 0 ? { window: node.window, prop: 'window_start' } : k === 1 ? { window: node.window, prop: 'window_end' } : undefined;
    }
    case 'Project': {
      const e = node.exprs[index];
      return e?.kind === 'inputRef' ? windowPropertyOf(node.input, e.index) : undefined;
    }
    case 'Filter': return windowPropertyOf(node.input, index);
    default: return undefined;
  }
}

const sameWindow = (a: WindowDef, b: WindowDef): boolean => {
  const strip = (w: WindowDef): string => JSON.stringify({ ...w, timeIndex: 0, ...(w.kind === 'SESSION' ? { partitionKeys: [] } : {}) });
  return strip(a) === strip(b);
};

export const windowJoin: Rule = {
  name: 'window-join',
  rewrite(node) {
    if (node.kind !== 'Join' || node.variant.kind !== 'regular') return undefined;
    const lw = node.left.fields.length;
    const found = new Set<Prop>();
    let window: WindowDef | undefined;
    for (const c of conjunctions(node.condition)) {
      if (c.kind !== 'call' || c.op !== '=' || c.operands.length !== 2) continue;
      const [a, b] = c.operands;
      if (a?.kind !== 'inputRef' || b?.kind !== 'inputRef') continue;
      const [l, r] = a.index < lw ? [a.index, b.index] : [b.index, a.index];
      if (l >= lw || r < lw) continue;
      const lp = windowPropertyOf(node.left, l);
      const rp = windowPropertyOf(node.right, r - lw);
      if (lp === undefined || rp === undefined || lp.prop !== rp.prop || !sameWindow(lp.window, rp.window)) continue;
      if (window !== undefined && !sameWindow(window, lp.window)) return undefined;
      window = lp.window;
      found.add(lp.prop);
    }
    if (!found.has('window_start') || !found.has('window_end')) return undefined;
    return { ...node, variant: { kind: 'window' } };
  },
};
