// Nexmark q8, monitor new users: people who opened an auction in the tumbling window in which
// they registered. Keyed by person id; per window the person's name (once registered) and
// whether they sold, in one small keyed value per person (a flat array, not a Map and a retained
// Person per key: ~200k keys per subtask and window make the heap, and so GC pauses, grow); a
// row is emitted once when both are known; a timer clears the window after its end.
// The clearing timers are spread by key over `cleanupSpreadMs` after the window end: one timer
// per (person, window) all at the window end would fire ~200k timers per subtask in one burst
// (about 150-300 ms with no input taken: the p99 latency of every row arriving meanwhile); spread,
// each watermark step fires a few thousand. No result changes: a window's rows are all emitted
// before its end, and no event of a window arrives after the watermark passed it.

import { defineJob, type JobParams } from '../../runtime/api/environment.ts';
import { KeyedCoProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../../runtime/api/functions.ts';
import { OutputTag } from '../../runtime/api/output-tag.ts';
import { valueState, type ValueState } from '../../runtime/api/state.ts';
import { windowStartFor } from '../../runtime/api/windows.ts';
import type { Auction, Person } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents, querySink, type QueryPlan } from './common.ts';

export interface Q8Row {
  id: number;
  name: string;
  windowStart: number;
  windowEnd: number;
}

const AUCTIONS = new OutputTag<Auction>('auctions');

/** Per person: [windowStart, name or null (not registered in it yet), flags] for each open window. */
type Windows = Array<number | string | null>;
const SOLD = 1;
const EMITTED = 2;

/** A key's delay of its clearing timers, in [0, spreadMs): deterministic, even over dense ids. */
export function cleanupDelay(id: number, spreadMs: number): number {
  return spreadMs <= 1 ? 0 : (Math.imul(id | 0, 0x9e3779b1) >>> 0) % spreadMs;
}

class NewSellers extends KeyedCoProcessFunction<number, Person, Auction, Q8Row> {
  private readonly size: number;
  private readonly spread: number;
  private windows!: ValueState<Windows>;
  constructor(size: number, spreadMs: number) {
    super();
    this.size = size;
    this.spread = spreadMs;
  }
  override open(ctx: RuntimeContext): void {
    this.windows = ctx.getState(valueState<Windows>('windows'));
  }
  /** Records what one event tells about its window; emits the row once both halves are known. */
  private update(dateTime: number, name: string | null, sold: boolean, ctx: KeyedProcessContext<number>, out: Collector<Q8Row>): void {
    const start = windowStartFor(dateTime, 0, this.size);
    const id = ctx.getCurrentKey();
    let ws = this.windows.value();
    let i = ws === undefined ? -1 : ws.indexOf(start);
    while (i >= 0 && i % 3 !== 0) i = ws!.indexOf(start, i + 1);
    if (i < 0) {
      ctx.timerService().registerEventTimeTimer(start + this.size - 1 + cleanupDelay(id, this.spread));
      ws = ws === undefined ? [] : ws;
      i = ws.length;
      ws.push(start, null, 0);
    }
    const w = ws!;
    if (name !== null) w[i + 1] = name;
    let flags = w[i + 2] as number;
    if (sold) flags |= SOLD;
    if (w[i + 1] !== null && (flags & SOLD) !== 0 && (flags & EMITTED) === 0) {
      flags |= EMITTED;
      out.collect({ id, name: w[i + 1] as string, windowStart: start, windowEnd: start + this.size });
    }
    w[i + 2] = flags;
    this.windows.update(w);
  }
  processElement1(p: Person, ctx: KeyedProcessContext<number>, out: Collector<Q8Row>): void {
    this.update(p.dateTime, p.name, false, ctx, out);
  }
  processElement2(a: Auction, ctx: KeyedProcessContext<number>, out: Collector<Q8Row>): void {
    this.update(a.dateTime, null, true, ctx, out);
  }
  override onTimer(t: number, ctx: OnTimerContext<number>): void {
    const start = t + 1 - this.size - cleanupDelay(ctx.getCurrentKey(), this.spread);
    const ws = this.windows.value();
    if (ws === undefined) return;
    for (let i = 0; i < ws.length; i += 3) {
      if (ws[i] !== start) continue;
      ws.splice(i, 3);
      if (ws.length === 0) this.windows.clear();
      return;
    }
  }
}

export function plan(params: JobParams): QueryPlan {
  const size = params.getNumber('windowSizeMs', 1000);
  return {
    logical: ['persons and auctions', 'key by person id = seller', `per person and tumbling window ${size} ms in keyed state: name and sold flag; a row as soon as both are known`,
      `clearing timers spread over ${params.getNumber('cleanupSpreadMs', Math.min(size, 1000))} ms after the window end`],
    implementation: ['one routing step chained to the source (persons main output, auctions side output)', 'KeyedCoProcessFunction, heap state (one flat array per person)'],
  };
}

export default defineJob({
  name: 'nexmark-q8',
  build(env, params) {
    const size = params.getNumber('windowSizeMs', 1000);
    const spread = params.getNumber('cleanupSpreadMs', Math.min(size, 1000));
    // one routing step chained to the source: persons on the main output, auctions on a side output
    const persons = nexmarkEvents(env, params).process<Person>(() => ({
      processElement(e, ctx, out) {
        if (e.kind === 'person') out.collect(e);
        else if (e.kind === 'auction') ctx.output(AUCTIONS, e);
      },
    }), { uid: 'q8-route' });
    const auctions = persons.getSideOutput(AUCTIONS);
    persons.connect(auctions)
      .keyBy<number>((p) => p.id, (a) => a.seller)
      .processKeyed(() => new NewSellers(size, spread), { uid: 'q8-join' })
      .sinkTo(querySink<Q8Row>(params), { uid: 'q8-sink' });
  },
});
