// Window Top-N (Flink's WindowRank): a Top-N over a windowed input whose PARTITION BY includes
// window_start and window_end ranks each window once, when it closes, so the result is
// insert-only instead of the updates of an unbounded Top-N.
import type { Rule } from './rule.ts';
import { windowPropertyOf } from './window-join.ts';

export const windowRank: Rule = {
  name: 'window-rank',
  rewrite(node) {
    if (node.kind !== 'Rank' || node.window !== undefined) return undefined;
    const props = node.partitionKeys.map((k) => windowPropertyOf(node.input, k)).filter((p) => p !== undefined);
    const start = props.find((p) => p.prop === 'window_start');
    const end = props.find((p) => p.prop === 'window_end');
    if (start === undefined || end === undefined || JSON.stringify(start.window) !== JSON.stringify(end.window)) return undefined;
    return { ...node, window: start.window };
  },
};
