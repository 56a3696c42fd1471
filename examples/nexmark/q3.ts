// Nexmark q3, local item suggestion: people in OR, ID or CA selling in category 10. An unbounded
// incremental join keyed by person id: each side waits in keyed state for the other.

import { defineJob } from '../../runtime/api/environment.ts';
import { KeyedCoProcessFunction, type Collector, type KeyedProcessContext, type RuntimeContext } from '../../runtime/api/functions.ts';
import { OutputTag } from '../../runtime/api/output-tag.ts';
import { listState, valueState, type ListState, type ValueState } from '../../runtime/api/state.ts';
import type { Auction, Person } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents, querySink, type QueryPlan } from './common.ts';

export interface Q3Row {
  name: string;
  city: string;
  state: string;
  id: number;
}

const PERSONS = new OutputTag<Person>('sellers');

class JoinSellers extends KeyedCoProcessFunction<number, Auction, Person, Q3Row> {
  private seller!: ValueState<Person>;
  private waiting!: ListState<Auction>;
  override open(ctx: RuntimeContext): void {
    this.seller = ctx.getState(valueState<Person>('seller'));
    this.waiting = ctx.getListState(listState<Auction>('auctions-waiting-for-seller'));
  }
  processElement1(a: Auction, _ctx: KeyedProcessContext<number>, out: Collector<Q3Row>): void {
    const p = this.seller.value();
    if (p) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
    else this.waiting.add(a);
  }
  processElement2(p: Person, _ctx: KeyedProcessContext<number>, out: Collector<Q3Row>): void {
    this.seller.update(p);
    for (const a of this.waiting.get()) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
    this.waiting.clear();
  }
}

export function plan(): QueryPlan {
  return {
    logical: ['persons in OR/ID/CA and category-10 auctions', 'key by person id = seller', 'unbounded join in keyed state (value: person, list: waiting auctions), emit on match'],
    implementation: ['one routing step chained to the source (auctions main output, persons side output)', 'KeyedCoProcessFunction, heap state'],
  };
}

export default defineJob({
  name: 'nexmark-q3',
  build(env, params) {
    const category = params.getNumber('category', 10);
    const states = new Set(params.get('states', 'OR,ID,CA').split(','));
    // one routing step chained to the source: auctions on the main output, sellers on a side output
    const auctions = nexmarkEvents(env, params).process<Auction>(() => ({
      processElement(e, ctx, out) {
        if (e.kind === 'auction') {
          if (e.category === category) out.collect(e);
        } else if (e.kind === 'person' && states.has(e.state)) ctx.output(PERSONS, e);
      },
    }), { uid: 'q3-route' });
    const persons = auctions.getSideOutput(PERSONS);
    auctions.connect(persons)
      .keyBy<number>((a) => a.seller, (p) => p.id)
      .processKeyed(() => new JoinSellers(), { uid: 'q3-join' })
      .sinkTo(querySink<Q3Row>(params), { uid: 'q3-sink' });
  },
});
