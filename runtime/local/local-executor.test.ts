import { defineJob } from '../api/environment.ts';
import { KeyedCoProcessFunction, KeyedProcessFunction, ProcessJoinFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../api/functions.ts';
import { OutputTag } from '../api/output-tag.ts';
import { valueState, type ValueState } from '../api/state.ts';
import { WatermarkStrategies } from '../api/watermarks.ts';
import { TumblingEventTimeWindows } from '../api/windows.ts';
import { collectSink } from '../connectors/collect-sink.ts';
import { executeLocally } from './local-executor.ts';

type Ev = { k: string; t: number; n: number };
const events: Ev[] = Array.from({ length: 1000 }, (_, i) => ({ k: `k${i % 7}`, t: i * 10, n: i }));
const ts = WatermarkStrategies.forBoundedOutOfOrderness<Ev>(0).withTimestampAssigner((e) => e.t);

describe('local execution of whole jobs', () => {
  test('map, filter and flatMap are chained into one task per subtask and keep every record', async () => {
    const out: number[] = [];
    const exec = executeLocally(defineJob({
      name: 'stateless',
      build(env) {
        env.fromElements(events).filter((e) => e.n % 2 === 0).map((e) => e.n).flatMap<number>((n, o) => { o.collect(n); o.collect(-n); }).sinkTo(collectSink(out));
      },
    }), { parallelism: 3 });
    await exec.done;
    expect(exec.jobGraph.vertices).toHaveLength(1);
    expect(exec.jobGraph.vertices[0]!.chain).toHaveLength(5);
    expect(out.length).toBe(1000);
    expect(out.reduce((a, b) => a + b, 0)).toBe(0);
  });

  test('keyBy + tumbling window counts per key over parallel subtasks equal a direct computation', async () => {
    const out: Array<{ k: string; n: number; w: number }> = [];
    const exec = executeLocally(defineJob({
      name: 'windows',
      build(env) {
        env.fromElements(events, { strategy: ts })
          .map((e) => ({ k: e.k, n: 1, w: Math.floor(e.t / 1000) }))
          .keyBy((e) => e.k)
          .window(TumblingEventTimeWindows.of(1000))
          .reduce((a, b) => ({ k: a.k, n: a.n + b.n, w: a.w }))
          .sinkTo(collectSink(out));
      },
    }), { parallelism: 2 });
    await exec.done;
    const expected = new Map<string, number>();
    for (const e of events) {
      const id = `${e.k}@${Math.floor(e.t / 1000)}`;
      expected.set(id, (expected.get(id) ?? 0) + 1);
    }
    expect(new Map(out.map((r) => [`${r.k}@${r.w}`, r.n]))).toEqual(expected);
    expect(out.length).toBe(expected.size);
  });

  test('keyed process function with value state and event-time timers', async () => {
    class CountThenReport extends KeyedProcessFunction<string, Ev, string> {
      private count!: ValueState<number>;
      override open(ctx: RuntimeContext): void {
        this.count = ctx.getState(valueState<number>('count', { defaultValue: 0 }));
      }
      processElement(_e: Ev, ctx: KeyedProcessContext<string>): void {
        this.count.update((this.count.value() ?? 0) + 1);
        ctx.timerService().registerEventTimeTimer(100_000);
      }
      override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}:${this.count.value()}@${t}`);
      }
    }
    const out: string[] = [];
    await executeLocally(defineJob({
      name: 'timers',
      build(env) {
        env.fromElements(events, { strategy: ts }).keyBy((e) => e.k).processKeyed(() => new CountThenReport()).sinkTo(collectSink(out));
      },
    }), { parallelism: 2 }).done;
    expect(out.sort()).toEqual(['k0:143@100000', 'k1:143@100000', 'k2:143@100000', 'k3:143@100000', 'k4:143@100000', 'k5:143@100000', 'k6:142@100000']);
  });

  test('union, side outputs and keyed connect', async () => {
    const small = new OutputTag<Ev>('small');
    const out: string[] = [];
    class Enrich extends KeyedCoProcessFunction<string, Ev, string, string> {
      private label!: ValueState<string>;
      override open(ctx: RuntimeContext): void {
        this.label = ctx.getState(valueState<string>('label'));
      }
      processElement1(e: Ev, _ctx: KeyedProcessContext<string>, o: Collector<string>): void {
        const l = this.label.value();
        if (l) o.collect(`${l}:${e.n}`);
      }
      processElement2(l: string): void {
        this.label.update(l);
      }
    }
    await executeLocally(defineJob({
      name: 'connect',
      build(env) {
        const a = env.fromElements(events.slice(0, 10));
        const b = env.fromElements(events.slice(10, 20));
        const routed = a.union(b).process<Ev>(() => ({
          processElement(e: Ev, ctx, o) {
            if (e.n < 5) ctx.output(small, e);
            else o.collect(e);
          },
        }));
        routed.getSideOutput(small).map((e) => `small:${e.n}`).sinkTo(collectSink(out));
        // labels first (parallelism 1 keeps the order), then the data stream
        const labels = env.fromElements(['k0', 'k1']);
        routed.connect(labels).keyBy<string>((e) => e.k, (l) => l).processKeyed(() => new Enrich()).sinkTo(collectSink(out));
      },
    }), { parallelism: 1 }).done;
    expect(out.filter((s) => s.startsWith('small:')).sort()).toEqual(['small:0', 'small:1', 'small:2', 'small:3', 'small:4']);
  });

  test('interval join pairs elements within the bounds', async () => {
    const out: string[] = [];
    class Pair extends ProcessJoinFunction<Ev, Ev, string> {
      processElement(l: Ev, r: Ev, _ctx: unknown, o: Collector<string>): void {
        o.collect(`${l.n}-${r.n}`);
      }
    }
    const left = [{ k: 'a', t: 100, n: 1 }, { k: 'a', t: 200, n: 2 }, { k: 'b', t: 100, n: 3 }];
    const right = [{ k: 'a', t: 95, n: 10 }, { k: 'a', t: 110, n: 11 }, { k: 'a', t: 205, n: 12 }, { k: 'b', t: 300, n: 13 }];
    await executeLocally(defineJob({
      name: 'join',
      build(env) {
        const l = env.fromElements(left, { strategy: WatermarkStrategies.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t) }).keyBy<string>((e) => e.k);
        const r = env.fromElements(right, { strategy: WatermarkStrategies.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t) }).keyBy<string>((e) => e.k);
        l.intervalJoin(r).between(-5, 10).process(() => new Pair()).sinkTo(collectSink(out));
      },
    }), { parallelism: 2 }).done;
    expect(out.sort()).toEqual(['1-10', '1-11', '2-12']);
  });

  test('a failing user function fails the job with its error', async () => {
    const exec = executeLocally(defineJob({
      name: 'fail',
      build(env) {
        env.fromElements(events).map((e) => {
          if (e.n === 500) throw new Error('boom at 500');
          return e;
        }).sinkTo(collectSink([]));
      },
    }), { parallelism: 2 });
    await expect(exec.done).rejects.toThrow('boom at 500');
  });
});
