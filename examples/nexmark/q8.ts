// Nexmark q8, monitor new users: people who opened an auction in the tumbling window in which
// they registered. Keyed by person id; per window the person and whether they sold, in keyed
// map state; a row is emitted once when both are known; a timer clears the window after its end.
// The clearing timers are spread by key over `cleanupSpreadMs` after the window end: one timer
// per (person, window) all at the window end would fire ~200k timers per subtask in one burst
// (about 150-300 ms with no input taken: the p99 latency of every row arriving meanwhile); spread,
// each watermark step fires a few thousand. No result changes: a window's rows are all emitted
// before its end, and no event of a window arrives after the watermark passed it.

import { defineJob } from '../../runtime/api/environment.ts';
import { KeyedCoProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../../runtime/api/functions.ts';
import { OutputTag } from '../../runtime/api/output-tag.ts';
import { mapState, type MapState } from '../../runtime/api/state.ts';
import { windowStartFor } from '../../runtime/api/windows.ts';
import type { Auction, Person } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents, querySink } from './common.ts';

export interface Q8Row {
  id: number;
  name: string;
  windowStart: number;
  windowEnd: number;
}

const AUCTIONS = new OutputTag<Auction>('auctions');

interface Slot {
  person?: Person;
  sold: boolean;
  emitted: boolean;
}

/** A key's delay of its clearing timers, in [0, spreadMs): deterministic, even over dense ids. */
export function cleanupDelay(id: number, spreadMs: number): number {
  return spreadMs <= 1 ? 0 : (Math.imul(id | 0, 0x9e3779b1) >>> 0) % spreadMs;
}

class NewSellers extends KeyedCoProcessFunction<number, Person, Auction, Q8Row> {
  private readonly size: number;
  private readonly spread: number;
  private windows!: MapState<number, Slot>;
  constructor(size: number, spreadMs: number) {
    super();
    this.size = size;
    this.spread = spreadMs;
  }
  override open(ctx: RuntimeContext): void {
    this.windows = ctx.getMapState(mapState<number, Slot>('windows'));
  }
  private slot(dateTime: number, ctx: KeyedProcessContext<number>): [number, Slot] {
    const start = windowStartFor(dateTime, 0, this.size);
    let s = this.windows.get(start);
    if (!s) {
      s = { sold: false, emitted: false };
      ctx.timerService().registerEventTimeTimer(start + this.size - 1 + cleanupDelay(ctx.getCurrentKey(), this.spread));
    }
    return [start, s];
  }
  private maybeEmit(start: number, s: Slot, out: Collector<Q8Row>): void {
    if (s.person && s.sold && !s.emitted) {
      s.emitted = true;
      out.collect({ id: s.person.id, name: s.person.name, windowStart: start, windowEnd: start + this.size });
    }
  }
  processElement1(p: Person, ctx: KeyedProcessContext<number>, out: Collector<Q8Row>): void {
    const [start, s] = this.slot(p.dateTime, ctx);
    s.person = p;
    this.maybeEmit(start, s, out);
    this.windows.put(start, s);
  }
  processElement2(a: Auction, ctx: KeyedProcessContext<number>, out: Collector<Q8Row>): void {
    const [start, s] = this.slot(a.dateTime, ctx);
    s.sold = true;
    this.maybeEmit(start, s, out);
    this.windows.put(start, s);
  }
  override onTimer(t: number, ctx: OnTimerContext<number>): void {
    this.windows.remove(t + 1 - this.size - cleanupDelay(ctx.getCurrentKey(), this.spread));
  }
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
