// Rank and Deduplicate → keyed process functions partitioned by the PARTITION BY columns:
// Top-N (top-n.ts), window Top-N (window-top-n.ts), deduplication (deduplicate.ts).
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { SqlError } from '../../errors.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { NodeOf } from '../../planner/logical-plan.ts';
import { changelogText } from '../../planner/changelog.ts';
import { windowPropertyOf } from '../../planner/rules/window-join.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { keySelector } from '../state-rows.ts';
import { stateTtlMs } from '../state-ttl.ts';
import { unsupportedNode } from '../unsupported.ts';
import { DeduplicateFunction } from './deduplicate.ts';
import { rowOrder } from './sort-order.ts';
import { TopNFunction } from './top-n.ts';
import { WindowTopNFunction } from './window-top-n.ts';

function options(node: NodeOf<'Rank'> | NodeOf<'Deduplicate'>, ctx: TranslateContext, name: string): { name: string; uid?: string } {
  const uid = ctx.uids.get(node);
  return { name, ...(uid === undefined ? {} : { uid }) };
}

export function translateRank(node: NodeOf<'Rank'>, ctx: TranslateContext): RowStream {
  // Flink 1.20 runs only ROW_NUMBER in streaming Top-N and window Top-N, and says so
  if (node.rankType !== 'ROW_NUMBER') {
    throw new SqlError('MR_ERR_SQL_PLAN', node.window !== undefined
      ? `${node.rankType}() function is not supported on Window TopN currently, only ROW_NUMBER() is supported.`
      : `${node.rankType}() on streaming table is not supported currently`);
  }
  const fields = node.input.fields;
  const order = rowOrder(node.orderKeys, fields);
  const by = (ks: readonly number[]): string => ks.map((k) => fields[k]!.name).join(', ');
  const orderText = node.orderKeys.map((k) => `${fields[k.index]!.name} ${k.direction}`).join(', ');
  const keyed = ctx.translate(node.input).keyBy<Key>(keySelector(node.partitionKeys));
  const common = { rankType: node.rankType, rankStart: node.rankStart, rankEnd: node.rankEnd, outputRankNumber: node.outputRankNumber, order };
  if (node.window !== undefined) {
    const windowEnd = node.partitionKeys.find((k) => windowPropertyOf(node.input, k)?.prop === 'window_end');
    if (windowEnd === undefined) throw unsupportedNode(node, 'window Top-N must be partitioned by window_end');
    return keyed.processKeyed<ChangelogRow>(() => new WindowTopNFunction({ ...common, windowEnd }),
      options(node, ctx, `WindowRank(rankType=[${node.rankType}], rankRange=[rankStart=${node.rankStart}, rankEnd=${node.rankEnd}], partitionBy=[${by(node.partitionKeys)}], orderBy=[${orderText}])`));
  }
  const inputChangelog = ctx.changelog?.get(node.input);
  const appendOnly = inputChangelog !== undefined && changelogText(inputChangelog) === 'I';
  const ttl = stateTtlMs(ctx.config);
  return keyed.processKeyed<ChangelogRow>(() => new TopNFunction({ ...common, appendOnly, stateTtlMs: ttl }),
    options(node, ctx, `Rank(rankType=[${node.rankType}], rankRange=[rankStart=${node.rankStart}, rankEnd=${node.rankEnd}], partitionBy=[${by(node.partitionKeys)}], orderBy=[${orderText}])`));
}

export function translateDeduplicate(node: NodeOf<'Deduplicate'>, ctx: TranslateContext): RowStream {
  const fields = node.input.fields;
  const ttl = stateTtlMs(ctx.config);
  return ctx.translate(node.input).keyBy<Key>(keySelector(node.partitionKeys))
    .processKeyed<ChangelogRow>(() => new DeduplicateFunction({ keepLastRow: node.keepLastRow, timeKind: node.timeKind, orderIndex: node.orderIndex, outputRankNumber: node.outputRankNumber, stateTtlMs: ttl }),
      options(node, ctx, `Deduplicate(keep=[${node.keepLastRow ? 'LastRow' : 'FirstRow'}], key=[${node.partitionKeys.map((k) => fields[k]!.name).join(', ')}], order=[${node.timeKind}])`));
}
