import type { SourceReaderContext } from '../api/source.ts';
import { MIN_WATERMARK, WatermarkStrategies } from '../api/watermarks.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';
import { SourceOperator } from './source-operator.ts';
import { SplitWatermarks } from './split-watermarks.ts';

const bounded = () => WatermarkStrategies.forBoundedOutOfOrderness<unknown>(0).createGenerator();

describe('per-split watermarks', () => {
  test('the watermark is the minimum over splits, and a split without records holds it back', () => {
    const w = new SplitWatermarks(bounded);
    expect(w.current(0)).toBeUndefined(); // no split: the operator's own rule applies
    const p0 = w.add('p0');
    w.add('p1');
    p0.onEvent(5000);
    expect(w.current(10)).toEqual({ watermark: MIN_WATERMARK, idle: false });
    w.add('p1').onEvent(3000);
    expect(w.current(30)).toEqual({ watermark: 2999, idle: false });
    // a finished split no longer holds it back
    w.remove('p1');
    expect(w.current(40)).toEqual({ watermark: 4999, idle: false });
  });

  test('a split without records for the idle timeout is idle until its next record', () => {
    const w = new SplitWatermarks(bounded, 300);
    const p0 = w.add('p0');
    const p1 = w.add('p1');
    p0.onEvent(1000);
    expect(w.current(100)).toEqual({ watermark: MIN_WATERMARK, idle: false }); // p1 is silent: its idle time starts here
    expect(w.current(399)).toEqual({ watermark: MIN_WATERMARK, idle: false }); // 299 ms: not idle yet
    p0.onEvent(2000);
    expect(w.current(400)).toEqual({ watermark: 1999, idle: false }); // p1 idle, p0 active
    // p0's idle time starts at the first check without records (699), so it is idle from 999 on
    expect(w.current(699)).toEqual({ watermark: 1999, idle: false });
    expect(w.current(998)).toEqual({ watermark: 1999, idle: false });
    expect(w.current(999)).toEqual({ watermark: 1999, idle: true }); // all idle: the maximum over them
    // p1 comes back with an older time: it holds the minimum again
    p1.onEvent(1500);
    expect(w.current(1000)).toEqual({ watermark: 1499, idle: false });
  });

  test('a split active at one check is not idle at the next, however far apart the checks are', () => {
    // a Kafka reader checks after each fetch, which may wait longer than the timeout: the last
    // active partition must still get its watermark out before the subtask turns idle
    const w = new SplitWatermarks(bounded, 300);
    const p0 = w.add('p0');
    w.add('p1');
    expect(w.current(0)).toEqual({ watermark: MIN_WATERMARK, idle: false });
    p0.onEvent(2900);
    expect(w.current(250)).toEqual({ watermark: MIN_WATERMARK, idle: false });
    expect(w.current(750)).toEqual({ watermark: 2899, idle: false }); // p1 idle; p0 active at the check before
    expect(w.current(1050)).toEqual({ watermark: 2899, idle: true });
  });

  test('when every split is idle the watermark is the maximum over them, even if no check saw only the silent one idle', () => {
    // the records were there at the first check; the next comes 250 ms later (p1 not idle yet),
    // the one after 500 ms later: p0 and p1 turn idle at the same check (kafka-watermarks in CI)
    const w = new SplitWatermarks(bounded, 300);
    const p0 = w.add('p0');
    w.add('p1');
    p0.onEvent(2900);
    expect(w.current(0)).toEqual({ watermark: MIN_WATERMARK, idle: false });
    expect(w.current(250)).toEqual({ watermark: MIN_WATERMARK, idle: false });
    expect(w.current(750)).toEqual({ watermark: 2899, idle: true });
    // a split without records never raises it
    const silent = new SplitWatermarks(bounded, 300);
    silent.add('p0');
    silent.current(0);
    expect(silent.current(300)).toEqual({ watermark: MIN_WATERMARK, idle: true });
  });

  test('without an idle timeout a silent split holds the watermark back forever', () => {
    const w = new SplitWatermarks(bounded);
    w.add('p0').onEvent(1000);
    w.add('p1');
    expect(w.current(3_600_000)).toEqual({ watermark: MIN_WATERMARK, idle: false });
    w.idleTimeoutMs = 1000; // a connector's own timeout (setIdleTimeout)
    expect(w.current(3_601_000)).toEqual({ watermark: 999, idle: false });
  });

  test("a reader without splits is idle after the connector's idle timeout (a subtask with no partition)", async () => {
    const op = new SourceOperator({
      open: (c) => c.splitWatermarks!.setIdleTimeout(200),
      pollNext: () => 'wait',
    }, WatermarkStrategies.forMonotonousTimestamps<unknown>());
    const h = await new OperatorHarness(op).open();
    h.setProcessingTime(199);
    expect(op.afterPoll(0)).toBeUndefined();
    h.setProcessingTime(200);
    expect(op.afterPoll(0)).toBe('idle');
  });

  test('the source operator emits the minimum over the splits the reader names and turns idle with them', async () => {
    let ctx!: SourceReaderContext;
    let batch: Array<{ split: string; t: number }> = [];
    const op = new SourceOperator({
      open(c) {
        ctx = c;
      },
      pollNext(out) {
        for (const r of batch) {
          ctx.splitWatermarks!.setCurrentSplit(r.split);
          out.collect(r, r.t);
        }
        const n = batch.length;
        batch = [];
        return n > 0 ? 'more' : 'wait';
      },
    }, WatermarkStrategies.forMonotonousTimestamps<unknown>().withIdleness(500));
    const h = await new OperatorHarness(op).open();
    ctx.splitWatermarks!.addSplit('a');
    ctx.splitWatermarks!.addSplit('b');
    const poll = (): 'idle' | 'active' | undefined => {
      const before = op.recordsEmitted;
      op.reader.pollNext(op, 100);
      return op.afterPoll(op.recordsEmitted - before);
    };
    batch = [{ split: 'a', t: 1000 }, { split: 'a', t: 2000 }];
    expect(poll()).toBeUndefined();
    expect(h.watermarks).toEqual([]); // b has no record yet
    batch = [{ split: 'b', t: 1500 }];
    h.setProcessingTime(100);
    poll();
    expect(h.watermarks).toEqual([1499]);
    // b falls silent: its idle time starts at the first poll without its records (599), and
    // after 500 ms it no longer holds the watermark back
    h.setProcessingTime(599);
    batch = [{ split: 'a', t: 3000 }];
    poll();
    expect(h.watermarks).toEqual([1499]);
    h.setProcessingTime(1098);
    poll();
    expect(h.watermarks).toEqual([1499]);
    h.setProcessingTime(1099);
    poll();
    expect(h.watermarks).toEqual([1499, 2999]);
    // a falls silent too (since 1098): the subtask is idle, and active again with the next record
    h.setProcessingTime(1597);
    expect(poll()).toBeUndefined();
    h.setProcessingTime(1598);
    expect(poll()).toBe('idle');
    batch = [{ split: 'b', t: 4000 }];
    h.setProcessingTime(1700);
    expect(poll()).toBe('active');
    expect(h.watermarks).toEqual([1499, 2999, 3999]);
  });
});
