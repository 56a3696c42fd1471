// MiniBatchGroupAggregate and GlobalGroupAggregate (Flink's MiniBatchGroupAggFunction and
// MiniBatchGlobalGroupAggFunction): rows of a bundle are grouped by key, and each key's state is
// read, changed by all its rows and written once; the key's result is emitted once per bundle
// (+I new group, -U/+U changed, nothing unchanged, -D group gone). After folding the changelog
// equals GroupAggregate's (group-aggregate.ts), and the state is the same `{n, a}` value under
// the same name, so mini-batch can be switched on or off across a savepoint.
// In `accumulators` mode the input rows are LocalGroupAggregate's partial results
// ([keys..., row count, accumulators...]), merged into the state instead of accumulated.
import { valueState, type ValueState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { AggsHandle } from './aggs-handle.ts';
import { sameValues, type GroupState } from './group-aggregate.ts';
import { MiniBatchOperator, type BundleTrigger } from './mini-batch-operator.ts';

export interface MiniBatchGroupAggregateSpec {
  /** where the group key columns are in the input rows */
  readonly groupKeys: readonly number[];
  readonly handle: AggsHandle;
  readonly keySelector: (row: ChangelogRow) => Key;
  readonly input: 'rows' | 'accumulators';
  readonly trigger: BundleTrigger;
  readonly stateTtlMs: number;
}

export class MiniBatchGroupAggregateOperator extends MiniBatchOperator {
  private readonly spec: MiniBatchGroupAggregateSpec;
  private bundle = new Map<Key, ChangelogRow[]>();
  private state!: ValueState<GroupState>;

  constructor(spec: MiniBatchGroupAggregateSpec) {
    super(true, spec.trigger);
    this.spec = spec;
  }

  override open(): void {
    const ttl = this.spec.stateTtlMs;
    this.state = this.backend!.getValueState(valueState<GroupState>('group-aggregate', ttl > 0 ? { ttl: { ttlMs: ttl } } : {}));
  }

  protected addToBundle(row: ChangelogRow): void {
    const key = this.spec.keySelector(row);
    const rows = this.bundle.get(key);
    if (rows === undefined) this.bundle.set(key, [row]);
    else rows.push(row);
  }

  protected finishBundle(): void {
    const bundle = this.bundle;
    this.bundle = new Map();
    for (const [key, rows] of bundle) {
      this.backend!.setCurrentKey(key);
      this.applyKey(rows);
    }
  }

  private applyKey(rows: readonly ChangelogRow[]): void {
    const { handle } = this.spec;
    let st = this.state.value();
    const before = st === undefined ? undefined : handle.values(st.a);
    if (this.spec.input === 'rows') {
      for (const row of rows) {
        const add = row.kind === '+I' || row.kind === '+U';
        if (st === undefined) {
          if (!add) continue; // nothing to take back from (never seen, expired, or emptied in this bundle)
          st = { n: 0, a: handle.create() };
        }
        if (add) {
          handle.accumulate(st.a, row.values);
          st.n++;
        } else {
          handle.retract(st.a, row.values);
          st.n--;
        }
        if (st.n <= 0) st = undefined;
      }
    } else {
      const k = this.spec.groupKeys.length;
      for (const row of rows) {
        st ??= { n: 0, a: handle.create() };
        handle.merge(st.a, row.values.slice(k + 1));
        st.n += row.values[k] as number;
      }
      if (st !== undefined && st.n <= 0) st = undefined;
    }
    const keyRow = rows[rows.length - 1]!.values;
    if (st === undefined) {
      this.state.clear();
      if (before !== undefined) this.output.collect({ kind: '-D', values: this.result(keyRow, before) }, this.timestamp);
      return;
    }
    this.state.update(st);
    const after = handle.values(st.a);
    if (before === undefined) {
      this.output.collect({ kind: '+I', values: this.result(keyRow, after) }, this.timestamp);
      return;
    }
    if (this.spec.stateTtlMs === 0 && sameValues(before, after)) return;
    this.output.collect({ kind: '-U', values: this.result(keyRow, before) }, this.timestamp);
    this.output.collect({ kind: '+U', values: this.result(keyRow, after) }, this.timestamp);
  }

  private result(input: readonly unknown[], aggs: readonly unknown[]): unknown[] {
    const keys = this.spec.groupKeys;
    const out = new Array<unknown>(keys.length + aggs.length);
    for (let i = 0; i < keys.length; i++) out[i] = input[keys[i]!];
    for (let i = 0; i < aggs.length; i++) out[keys.length + i] = aggs[i];
    return out;
  }
}
