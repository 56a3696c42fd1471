// OVER aggregates (`agg(...) OVER (PARTITION BY k ORDER BY time ROWS|RANGE BETWEEN ... PRECEDING
// AND CURRENT ROW)`; Flink's RowTime/ProcTime{Rows,Range}{Bounded,Unbounded}PrecedingFunction):
// each input row leaves with its aggregates over its frame appended. On event time rows wait in
// keyed state until the watermark passes their time and are then taken in time order (rows of a
// time already taken are late and dropped); on processing time each row is taken when it arrives, at the clock's time.
// ROWS frames hold the current row and the n rows before it (rows of equal time in arrival order);
// RANGE frames hold every row whose time is within n ms before the current row's, and rows of
// equal time (peers) get the same result. Rows leaving a bounded frame are retracted from the
// accumulators (aggregate/aggs-handle.ts). The output is insert-only.
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../../api/functions.ts';
import { listState, valueState, type ListState, type ValueState } from '../../api/state.ts';
import type { Key } from '../../keys/key-groups.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';
import type { FrameDef, NodeOf } from '../planner/logical-plan.ts';
import { SqlError } from '../errors.ts';
import { timeAttributeOf } from '../types/data-type.ts';
import { createAggsHandle, type AggsHandle } from './aggregate/aggs-handle.ts';
import type { RowStream, TranslateContext } from './context.ts';
import { fromStateRow, keySelector, toStateRow } from './state-rows.ts';
import { unsupportedNode } from './unsupported.ts';

interface Timed {
  t: number;
  r: unknown[];
}

/** The frame of a partition: accumulators and, for bounded frames, the rows inside it. */
interface FrameState {
  a: unknown[];
  rows: Timed[];
}

export class OverAggregateFunction extends KeyedProcessFunction<Key, ChangelogRow, ChangelogRow> {
  private readonly handle: AggsHandle;
  private readonly frame: FrameDef;
  private readonly timeIndex: number;
  private readonly processingTime: boolean;
  private pending!: ListState<Timed>;
  private state!: ValueState<FrameState>;
  private lastTriggered!: ValueState<number>;

  constructor(handle: AggsHandle, frame: FrameDef, timeIndex: number, processingTime: boolean) {
    super();
    this.handle = handle;
    this.frame = frame;
    this.timeIndex = timeIndex;
    this.processingTime = processingTime;
  }

  override open(ctx: RuntimeContext): void {
    this.pending = ctx.getListState(listState<Timed>('over-pending'));
    this.state = ctx.getState(valueState<FrameState>('over-frame'));
    this.lastTriggered = ctx.getState(valueState<number>('over-last-triggered'));
  }

  processElement(row: ChangelogRow, ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    if (row.kind !== '+I' && row.kind !== '+U') return; // the planner gives OVER insert-only input
    const timers = ctx.timerService();
    if (this.processingTime) {
      this.take([{ t: timers.currentProcessingTime(), r: [...row.values] }], out);
      return;
    }
    const t = row.values[this.timeIndex];
    // late: rows of that time have been taken already (Flink compares with the last timer, too)
    if (typeof t !== 'number' || t <= (this.lastTriggered.value() ?? Number.MIN_SAFE_INTEGER)) return;
    this.pending.add({ t, r: toStateRow(row.values) });
    timers.registerEventTimeTimer(t);
  }

  override onTimer(ts: number, _ctx: OnTimerContext<Key>, out: Collector<ChangelogRow>): void {
    const all = this.pending.get();
    this.lastTriggered.update(ts);
    const due = all.filter((p) => p.t <= ts).map((p) => ({ t: p.t, r: fromStateRow(p.r) }));
    if (due.length === 0) return;
    const later = all.filter((p) => p.t > ts);
    if (later.length === 0) this.pending.clear();
    else this.pending.update(later);
    due.sort((a, b) => a.t - b.t); // stable: equal times keep their arrival order
    this.take(due, out);
  }

  /** Rows in time order: each gets its frame's aggregates. */
  private take(rows: readonly Timed[], out: Collector<ChangelogRow>): void {
    const stored = this.state.value();
    const s: FrameState = stored === undefined ? { a: this.handle.create(), rows: [] } : { a: stored.a, rows: stored.rows.map((x) => ({ t: x.t, r: fromStateRow(x.r) })) };
    const { unit, preceding } = this.frame;
    const emit = (r: readonly unknown[]): void => out.collect({ kind: '+I', values: [...r, ...this.handle.values(s.a)] });
    if (unit === 'ROWS') {
      for (const row of rows) {
        this.handle.accumulate(s.a, row.r);
        if (preceding !== undefined) {
          s.rows.push(row);
          while (s.rows.length > preceding + 1) this.handle.retract(s.a, s.rows.shift()!.r);
        }
        emit(row.r);
      }
    } else {
      // RANGE: rows of one time are peers, accumulated together before any of them is emitted
      for (let i = 0; i < rows.length;) {
        let j = i;
        while (j < rows.length && rows[j]!.t === rows[i]!.t) j++;
        const peers = rows.slice(i, j);
        for (const p of peers) this.handle.accumulate(s.a, p.r);
        if (preceding !== undefined) {
          s.rows.push(...peers);
          const from = peers[0]!.t - preceding;
          while (s.rows.length > 0 && s.rows[0]!.t < from) this.handle.retract(s.a, s.rows.shift()!.r);
        }
        for (const p of peers) emit(p.r);
        i = j;
      }
    }
    this.state.update({ a: s.a, rows: s.rows.map((x) => ({ t: x.t, r: toStateRow(x.r) })) });
  }
}

export function translateOver(node: NodeOf<'Over'>, ctx: TranslateContext): RowStream {
  // Flink's planner refuses several windows in one OVER aggregate with this message
  if (node.groups.length !== 1) throw new SqlError('MR_ERR_SQL_PLAN', 'Over Agg: Unsupported use of OVER windows. All aggregates must be computed on the same window. please re-check the over window statement.');
  const g = node.groups[0]!;
  const key = g.orderKeys[0];
  const fields = node.input.fields;
  const attr = key === undefined ? undefined : timeAttributeOf(fields[key.index]!.type);
  if (key === undefined || attr === undefined) throw unsupportedNode(node, 'OVER must be ordered by a time attribute');
  // rows leave only a bounded frame: a user-defined aggregate needs retract() there (Flink's rule too)
  const handle = createAggsHandle(g.aggCalls, fields, { retracts: g.frame.preceding !== undefined });
  const uid = ctx.uids.get(node);
  const frame = `${g.frame.unit} BETWEEN ${g.frame.preceding === undefined ? 'UNBOUNDED' : g.frame.preceding} PRECEDING AND CURRENT ROW`;
  return ctx.translate(node.input).keyBy<Key>(keySelector(g.partitionKeys))
    .processKeyed<ChangelogRow>(() => new OverAggregateFunction(handle, g.frame, key.index, attr === 'PROCTIME'), {
      name: `OverAggregate(partitionBy=[${g.partitionKeys.map((k) => fields[k]!.name).join(', ')}], orderBy=[${fields[key.index]!.name}], ${frame}, select=[${g.aggCalls.map((c) => c.name).join(', ')}])`,
      ...(uid === undefined ? {} : { uid }),
    });
}
