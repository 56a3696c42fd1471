// Sort as Flink runs it in streaming (StreamExecSort/TemporalSort, SortLimit, Limit):
// - ORDER BY a time attribute ASC [, more keys] without LIMIT: rows wait in state until the
//   watermark (event time) or the next millisecond (processing time) passes their time, then leave
//   in order of the keys; late rows are dropped. Insert-only.
// - ORDER BY ... LIMIT n [OFFSET m]: a Top-N over the whole input (one partition), the rows in
//   range emitted and retracted as they change (rank/top-n.ts).
// - LIMIT n without ORDER BY: the first n rows in arrival order (the same Top-N, all rows tied).
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../../api/functions.ts';
import { listState, type ListState } from '../../api/state.ts';
import type { Key } from '../../keys/key-groups.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import { changelogText } from '../planner/changelog.ts';
import type { NodeOf } from '../planner/logical-plan.ts';
import { timeAttributeOf } from '../types/data-type.ts';
import type { RowStream, TranslateContext } from './context.ts';
import { insertionPoint } from './rank/top-n.ts';
import { TopNFunction } from './rank/top-n.ts';
import { rowOrder, type RowOrder } from './rank/sort-order.ts';
import { fromStateRow, toStateRow } from './state-rows.ts';
import { stateTtlMs } from './state-ttl.ts';

export class TemporalSortFunction extends KeyedProcessFunction<Key, ChangelogRow, ChangelogRow> {
  private readonly timeIndex: number;
  private readonly processingTime: boolean;
  private readonly order: RowOrder;
  private rows!: ListState<unknown[]>;

  constructor(timeIndex: number, processingTime: boolean, order: RowOrder) {
    super();
    this.timeIndex = timeIndex;
    this.processingTime = processingTime;
    this.order = order;
  }

  override open(ctx: RuntimeContext): void {
    this.rows = ctx.getListState(listState<unknown[]>('temporal-sort'));
  }

  processElement(row: ChangelogRow, ctx: KeyedProcessContext<Key>, _out: Collector<ChangelogRow>): void {
    const timers = ctx.timerService();
    if (this.processingTime) {
      this.rows.add(toStateRow(row.values));
      timers.registerProcessingTimeTimer(timers.currentProcessingTime() + 1);
      return;
    }
    const t = row.values[this.timeIndex];
    if (typeof t !== 'number' || t <= timers.currentWatermark()) return; // late
    this.rows.add(toStateRow(row.values));
    timers.registerEventTimeTimer(t);
  }

  override onTimer(ts: number, _ctx: OnTimerContext<Key>, out: Collector<ChangelogRow>): void {
    const due: unknown[][] = [];
    const later: unknown[][] = [];
    for (const stored of this.rows.get()) {
      const values = fromStateRow(stored);
      if (this.processingTime || (values[this.timeIndex] as number) <= ts) due.splice(insertionPoint(due, values, this.order), 0, values);
      else later.push(stored);
    }
    if (due.length === 0) return;
    if (later.length === 0) this.rows.clear();
    else this.rows.update(later);
    for (const values of due) out.collect({ kind: '+I', values });
  }
}

export function translateSort(node: NodeOf<'Sort'>, ctx: TranslateContext): RowStream {
  const fields = node.input.fields;
  const order = rowOrder(node.keys, fields);
  const uid = ctx.uids.get(node);
  const keyed = ctx.translate(node.input).keyBy<Key>(() => 0); // one partition: the whole input is ordered
  const keysText = node.keys.map((k) => `${fields[k.index]!.name} ${k.direction}`).join(', ');
  if (node.fetch === undefined) {
    const first = node.keys[0]!;
    const processingTime = timeAttributeOf(fields[first.index]!.type) === 'PROCTIME';
    return keyed.processKeyed<ChangelogRow>(() => new TemporalSortFunction(first.index, processingTime, order), { name: `TemporalSort(orderBy=[${keysText}])`, ...(uid === undefined ? {} : { uid }) });
  }
  const offset = node.offset ?? 0;
  const input = ctx.changelog?.get(node.input);
  const appendOnly = input !== undefined && changelogText(input) === 'I';
  const ttl = stateTtlMs(ctx.config);
  return keyed.processKeyed<ChangelogRow>(() => new TopNFunction({
    rankType: 'ROW_NUMBER', rankStart: offset + 1, rankEnd: offset + node.fetch!, outputRankNumber: false, order, appendOnly, stateTtlMs: ttl,
  }), { name: node.keys.length > 0 ? `SortLimit(orderBy=[${keysText}], offset=[${offset}], fetch=[${node.fetch}])` : `Limit(offset=[${offset}], fetch=[${node.fetch}])`, ...(uid === undefined ? {} : { uid }) });
}
