// An Aggregate the configured rules marked (planner/rules/configured-rules.ts) → mini-batch
// operators. One phase: keyBy(group keys) + MiniBatchGroupAggregate. Two phases: LocalGroupAggregate
// chained to the input (no shuffle), keyBy(group keys) + GlobalGroupAggregate merging the partial
// accumulators. The aggregate keeps the plan-derived uid (the local operator holds no state between
// bundles and gets `<uid>-local`).
import { DataStream } from '../../../api/data-stream.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { NodeOf } from '../../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { stateTtlMs } from '../state-ttl.ts';
import { createAggsHandle } from './aggs-handle.ts';
import { groupKeySelector } from './group-key.ts';
import { LocalGroupAggregateOperator } from './local-group-aggregate.ts';
import { MiniBatchGroupAggregateOperator } from './mini-batch-group-aggregate.ts';

export function translateMiniBatchAggregate(node: NodeOf<'Aggregate'>, ctx: TranslateContext): RowStream {
  const trigger = node.miniBatch!;
  const ttl = stateTtlMs(ctx.config);
  const inputKinds = ctx.changelog?.get(node.input)?.kinds;
  const handle = createAggsHandle(node.aggCalls, node.input.fields, { insertOnlyInput: inputKinds !== undefined && inputKinds.every((k) => k === 'I') });
  const uid = ctx.uids.get(node);
  const inNames = node.input.fields.map((f) => f.name);
  const groupBy = `groupBy=[${node.groupKeys.map((i) => inNames[i]).join(', ')}], select=[${node.fields.map((f) => f.name).join(', ')}]`;
  const input = ctx.translate(node.input);
  if (node.twoPhase !== true) {
    const keySelector = groupKeySelector(node.groupKeys);
    const name = `MiniBatchGroupAggregate(${groupBy})`;
    return input.keyBy<Key>(keySelector).addKeyed(name, () => new MiniBatchGroupAggregateOperator({
      groupKeys: node.groupKeys, handle, keySelector, input: 'rows', trigger, stateTtlMs: ttl,
    }), { name, ...(uid === undefined ? {} : { uid }) });
  }
  const localName = `LocalGroupAggregate(${groupBy})`;
  const localSelector = groupKeySelector(node.groupKeys);
  const localNode = ctx.env.addOperator('operator', localName, input.refs.map((ref) => ({ ref, inputIndex: 0 })),
    () => new LocalGroupAggregateOperator(node.groupKeys, handle, localSelector, trigger),
    { name: localName, ...(uid === undefined ? {} : { uid: `${uid}-local` }) });
  const local = new DataStream<ChangelogRow>(ctx.env, [{ nodeId: localNode.id }]);
  // partial rows carry the group keys first
  const globalKeys = node.groupKeys.map((_, i) => i);
  const globalSelector = groupKeySelector(globalKeys);
  const name = `GlobalGroupAggregate(${groupBy})`;
  return local.keyBy<Key>(globalSelector).addKeyed(name, () => new MiniBatchGroupAggregateOperator({
    groupKeys: globalKeys, handle, keySelector: globalSelector, input: 'accumulators', trigger, stateTtlMs: ttl,
  }), { name, ...(uid === undefined ? {} : { uid }) });
}
