// WindowAggregate (window TVF aggregation and the legacy GROUP BY TUMBLE/HOP/SESSION): per group
// key the open windows with their accumulators in keyed state (checkpointed with the job), one
// timer per window end; a window is emitted once, as +I rows of group keys, aggregates and
// window_start/window_end/window_time, when the watermark (event time) or the clock (processing
// time) passes its end − 1, and then dropped. As in Flink, a row whose earliest window has already
// fired is late and dropped; at the end of a bounded input the processing-time windows still open
// are emitted (Flink flushes them too). Sessions merge when they touch (Flink's TimeWindow).
// HOP and CUMULATE keep slices instead (Flink's slice-shared windows and the legacy panes): a row
// is accumulated once, into the slice holding it (gcd(size, slide) for HOP, the step for
// CUMULATE), and a window is the merge of its slices when it fires. The order of that merge is
// Flink's and shows in ARRAY_AGG/LISTAGG (checked on Flink 1.20.3): newest slice first for the HOP
// table function (HoppingSliceAssigner), oldest first for CUMULATE and the legacy GROUP BY HOP.
import { valueState, type ValueState } from '../../../api/state.ts';
import type { KeySelector } from '../../../api/functions.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { Timer } from '../../../state/timer-heap.ts';
import { StreamOperator } from '../../../operators/stream-operator.ts';
import type { WindowDef } from '../../planner/logical-plan.ts';
import type { AggsHandle } from '../aggregate/aggs-handle.ts';
import { fromState, toState } from '../aggregate/state-value.ts';
import { assignWindows, sessionsOverlap, windowStart } from './window-assigner.ts';

/** One open window of a key: bounds and accumulators. */
export interface OpenWindow {
  s: number;
  e: number;
  a: unknown[];
}

/**
 * What a key keeps: its group values (state form) and its open windows, or with `sl` its slices
 * and `f`, the time up to which its windows have fired (a slice outlives its first windows).
 * State written before slices existed has no `sl`: such a key goes on with whole windows.
 */
export interface KeyWindows {
  k: unknown[];
  w: OpenWindow[];
  sl?: 1;
  f?: number;
}

/** How a sliced window merges its slices (see the header). */
export type SliceOrder = 'newest-first' | 'oldest-first';

export interface WindowAggregateSpec {
  readonly window: WindowDef;
  readonly eventTime: boolean;
  readonly groupKeys: readonly number[];
  readonly handle: AggsHandle;
  readonly properties: readonly ('window_start' | 'window_end' | 'window_time')[];
  readonly keySelector: KeySelector<unknown>;
  /** HOP/CUMULATE only: keep slices, merged in this order when a window fires (else whole windows) */
  readonly slices?: SliceOrder;
  /**
   * The global phase of a two-phase window aggregation: the input rows are LocalWindowAggregate's
   * partials, [group keys..., slice start, accumulators...] (`groupKeys` are then 0..n−1), merged
   * into their slice (or window) instead of accumulated.
   */
  readonly partials?: true;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The slice length of a sliced window: Flink's slice (window TVF) and pane (legacy HOP) size. */
export function sliceSize(window: WindowDef): number {
  switch (window.kind) {
    case 'HOP': return gcd(window.size, window.slide);
    case 'CUMULATE': return window.step;
    case 'TUMBLE': return window.size;
    case 'SESSION': throw new Error('session windows have no slices');
  }
}

const NS = 0;

export class WindowAggregateOperator extends StreamOperator {
  private readonly spec: WindowAggregateSpec;
  private readonly slice: number;
  private state!: ValueState<KeyWindows>;

  constructor(spec: WindowAggregateSpec) {
    super(true);
    this.spec = spec;
    this.slice = spec.slices === undefined ? 0 : sliceSize(spec.window);
  }

  override open(): void {
    this.state = this.backend!.getValueState(valueState<KeyWindows>('window-aggregate'));
  }

  private now(): number {
    return this.spec.eventTime ? this.watermark : this.ctx.processingTimeService.now();
  }

  private register(end: number): void {
    if (this.spec.eventTime) this.timers!.registerEventTimeTimer(NS, end - 1);
    else this.timers!.registerProcessingTimeTimer(NS, end - 1);
  }

