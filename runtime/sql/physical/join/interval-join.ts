// Interval joins (Flink's RowTimeIntervalJoin / ProcTimeIntervalJoin): rows of both inputs join
// when their time attributes satisfy lowerBound <= l.time - r.time <= upperBound (and the equi
// keys and the residual condition). Each side's rows wait in keyed state only while a row of the
// other side could still match them: a timer drops a left row once the other side's time (the
// watermark, or the clock for processing time) passes l.time - lowerBound, a right row once it
// passes r.time + upperBound. Outer joins emit a null-padded row for a row that leaves state
// without a match; the output is insert-only.
import { KeyedCoProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../../../api/functions.ts';
import { listState, type ListState } from '../../../api/state.ts';
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { JoinType } from '../../planner/logical-plan.ts';
import { fromStateRow, hasNull, nulls, toStateRow } from '../state-rows.ts';

export interface IntervalJoinSpec {
  readonly joinType: JoinType;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly residual?: (joined: readonly unknown[]) => boolean;
  readonly leftTime: number;
  readonly rightTime: number;
  /** bounds of l.time - r.time in milliseconds, both inclusive */
  readonly lowerBound: number;
  readonly upperBound: number;
  /** processing-time attributes: the clock is the time, processing-time timers clean up */
  readonly processingTime: boolean;
}

/** A waiting row: its time, values, and whether it has joined (outer joins pad the others). */
interface Waiting {
  t: number;
  r: unknown[];
  m: boolean;
}

export class IntervalJoinFunction extends KeyedCoProcessFunction<Key, ChangelogRow, ChangelogRow, ChangelogRow> {
  private readonly spec: IntervalJoinSpec;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private left!: ListState<Waiting>;
  private right!: ListState<Waiting>;

  constructor(spec: IntervalJoinSpec) {
    super();
    this.spec = spec;
    if (spec.joinType === 'SEMI' || spec.joinType === 'ANTI') throw new Error(`MR_ERR_SQL_UNSUPPORTED: an interval join is INNER, LEFT, RIGHT or FULL, not ${spec.joinType}`);
    this.leftOuter = spec.joinType === 'LEFT' || spec.joinType === 'FULL';
    this.rightOuter = spec.joinType === 'RIGHT' || spec.joinType === 'FULL';
  }

  override open(ctx: RuntimeContext): void {
    this.left = ctx.getListState(listState<Waiting>('interval-join-left'));
    this.right = ctx.getListState(listState<Waiting>('interval-join-right'));
  }

  processElement1(row: ChangelogRow, ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    this.process(row.values, true, ctx, out);
  }

  processElement2(row: ChangelogRow, ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    this.process(row.values, false, ctx, out);
  }

  private now(ctx: KeyedProcessContext<Key>): number {
    const timers = ctx.timerService();
    return this.spec.processingTime ? timers.currentProcessingTime() : timers.currentWatermark();
  }

  private padded(values: readonly unknown[], isLeft: boolean): unknown[] {
    return isLeft ? [...values, ...nulls(this.spec.rightWidth)] : [...nulls(this.spec.leftWidth), ...values];
  }

  private process(values: readonly unknown[], isLeft: boolean, ctx: KeyedProcessContext<Key>, out: Collector<ChangelogRow>): void {
    const { lowerBound: lower, upperBound: upper, residual } = this.spec;
    const now = this.now(ctx);
    const t = this.spec.processingTime ? now : values[isLeft ? this.spec.leftTime : this.spec.rightTime];
    const outer = isLeft ? this.leftOuter : this.rightOuter;
    if (typeof t !== 'number' || hasNull(values, isLeft ? this.spec.leftKeys : this.spec.rightKeys)) {
      if (outer) out.collect({ kind: '+I', values: this.padded(values, isLeft) });
      return;
    }
    // the other side's times that match: l - r in [lower, upper]
    const [from, to] = isLeft ? [t - upper, t - lower] : [t + lower, t + upper];
    const otherState = isLeft ? this.right : this.left;
    let matched = false;
    const others = otherState.get();
    let changed = false;
    for (const o of others) {
      if (o.t < from || o.t > to) continue;
      const otherValues = fromStateRow(o.r);
      const joined = isLeft ? [...values, ...otherValues] : [...otherValues, ...values];
      if (residual !== undefined && !residual(joined)) continue;
      matched = true;
      if (!o.m) {
        o.m = true;
        changed = true;
      }
      out.collect({ kind: '+I', values: joined });
    }
    if (changed) otherState.update(others);
    // wait while rows of the other side up to `to` may still come (their time is above `now`)
    if (now < to) {
      (isLeft ? this.left : this.right).add({ t, r: toStateRow(values), m: matched });
      const cleanup = to + 1;
      if (this.spec.processingTime) ctx.timerService().registerProcessingTimeTimer(cleanup);
      else ctx.timerService().registerEventTimeTimer(cleanup);
    } else if (outer && !matched) {
      out.collect({ kind: '+I', values: this.padded(values, isLeft) });
    }
  }

  override onTimer(ts: number, _ctx: OnTimerContext<Key>, out: Collector<ChangelogRow>): void {
    // a left row at l waits until the other side reaches l - lower; a right row at r until r + upper
    this.expire(this.left, (w) => w.t - this.spec.lowerBound + 1 <= ts, this.leftOuter, true, out);
    this.expire(this.right, (w) => w.t + this.spec.upperBound + 1 <= ts, this.rightOuter, false, out);
  }

  private expire(state: ListState<Waiting>, expired: (w: Waiting) => boolean, outer: boolean, isLeft: boolean, out: Collector<ChangelogRow>): void {
    const rows = state.get();
    if (!rows.some(expired)) return;
    const keep: Waiting[] = [];
    for (const w of rows) {
      if (!expired(w)) keep.push(w);
      else if (outer && !w.m) out.collect({ kind: '+I', values: this.padded(fromStateRow(w.r), isLeft) });
    }
    if (keep.length === 0) state.clear();
    else state.update(keep);
  }
}
