// Nexmark q8, monitor new users: people who opened an auction in the tumbling window in which
// they registered. Keyed by person id; per window the person and whether they sold, in keyed
// map state; a row is emitted once when both are known; a timer clears the window at its end.

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

class NewSellers extends KeyedCoProcessFunction<number, Person, Auction, Q8Row> {
  private readonly size: number;
  private windows!: MapState<number, Slot>;
  constructor(size: number) {
    super();
    this.size = size;
  }
  override open(ctx: RuntimeContext): void {
    this.windows = ctx.getMapState(mapState<number, Slot>('windows'));
  }
  private slot(dateTime: number, ctx: KeyedProcessContext<number>): [number, Slot] {
    const start = windowStartFor(dateTime, 0, this.size);
    let s = this.windows.get(start);
    if (!s) {
      s = { sold: false, emitted: false };
      ctx.timerService().registerEventTimeTimer(start + this.size - 1);
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
  override onTimer(t: number, _ctx: OnTimerContext<number>): void {
    this.windows.remove(t + 1 - this.size);
  }
}

export default defineJob({
  name: 'nexmark-q8',
  build(env, params) {
    const size = params.getNumber('windowSizeMs', 1000);
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
      .processKeyed(() => new NewSellers(size), { uid: 'q8-join' })
      .sinkTo(querySink<Q8Row>(params), { uid: 'q8-sink' });
  },
});
