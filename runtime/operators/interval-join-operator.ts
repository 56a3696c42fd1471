// Keyed interval join: left element at time tl joins right elements at tr with
// tl + lower <= tr <= tl + upper. Both sides are buffered per key by timestamp and cleaned up by
// event-time timers once no future element of the other side can match.

import type { Collector, KeySelector, ProcessJoinContext, ProcessJoinFunction } from '../api/functions.ts';
import type { OutputTag } from '../api/output-tag.ts';
import type { StateTable } from '../state/state-table.ts';
import type { Timer } from '../state/timer-heap.ts';
import { StreamOperator } from './stream-operator.ts';

const LEFT = '_join_left';
const RIGHT = '_join_right';

type Buffer = Map<number, unknown[]>;

export class IntervalJoinOperator extends StreamOperator implements Collector<unknown> {
  private readonly lower: number;
  private readonly upper: number;
  private readonly fn: ProcessJoinFunction<unknown, unknown, unknown>;
  private readonly key1: KeySelector<unknown>;
  private readonly key2: KeySelector<unknown>;
  private left!: StateTable;
  private right!: StateTable;
  private lts = 0;
  private rts = 0;
  private readonly joinCtx: ProcessJoinContext;

  constructor(lower: number, upper: number, fn: ProcessJoinFunction<unknown, unknown, unknown>, key1: KeySelector<unknown>, key2: KeySelector<unknown>) {
    super(true);
    if (lower > upper) throw new Error(`MR_ERR_INTERVAL_BOUNDS: interval join lower bound ${lower} is above upper bound ${upper}`);
    this.lower = lower;
    this.upper = upper;
    this.fn = fn;
    this.key1 = key1;
    this.key2 = key2;
    this.numInputs = 2;
    this.joinCtx = {
      leftTimestamp: () => this.lts,
      rightTimestamp: () => this.rts,
      timestamp: () => Math.max(this.lts, this.rts),
      output: <X>(tag: OutputTag<X>, v: X) => this.output.collectSide(tag.id, v, Math.max(this.lts, this.rts)),
    };
  }

  override open(): void {
    this.left = this.backend!.table(LEFT);
    this.right = this.backend!.table(RIGHT);
    this.fn.open?.(this.runtimeContext());
  }
  override close(): void {
    this.fn.close?.();
    super.close();
  }

  collect(value: unknown): void {
    this.output.collect(value, Math.max(this.lts, this.rts));
  }

  private buffer(t: StateTable): Buffer {
    const g = this.backend!.currentGroup(t);
    let m = g.get(this.backend!.currentKey) as Buffer | Array<[number, unknown[]]> | undefined;
    if (Array.isArray(m)) m = new Map(m);
    if (!m) m = new Map();
    g.set(this.backend!.currentKey, m);
    return m;
  }

  processElement(value: unknown, ts: number): void {
    this.backend!.setCurrentKey(this.key1(value));
    this.side(value, ts, true);
  }
  override processElement2(value: unknown, ts: number): void {
    this.backend!.setCurrentKey(this.key2(value));
    this.side(value, ts, false);
  }

  private side(value: unknown, ts: number, isLeft: boolean): void {
    if (Number.isNaN(ts)) throw new Error('MR_ERR_NO_TIMESTAMP: interval join needs event timestamps on both inputs');
    if (ts < this.watermark) return; // late: can no longer be matched completely
    const own = this.buffer(isLeft ? this.left : this.right);
    const other = this.buffer(isLeft ? this.right : this.left);
    const bucket = own.get(ts);
    if (bucket) bucket.push(value);
    else own.set(ts, [value]);
    const lo = isLeft ? ts + this.lower : ts - this.upper;
    const hi = isLeft ? ts + this.upper : ts - this.lower;
    for (const [ots, values] of other) {
      if (ots < lo || ots > hi) continue;
      for (const o of values) {
        if (isLeft) {
          this.lts = ts;
          this.rts = ots;
          this.fn.processElement(value, o, this.joinCtx, this);
        } else {
          this.lts = ots;
          this.rts = ts;
          this.fn.processElement(o, value, this.joinCtx, this);
        }
      }
    }
    const relUpper = isLeft ? this.upper : -this.lower;
    const cleanup = relUpper > 0 ? ts + relUpper : ts;
    this.timers!.registerEventTimeTimer(isLeft ? `L${ts}` : `R${ts}`, cleanup);
  }

  protected override onEventTime(t: Timer): void {
    const ns = t.namespace as string;
    const isLeft = ns.charCodeAt(0) === 76; // 'L'
    const ts = Number(ns.slice(1));
    const table = isLeft ? this.left : this.right;
    const buf = this.buffer(table);
    buf.delete(ts);
    if (buf.size === 0) this.backend!.currentGroup(table).delete(this.backend!.currentKey);
  }
}
