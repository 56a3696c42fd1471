// Window Top-N (Flink's WindowRankOperator): a Top-N partitioned by window_start and window_end
// over a windowed input ranks each window once, when the watermark passes the window's end - 1 ms:
// the window's rows wait in keyed state (the partition key includes the window), then the rows in
// the rank range are emitted as inserts and the state is dropped. Late rows are dropped.
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../../../api/functions.ts';
import { listState, type ListState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { fromStateRow, toStateRow } from '../state-rows.ts';
import type { RowOrder } from './sort-order.ts';
import { insertionPoint, ranks, type TopNSpec } from './top-n.ts';

export interface WindowTopNSpec {
  readonly rankType: TopNSpec['rankType'];
  readonly rankStart: number;
  readonly rankEnd: number;
  readonly outputRankNumber: boolean;
  readonly order: RowOrder;
  /** the window_end column */
  readonly windowEnd: number;
}

export class WindowTopNFunction extends KeyedProcessFunction<Key, ChangelogRow, ChangelogRow> {
  private readonly spec: WindowTopNSpec;
  private rows!: ListState<unknown[]>;

  constructor(spec: WindowTopNSpec) {
    super();
    this.spec = spec;
  }

  override open(ctx: RuntimeContext): void {
    this.rows = ctx.getListState(listState<unknown[]>('window-top-n'));
  }

  processElement(row: ChangelogRow, ctx: KeyedProcessContext<Key>, _out: Collector<ChangelogRow>): void {
    const end = row.values[this.spec.windowEnd];
    if (typeof end !== 'number') return;
    const timers = ctx.timerService();
    if (end - 1 <= timers.currentWatermark()) return; // late: the window is ranked already
    this.rows.add(toStateRow(row.values));
    timers.registerEventTimeTimer(end - 1);
  }

  override onTimer(_ts: number, _ctx: OnTimerContext<Key>, out: Collector<ChangelogRow>): void {
    const { order, rankType, rankStart, rankEnd, outputRankNumber } = this.spec;
    const sorted: unknown[][] = [];
    for (const r of this.rows.get()) {
      const values = fromStateRow(r);
      sorted.splice(insertionPoint(sorted, values, order), 0, values);
    }
    this.rows.clear();
    const r = ranks(sorted, rankType, order);
    for (let i = 0; i < sorted.length && r[i]! <= rankEnd; i++) {
      if (r[i]! >= rankStart) out.collect({ kind: '+I', values: outputRankNumber ? [...sorted[i]!, r[i]!] : sorted[i]! });
    }
  }
}