  private unregister(end: number): void {
    if (this.spec.eventTime) this.timers!.deleteEventTimeTimer(NS, end - 1);
    else this.timers!.deleteProcessingTimeTimer(NS, end - 1);
  }

  processElement(value: unknown): void {
    const row = value as ChangelogRow;
    if (this.spec.partials === true) {
      this.processPartial(row);
      return;
    }
    const { window, handle } = this.spec;
    let ts: number;
    if (this.spec.eventTime) {
      const t = row.values[window.timeIndex];
      if (typeof t !== 'number') return; // a NULL rowtime belongs to no window
      ts = t;
    } else ts = this.ctx.processingTimeService.now();
    const current = this.now();
    this.backend!.setCurrentKey(this.spec.keySelector(row));
    let st = this.state.value();
    const fresh = st === undefined;
    st ??= { k: this.spec.groupKeys.map((i) => toState(row.values[i])), w: [], ...(this.slice > 0 ? { sl: 1 as const } : {}) };
    if (st.sl === 1 && window.kind !== 'SESSION') {
      const ws = assignWindows(window, ts);
      if (ws.length === 0 || ws[0]!.end - 1 <= current) return; // late: the earliest of its windows has fired
      const s = windowStart(ts, this.slice, window.offset ?? 0);
      let sl = st.w.find((x) => x.s === s);
      if (sl === undefined) {
        sl = { s, e: s + this.slice, a: handle.create() };
        st.w.push(sl);
        for (const b of ws) this.register(b.end);
      }
      handle.accumulate(sl.a, row.values);
    } else if (window.kind === 'SESSION') {
      let merged = { s: ts, e: ts + window.gap };
      const keep: OpenWindow[] = [];
      const absorbed: OpenWindow[] = [];
      for (const w of st.w) {
        if (sessionsOverlap({ start: w.s, end: w.e }, { start: merged.s, end: merged.e })) {
          absorbed.push(w);
          merged = { s: Math.min(merged.s, w.s), e: Math.max(merged.e, w.e) };
        } else keep.push(w);
      }
      if (merged.e - 1 <= current) return; // late: its session has been emitted already
      const acc = handle.create();
      for (const w of absorbed) {
        handle.merge(acc, w.a);
        if (w.e !== merged.e) this.unregister(w.e);
      }
      handle.accumulate(acc, row.values);
      keep.push({ s: merged.s, e: merged.e, a: acc });
      st.w = keep;
      this.register(merged.e);
    } else {
      const ws = assignWindows(window, ts);
      if (ws.length === 0 || ws[0]!.end - 1 <= current) return; // late: the earliest of its windows has fired
      for (const b of ws) {
        let w = st.w.find((x) => x.s === b.start && x.e === b.end);
        if (w === undefined) {
          w = { s: b.start, e: b.end, a: handle.create() };
          st.w.push(w);
          this.register(b.end);
        }
        handle.accumulate(w.a, row.values);
      }
    }
    if (fresh || st.w.length > 0) this.state.update(st);
  }

  /** A partial of one group and slice (see `partials`): late as its rows would be, else merged. */
  private processPartial(row: ChangelogRow): void {
    const window = this.spec.window as Exclude<WindowDef, { kind: 'SESSION' }>;
    const { handle, groupKeys } = this.spec;
    const start = row.values[groupKeys.length] as number;
    // the windows holding the slice are those holding each of its rows (slices align with them)
    const ws = assignWindows(window, start);
    if (ws.length === 0 || ws[0]!.end - 1 <= this.now()) return; // late: the earliest of its windows has fired
    const accs = row.values.slice(groupKeys.length + 1);
    this.backend!.setCurrentKey(this.spec.keySelector(row));
    let st = this.state.value();
    st ??= { k: groupKeys.map((i) => toState(row.values[i])), w: [], ...(this.slice > 0 ? { sl: 1 as const } : {}) };
    if (st.sl === 1) {
      let sl = st.w.find((x) => x.s === start);
      if (sl === undefined) {
        sl = { s: start, e: start + this.slice, a: handle.create() };
        st.w.push(sl);
        for (const b of ws) this.register(b.end);
      }
      handle.merge(sl.a, accs);
    } else {
      // whole windows (TUMBLE; a HOP key saved before slices existed): the partial goes into each
      for (const b of ws) {
        let w = st.w.find((x) => x.s === b.start && x.e === b.end);
        if (w === undefined) {
          w = { s: b.start, e: b.end, a: handle.create() };
          st.w.push(w);
          this.register(b.end);
        }
        handle.merge(w.a, ws.length === 1 ? accs : this.copyOf(accs));
      }
    }
    this.state.update(st);
  }

