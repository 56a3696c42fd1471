// LocalGroupAggregate (Flink's MiniBatchLocalGroupAggFunction): before the shuffle, each subtask
// pre-aggregates its bundle per group into fresh accumulators and sends one partial row per group
// ([group keys..., row count, accumulators...]) to GlobalGroupAggregate, which merges them into
// its state (mini-batch-group-aggregate.ts, `accumulators` mode). Stateless between bundles: a
// bundle is flushed before every checkpoint barrier (mini-batch-operator.ts).
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { AggsHandle } from './aggs-handle.ts';
import { MiniBatchOperator, type BundleTrigger } from './mini-batch-operator.ts';

interface Partial {
  keys: unknown[];
  n: number;
  a: unknown[];
}

export class LocalGroupAggregateOperator extends MiniBatchOperator {
  private readonly groupKeys: readonly number[];
  private readonly handle: AggsHandle;
  private readonly keySelector: (row: ChangelogRow) => Key;
  private bundle = new Map<Key, Partial>();

  constructor(groupKeys: readonly number[], handle: AggsHandle, keySelector: (row: ChangelogRow) => Key, trigger: BundleTrigger) {
    super(false, trigger);
    this.groupKeys = groupKeys;
    this.handle = handle;
    this.keySelector = keySelector;
  }

  protected addToBundle(row: ChangelogRow): void {
    const key = this.keySelector(row);
    let p = this.bundle.get(key);
    if (p === undefined) {
      p = { keys: this.groupKeys.map((i) => row.values[i]), n: 0, a: this.handle.create() };
      this.bundle.set(key, p);
    }
    if (row.kind === '+I' || row.kind === '+U') {
      this.handle.accumulate(p.a, row.values);
      p.n++;
    } else {
      this.handle.retract(p.a, row.values);
      p.n--;
    }
  }

  protected finishBundle(): void {
    const bundle = this.bundle;
    this.bundle = new Map();
    for (const p of bundle.values()) this.output.collect({ kind: '+I', values: [...p.keys, p.n, ...p.a] }, this.timestamp);
  }
}
