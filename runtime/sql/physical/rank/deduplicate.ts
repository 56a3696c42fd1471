// Deduplication (`ROW_NUMBER() OVER (PARTITION BY k ORDER BY time ASC|DESC)` with rank 1; Flink's
// RowTime/ProcTimeDeduplicateKeepFirstRow/LastRowFunction): per key the row kept so far in keyed
// state. On event time a row replaces the kept one when its time is later or equal (keep last
// row) or strictly earlier (keep first row), and the change is emitted as -U old, +U new; on
// processing time the first row is final (keep first: insert-only), and every row replaces the
// last one (keep last).
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext } from '../../../api/functions.ts';
import { valueState, type ValueState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { fromStateRow, toStateRow } from '../state-rows.ts';

export interface DeduplicateSpec {
  readonly keepLastRow: boolean;
  readonly timeKind: 'ROWTIME' | 'PROCTIME';
  /** the time attribute column ordered by */
  readonly orderIndex: number;
  /** the rank number (always 1) is an output column */
  readonly outputRankNumber: boolean;
  readonly stateTtlMs?: number;
}

export class DeduplicateFunction extends KeyedProcessFunction<Key, ChangelogRow, ChangelogRow> {
  private readonly spec: DeduplicateSpec;
  private state!: ValueState<unknown[]>;

  constructor(spec: DeduplicateSpec) {
    super();
    this.spec = spec;
  }

  override open(ctx: RuntimeContext): void {
    const ttl = (this.spec.stateTtlMs ?? 0) > 0 ? { ttl: { ttlMs: this.spec.stateTtlMs! } } : {};
    this.state = ctx.getState(valueState<unknown[]>('deduplicate', ttl));
  }

  /** Whether `next` takes the place of the kept row `kept`. */
  private replaces(kept: readonly unknown[], next: readonly unknown[]): boolean {
    const { keepLastRow, timeKind, orderIndex } = this.spec;
    if (timeKind === 'PROCTIME') return keepLastRow;
    const a = kept[orderIndex] as number;
    const b = next[orderIndex] as number;
    return keepLastRow ? a <= b : b < a;
  }

  private out(values: readonly unknown[]): unknown[] {
    return this.spec.outputRankNumber ? [...values, 1] : [...values];
  }

  processElement(row: ChangelogRow, _ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    if (row.kind !== '+I' && row.kind !== '+U') return; // the planner gives deduplication insert-only input
    if (this.spec.timeKind === 'ROWTIME' && typeof row.values[this.spec.orderIndex] !== 'number') {
      throw new Error(`MR_ERR_SQL_RUNTIME: deduplication on event time got a row whose time attribute (column ${this.spec.orderIndex}) is NULL`);
    }
    const stored = this.state.value();
    if (stored === undefined) {
      this.state.update(toStateRow(row.values));
      out.collect({ kind: '+I', values: this.out(row.values) });
      return;
    }
    const kept = fromStateRow(stored);
    if (!this.replaces(kept, row.values)) return;
    this.state.update(toStateRow(row.values));
    out.collect({ kind: '-U', values: this.out(kept) });
    out.collect({ kind: '+U', values: this.out(row.values) });
  }
}
