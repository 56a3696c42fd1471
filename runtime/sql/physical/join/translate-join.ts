// Join → runtime operators, by the variant the planner chose (planner/logical-plan.ts JoinVariant):
// regular (regular-join.ts), window (window-join.ts), interval (interval-join.ts), lookup
// (lookup-join.ts), temporal (temporal-join.ts). Both inputs of the keyed variants are
// partitioned by the equi-join columns (planner/join-keys.ts); the other conjuncts are compiled
// into one residual condition over the joined row (left columns, then right columns).
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { Key } from '../../../keys/key-groups.ts';
import { joinKeys } from '../../planner/join-keys.ts';
import type { NodeOf } from '../../planner/logical-plan.ts';
import { timeAttributeOf } from '../../types/data-type.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { keySelector } from '../state-rows.ts';
import { stateTtlMs } from '../state-ttl.ts';
import { unsupportedNode } from '../unsupported.ts';
import { IntervalJoinFunction } from './interval-join.ts';
import { translateLookupJoin } from './lookup-join.ts';
import { RegularJoinFunction } from './regular-join.ts';
import { residualOf } from './residual.ts';
import { translateTemporalJoin } from './temporal-join.ts';
import { WindowJoinFunction, windowEndIndexes } from './window-join.ts';

export type JoinNode = NodeOf<'Join'>;

const JOIN_NAMES: Record<JoinNode['joinType'], string> = {
  INNER: 'InnerJoin', LEFT: 'LeftOuterJoin', RIGHT: 'RightOuterJoin', FULL: 'FullOuterJoin', SEMI: 'LeftSemiJoin', ANTI: 'LeftAntiJoin',
};

export function translateJoin(node: JoinNode, ctx: TranslateContext): RowStream {
  const variant = node.variant;
  if (variant.kind === 'lookup') return translateLookupJoin(node, ctx);
  if (variant.kind === 'temporal') return translateTemporalJoin(node, ctx);
  const keys = joinKeys(node);
  const residual = residualOf(keys.remaining);
  const uid = ctx.uids.get(node);
  const fieldNames = (n: JoinNode['left']): string => n.fields.map((f) => f.name).join(', ');
  const where = keys.leftKeys.map((l, i) => `=(${node.left.fields[l]!.name}, ${node.right.fields[keys.rightKeys[i]!]!.name})`).join(', ');
  const kind = variant.kind === 'window' ? 'WindowJoin' : variant.kind === 'interval' ? 'IntervalJoin' : 'Join';
  const opts = { name: `${kind}(joinType=[${JOIN_NAMES[node.joinType]}], where=[${where}], left=[${fieldNames(node.left)}], right=[${fieldNames(node.right)}])`, ...(uid === undefined ? {} : { uid }) };
  const connected = ctx.translate(node.left).connect(ctx.translate(node.right))
    .keyBy<Key>(keySelector(keys.leftKeys), keySelector(keys.rightKeys));
  const spec = {
    joinType: node.joinType, leftKeys: keys.leftKeys, rightKeys: keys.rightKeys,
    leftWidth: node.left.fields.length, rightWidth: node.right.fields.length,
    ...(residual === undefined ? {} : { residual }),
  };
  switch (variant.kind) {
    case 'regular': {
      const ttl = stateTtlMs(ctx.config);
      const insertOnly = (n: JoinNode['left']): boolean => ctx.changelog?.get(n)?.kinds.join() === 'I';
      const sides = { leftInsertOnly: insertOnly(node.left), rightInsertOnly: insertOnly(node.right) };
      return connected.processKeyed<ChangelogRow>(() => new RegularJoinFunction({ ...spec, ...sides, stateTtlMs: ttl }), opts);
    }
    case 'window': {
      const ends = windowEndIndexes(node, keys);
      if (ends === undefined) throw unsupportedNode(node, 'the window join found no window_end column on both sides');
      return connected.processKeyed<ChangelogRow>(() => new WindowJoinFunction({ ...spec, ...ends }), opts);
    }
    case 'interval':
      return connected.processKeyed<ChangelogRow>(() => new IntervalJoinFunction({ ...spec, ...variant, processingTime: isProcTime(node, variant.leftTime) }), opts);
  }
}

function isProcTime(node: JoinNode, leftTime: number): boolean {
  const f = node.left.fields[leftTime];
  return f !== undefined && timeAttributeOf(f.type) === 'PROCTIME';
}
