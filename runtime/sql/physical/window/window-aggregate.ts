// WindowAggregate → keyBy(group keys) + the SQL window operator (window-aggregate-operator.ts),
// or in two phases LocalWindowAggregate before the shuffle and the window operator merging its
// partials after it. Event time when the window's time column is a rowtime attribute, processing
// time for PROCTIME.
import { DataStream } from '../../../api/data-stream.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { NodeOf, WindowDef } from '../../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { createAggsHandle, type AggsHandle } from '../aggregate/aggs-handle.ts';
import { groupKeySelector } from '../aggregate/group-key.ts';
import { aggregateUdfDefinition } from '../../udf/udf-registry.ts';
import { LocalWindowAggregateOperator } from './local-window-aggregate.ts';
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
  const slices = sliceOrder(node);
  if (node.twoPhase === true && eventTime && node.window.kind !== 'SESSION') return translateTwoPhase(node, ctx, { handle, slices, uid });
  const keyed = ctx.translate(node.input).keyBy<Key>(keySelector);
  return keyed.addKeyed(name, () => new WindowAggregateOperator({
    window: node.window, eventTime, groupKeys: node.groupKeys, handle, properties: node.properties, keySelector: keySelector as (v: unknown) => Key,
    ...(slices === undefined ? {} : { slices }),
  }), { name, ...(uid === undefined ? {} : { uid }) });
}

/**
 * Two phases (planner/rules/two-phase-window-aggregate.ts): LocalWindowAggregate chained to the
 * input (no shuffle), then keyBy(group keys) + the window operator merging the partials. The
 * global operator keeps the plan-derived uid and the one-phase operator's state, so a savepoint
 * of either restores into the other; the local one holds nothing between watermarks
 * (`<uid>-local`).
 */
function translateTwoPhase(node: NodeOf<'WindowAggregate'>, ctx: TranslateContext, o: { handle: AggsHandle; slices: SliceOrder | undefined; uid: string | undefined }): RowStream {
  const input = node.input.fields;
  const window = node.window as Exclude<WindowDef, { kind: 'SESSION' }>;
  const timeName = input[window.timeIndex]!.name;
  const keys = node.groupKeys.map((i) => input[i]!.name);
  const groupBy = keys.length ? `groupBy=[${keys.join(', ')}], ` : '';
  const localName = `LocalWindowAggregate(${groupBy}window=[${describeWindow(window, timeName)}])`;
  const localSelector = groupKeySelector(node.groupKeys);
  const upstream = ctx.translate(node.input);
  const localNode = ctx.env.addOperator('operator', localName, upstream.refs.map((ref) => ({ ref, inputIndex: 0 })),
    () => new LocalWindowAggregateOperator({ window, groupKeys: node.groupKeys, handle: o.handle, keySelector: localSelector }),
    { name: localName, ...(o.uid === undefined ? {} : { uid: `${o.uid}-local` }) });
  const local = new DataStream<ChangelogRow>(ctx.env, [{ nodeId: localNode.id }]);
  // partials carry the group keys first, then the slice start
  const globalKeys = node.groupKeys.map((_, i) => i);
  const globalSelector = groupKeySelector(globalKeys);
  const name = `GlobalWindowAggregate(${groupBy}window=[${describeWindow(window, timeName)}])`;
  return local.keyBy<Key>(globalSelector).addKeyed(name, () => new WindowAggregateOperator({
    window, eventTime: true, groupKeys: globalKeys, handle: o.handle, properties: node.properties, keySelector: globalSelector as (v: unknown) => Key,
    partials: true, ...(o.slices === undefined ? {} : { slices: o.slices }),
  }), { name, ...(o.uid === undefined ? {} : { uid: o.uid }) });
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
