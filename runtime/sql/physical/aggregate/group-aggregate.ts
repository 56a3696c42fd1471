// GroupAggregate (GROUP BY, SELECT DISTINCT) with Flink's changelog semantics (GroupAggFunction):
// per group key one accumulator row in keyed state (checkpointed and restored with the job);
// +I/+U input rows accumulate, -U/-D retract. The first row of a group emits +I; a change emits
// -U (old result) and +U (new result); an unchanged result emits nothing; when the last row of a
// group is retracted the group's result is deleted (-D) and its state cleared. A retraction for a
// group without state (expired by TTL) is ignored, as in Flink.
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext } from '../../../api/functions.ts';
import { valueState, type ValueState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { NodeOf } from '../../planner/logical-plan.ts';
import type { RowStream, TranslateContext } from '../context.ts';
import { stateTtlMs } from '../state-ttl.ts';
import { createAggsHandle, type AggsHandle } from './aggs-handle.ts';
import { groupKeySelector } from './group-key.ts';

/** What a group keeps: how many input rows it holds and the accumulators. */
export interface GroupState {
  n: number;
  a: unknown[];
}

export interface GroupAggregateOptions {
  /** `table.exec.state.ttl` in milliseconds (0 or absent: state is kept forever) */
  readonly stateTtlMs?: number;
}

export class GroupAggregateFunction extends KeyedProcessFunction<Key, ChangelogRow, ChangelogRow> {
  private readonly groupKeys: readonly number[];
  private readonly handle: AggsHandle;
  private readonly ttlMs: number;
  private state!: ValueState<GroupState>;

  constructor(groupKeys: readonly number[], handle: AggsHandle, options: GroupAggregateOptions = {}) {
    super();
    this.groupKeys = groupKeys;
    this.handle = handle;
    this.ttlMs = options.stateTtlMs ?? 0;
  }

  override open(ctx: RuntimeContext): void {
    this.state = ctx.getState(valueState<GroupState>('group-aggregate', this.ttlMs > 0 ? { ttl: { ttlMs: this.ttlMs } } : {}));
  }

  processElement(row: ChangelogRow, _ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    const add = row.kind === '+I' || row.kind === '+U';
    let st = this.state.value();
    const first = st === undefined;
    if (st === undefined) {
      if (!add) return; // nothing to take back from (never seen, or expired)
      st = { n: 0, a: this.handle.create() };
    }
    const before = first ? undefined : this.handle.values(st.a);
    if (add) {
      this.handle.accumulate(st.a, row.values);
      st.n++;
    } else {
      this.handle.retract(st.a, row.values);
      st.n--;
    }
    if (st.n <= 0) {
      this.state.clear();
      if (before !== undefined) out.collect({ kind: '-D', values: this.result(row.values, before) });
      return;
    }
    this.state.update(st);
    const after = this.handle.values(st.a);
    if (before === undefined) {
      out.collect({ kind: '+I', values: this.result(row.values, after) });
      return;
    }
    // with a TTL Flink emits even an unchanged result, so that downstream state is refreshed
    if (this.ttlMs === 0 && sameValues(before, after)) return;
    out.collect({ kind: '-U', values: this.result(row.values, before) });
    out.collect({ kind: '+U', values: this.result(row.values, after) });
  }

  /** The output row: the group's key columns (from the input row), then the aggregate values. */
  private result(input: readonly unknown[], aggs: readonly unknown[]): unknown[] {
    const keys = this.groupKeys;
    const out = new Array<unknown>(keys.length + aggs.length);
    for (let i = 0; i < keys.length; i++) out[i] = input[keys[i]!];
    for (let i = 0; i < aggs.length; i++) out[keys.length + i] = aggs[i];
    return out;
  }
}

export function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function translateGroupAggregate(node: NodeOf<'Aggregate'>, ctx: TranslateContext): RowStream {
  const options: GroupAggregateOptions = { stateTtlMs: stateTtlMs(ctx.config) };
  const inputKinds = ctx.changelog?.get(node.input)?.kinds;
  const handle = createAggsHandle(node.aggCalls, node.input.fields, { insertOnlyInput: inputKinds !== undefined && inputKinds.every((k) => k === 'I') });
  const uid = ctx.uids.get(node);
  const name = `GroupAggregate(groupBy=[${node.groupKeys.map((i) => node.input.fields[i]!.name).join(', ')}], select=[${node.fields.map((f) => f.name).join(', ')}])`;
  return ctx.translate(node.input)
    .keyBy<Key>(groupKeySelector(node.groupKeys))
    .processKeyed(() => new GroupAggregateFunction(node.groupKeys, handle, options), { name, ...(uid === undefined ? {} : { uid }) });
}
