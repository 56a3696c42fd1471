// WindowAggregate → keyBy(group keys) + the SQL window operator (window-aggregate-operator.ts).
// Event time when the window's time column is a rowtime attribute, processing time for PROCTIME.
import type { Key } from '../../../keys/key-groups.ts';
import type { NodeOf } from '../../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { createAggsHandle } from '../aggregate/aggs-handle.ts';
import { groupKeySelector } from '../aggregate/group-key.ts';
import { aggregateUdfDefinition } from '../../udf/udf-registry.ts';
import { WindowAggregateOperator, type SliceOrder } from './window-aggregate-operator.ts';

export function describeWindow(w: NodeOf<'WindowAggregate'>['window'], timeName: string): string {
  switch (w.kind) {
    case 'TUMBLE': return `TUMBLE(time_col=[${timeName}], size=[${w.size} ms])`;
    case 'HOP': return `HOP(time_col=[${timeName}], size=[${w.size} ms], slide=[${w.slide} ms])`;
    case 'CUMULATE': return `CUMULATE(time_col=[${timeName}], max_size=[${w.size} ms], step=[${w.step} ms])`;
    case 'SESSION': return `SESSION(time_col=[${timeName}], gap=[${w.gap} ms])`;
  }
}

export function translateWindowAggregate(node: NodeOf<'WindowAggregate'>, ctx: TranslateContext): RowStream {
  const input = node.input.fields;
  const timeField = input[node.window.timeIndex]!;
  const eventTime = !('timeAttribute' in timeField.type && timeField.type.timeAttribute === 'PROCTIME');
  // a window aggregation's input is insert-only (the planner refuses updates into it)
  const handle = createAggsHandle(node.aggCalls, input, { insertOnlyInput: true });
  const keySelector = groupKeySelector(node.groupKeys);
  const uid = ctx.uids.get(node);
  const name = `WindowAggregate(groupBy=[${node.groupKeys.map((i) => input[i]!.name).join(', ')}], window=[${describeWindow(node.window, timeField.name)}])`;
  const keyed = ctx.translate(node.input).keyBy<Key>(keySelector);
  const slices = sliceOrder(node);
  return keyed.addKeyed(name, () => new WindowAggregateOperator({
    window: node.window, eventTime, groupKeys: node.groupKeys, handle, properties: node.properties, keySelector: keySelector as (v: unknown) => Key,
    ...(slices === undefined ? {} : { slices }),
  }), { name, ...(uid === undefined ? {} : { uid }) });
}

/**
 * HOP and CUMULATE run on slices merged in Flink's order (window-aggregate-operator.ts): newest
 * first for the HOP table function, oldest first for CUMULATE and the legacy GROUP BY HOP. They
 * keep whole windows with FIRST_VALUE/LAST_VALUE (Flink refuses those there: they have no merge;
 * Millrace gives the first/last row in arrival order) and with a JAVASCRIPT aggregate function
 * (merge() is optional for those).
 */
function sliceOrder(node: NodeOf<'WindowAggregate'>): SliceOrder | undefined {
  if (node.window.kind !== 'HOP' && node.window.kind !== 'CUMULATE') return undefined;
  if (node.aggCalls.some((c) => c.fn === 'FIRST_VALUE' || c.fn === 'LAST_VALUE' || aggregateUdfDefinition(c.fn) !== undefined)) return undefined;
  return node.window.kind === 'HOP' && node.legacy !== true ? 'newest-first' : 'oldest-first';
}
