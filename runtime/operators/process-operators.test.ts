import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type RuntimeContext } from '../api/functions.ts';
import { valueState, type ValueState } from '../api/state.ts';
import { WatermarkStrategies } from '../api/watermarks.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { KeyedProcessOperator } from './process-operators.ts';
import { SourceOperator } from './source-operator.ts';

type Ev = { k: string };

/** Emits the count of a key 100 ms (processing time) after its first element, with TTL'd state. */
class DelayedCount extends KeyedProcessFunction<string, Ev, string> {
  private n!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.n = ctx.getState(valueState<number>('n', { ttl: { ttlMs: 1000 } }));
  }
  processElement(_e: Ev, ctx: KeyedProcessContext<string>): void {
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    if (n === 1) ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 100);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}=${this.n.value() ?? 'expired'}@${t}/${ctx.timeDomain()}`);
  }
}

describe('process operators', () => {
  test('processing-time timers fire on the clock with the key set; TTL expires state', async () => {
    const h = await new OperatorHarness(new KeyedProcessOperator(new DelayedCount() as never, (e) => (e as Ev).k), { startTime: 1000 }).open();
    h.processElement({ k: 'a' }).processElement({ k: 'a' }).processElement({ k: 'b' });
    h.setProcessingTime(1099);
    expect(h.values()).toEqual([]);
    h.setProcessingTime(1100);
    expect(h.values().sort()).toEqual(['a=2@1100/processing-time', 'b=1@1100/processing-time']);
    h.processElement({ k: 'c' });
    h.setProcessingTime(5000); // c's timer is due at 1200; its state lived 1000 ms from 1100
    expect(h.values()).toContain('c=expired@1200/processing-time');
  });

  test('a source with an idle timeout marks itself idle and active again', async () => {
    let i = 0;
    let produce = true;
    const op = new SourceOperator({
      pollNext(out) {
        if (!produce) return 'wait';
        out.collect({ t: i }, i++);
        return 'more';
      },
    }, WatermarkStrategies.forMonotonousTimestamps<unknown>().withIdleness(500));
    const h = await new OperatorHarness(op).open();
    expect(op.reader.pollNext(op, 1)).toBe('more');
    expect(op.afterPoll(1)).toBeUndefined();
    expect(h.watermarks).toEqual([-1]);
    produce = false;
    h.setProcessingTime(400);
    expect(op.afterPoll(0)).toBeUndefined();
    h.setProcessingTime(500);
    expect(op.afterPoll(0)).toBe('idle');
    produce = true;
    op.reader.pollNext(op, 1);
    expect(op.afterPoll(1)).toBe('active');
  });
});