  /** Fresh accumulators holding `accs` (merging one partial into several windows shares nothing). */
  private copyOf(accs: readonly unknown[]): unknown[] {
    const copy = this.spec.handle.create();
    this.spec.handle.merge(copy, structuredClone(accs));
    return copy;
  }

  protected override onEventTime(t: Timer): void {
    this.fire(t.timestamp);
  }

  protected override onProcessingTime(t: Timer): void {
    this.fire(t.timestamp);
  }

  /** Emits and drops the current key's windows whose end − 1 is at or before `time`. */
  private fire(time: number): void {
    const st = this.state.value();
    if (st === undefined) return;
    if (st.sl === 1) {
      this.fireSlices(st, time);
      return;
    }
    const due = st.w.filter((w) => w.e - 1 <= time).sort((a, b) => a.e - b.e || a.s - b.s);
    if (due.length === 0) return;
    const key = st.k.map(fromState);
    for (const w of due) {
      const values = [...key, ...this.spec.handle.values(w.a)];
      for (const p of this.spec.properties) values.push(p === 'window_start' ? w.s : p === 'window_end' ? w.e : w.e - 1);
      this.output.collect({ kind: '+I', values } satisfies ChangelogRow, w.e - 1);
    }
    st.w = st.w.filter((w) => w.e - 1 > time);
    if (st.w.length === 0) this.state.clear();
    else this.state.update(st);
  }

  /** Sliced: emits the windows ending in (f, time + 1] that hold a slice, then drops the slices no later window needs. */
  private fireSlices(st: KeyWindows, time: number): void {
    const window = this.spec.window as Exclude<WindowDef, { kind: 'SESSION' }>;
    const { handle } = this.spec;
    const after = st.f ?? Number.NEGATIVE_INFINITY;
    const windows = new Map<number, number>(); // end → start
    let keep = false;
    for (const sl of st.w) {
      const ws = assignWindows(window, sl.s);
      for (const b of ws) if (b.end - 1 <= time && b.end - 1 > after) windows.set(b.end, b.start);
      if (ws[ws.length - 1]!.end - 1 > time) keep = true;
    }
    if (windows.size === 0) return;
    const key = st.k.map(fromState);
    const newestFirst = this.spec.slices === 'newest-first';
    for (const [e, s] of [...windows].sort((a, b) => a[0] - b[0])) {
      const acc = handle.create();
      const parts = st.w.filter((sl) => sl.s >= s && sl.e <= e).sort((a, b) => (newestFirst ? b.s - a.s : a.s - b.s));
      for (const sl of parts) handle.merge(acc, sl.a);
      const values = [...key, ...handle.values(acc)];
      for (const p of this.spec.properties) values.push(p === 'window_start' ? s : p === 'window_end' ? e : e - 1);
      this.output.collect({ kind: '+I', values } satisfies ChangelogRow, e - 1);
    }
    if (!keep) {
      this.state.clear();
      return;
    }
    st.w = st.w.filter((sl) => assignWindows(window, sl.s).some((b) => b.end - 1 > time));
    st.f = time;
    this.state.update(st);
  }

  /** End of input: processing-time windows still open are emitted (event-time ones fired at the final watermark). */
  override finish(): void {
    if (this.spec.eventTime) return;
    this.timers!.heaps().processingTime.drainUntil(Number.POSITIVE_INFINITY, (_ts, key) => {
      this.backend!.setCurrentKey(key);
      this.fire(Number.POSITIVE_INFINITY);
    });
  }
}
