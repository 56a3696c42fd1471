// The SQL window operator on the harness with a manual clock: when windows fire, what is late,
// how sessions merge, processing-time windows at the end of input, and state through a snapshot.
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import type { KeySelector } from '../../../api/functions.ts';
import { OperatorHarness } from '../../../testing/operator-harness.ts';
import type { WindowDef } from '../../planner/logical-plan.ts';
import { T } from '../../types/data-type.ts';
import { createAggsHandle } from '../aggregate/aggs-handle.ts';
import { groupKeySelector } from '../aggregate/group-key.ts';
import { WindowAggregateOperator } from './window-aggregate-operator.ts';

// input (k STRING, v BIGINT, ts TIMESTAMP(3)); SELECT k, COUNT(*), SUM(v), window_start, window_end, window_time
const handle = createAggsHandle([
  { fn: 'COUNT', args: [], distinct: false, name: 'n', type: T.bigint(false) },
  { fn: 'SUM', args: [1], distinct: false, name: 's', type: T.bigint() },
], [{ name: 'k', type: T.varchar(10) }, { name: 'v', type: T.bigint() }, { name: 'ts', type: T.timestamp(3) }]);

const op = (window: WindowDef, eventTime = true) => new WindowAggregateOperator({
  window, eventTime, groupKeys: [0], handle, properties: ['window_start', 'window_end', 'window_time'], keySelector: groupKeySelector([0]) as KeySelector<unknown>,
});
const row = (k: string, v: number, ts: number): ChangelogRow => ({ kind: '+I', values: [k, v, ts] });
const rows = (h: OperatorHarness): unknown[][] => h.values().map((r) => {
  expect((r as ChangelogRow).kind).toBe('+I');
  return [...(r as ChangelogRow).values];
});

describe('SQL window aggregation operator', () => {
  test('TUMBLE fires each window once when the watermark reaches its end − 1; rows of a fired window are dropped', async () => {
    const h = await new OperatorHarness(op({ kind: 'TUMBLE', timeIndex: 2, size: 10 })).open();
    h.processElement(row('a', 1, 1)).processElement(row('a', 2, 9)).processElement(row('b', 5, 12));
    h.processWatermark(8);
    expect(rows(h)).toEqual([]);
    h.processWatermark(9);
    expect(rows(h)).toEqual([['a', 2, 3, 0, 10, 9]]);
    expect(h.output[0]!.timestamp).toBe(9); // the row carries window_time as its timestamp
    h.processElement(row('a', 100, 5)); // late: window [0, 10) has fired
    h.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(rows(h)).toEqual([['a', 2, 3, 0, 10, 9], ['b', 1, 5, 10, 20, 19]]);
  });

  test('HOP: a row counts in every window holding it; it is late once its earliest window fired', async () => {
    const h = await new OperatorHarness(op({ kind: 'HOP', timeIndex: 2, size: 10, slide: 5 })).open();
    h.processElement(row('a', 1, 7));
    h.processWatermark(9); // fires [0, 10)
    h.processElement(row('a', 50, 8)); // late for [0, 10), so dropped from [5, 15) as well (Flink's slices)
    h.processElement(row('a', 2, 12));
    h.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(rows(h)).toEqual([['a', 1, 1, 0, 10, 9], ['a', 2, 3, 5, 15, 14], ['a', 1, 2, 10, 20, 19]]);
  });

  test('SESSION: rows closer than the gap merge into one session (touching counts); a gap splits them', async () => {
    const h = await new OperatorHarness(op({ kind: 'SESSION', timeIndex: 2, gap: 10, partitionKeys: [0] })).open();
    h.processElement(row('a', 1, 0)).processElement(row('a', 1, 30)).processElement(row('a', 1, 20)); // 20 bridges 0..10 and 30..40? no: [20,30) touches [30,40)
    h.processElement(row('a', 1, 10)); // [10, 20) touches [0, 10) and [20, 40): one session
    h.processElement(row('b', 7, 5));
    h.processElement(row('a', 1, 100));
    h.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(rows(h).sort((x, y) => String(x[0]).localeCompare(String(y[0])) || (x[3] as number) - (y[3] as number))).toEqual([
      ['a', 4, 4, 0, 40, 39], ['a', 1, 1, 100, 110, 109], ['b', 1, 7, 5, 15, 14],
    ]);
  });

  test('processing time: windows by the clock, fired by it, and the open ones emitted at the end of input', async () => {
    const h = await new OperatorHarness(op({ kind: 'TUMBLE', timeIndex: 2, size: 1000 }, false), { startTime: 0 }).open();
    h.setProcessingTime(100);
    h.processElement(row('a', 1, 0)).processElement(row('a', 2, 0));
    h.setProcessingTime(999);
    expect(rows(h)).toEqual([['a', 2, 3, 0, 1000, 999]]);
    h.setProcessingTime(1500);
    h.processElement(row('a', 4, 0));
    await h.close();
    expect(rows(h)).toEqual([['a', 2, 3, 0, 1000, 999], ['a', 1, 4, 1000, 2000, 1999]]);
  });

  test('open windows and their timers survive a snapshot and a restore', async () => {
    const a = await new OperatorHarness(op({ kind: 'CUMULATE', timeIndex: 2, size: 10, step: 5 })).open();
    a.processElement(row('a', 1, 2)).processElement(row('a', 2, 6));
    a.processWatermark(4);
    expect(rows(a)).toEqual([['a', 1, 1, 0, 5, 4]]);
    const b = await new OperatorHarness(op({ kind: 'CUMULATE', timeIndex: 2, size: 10, step: 5 })).open([a.snapshot()]);
    b.processElement(row('a', 4, 9));
    b.processWatermark(9);
    expect(rows(b)).toEqual([['a', 3, 7, 0, 10, 9]]);
  });
});

// ARRAY_AGG over out-of-order rows, as Flink 1.20.3 printed it for the same rows (v = 1..6 at
// 1, 3, 2.5, 5, 0.5, 4 s; HOP 2 s slide / 6 s size, CUMULATE 2 s step / 6 s size): the HOP table
// function merges its slices newest first, CUMULATE and the legacy GROUP BY HOP oldest first.
describe('SQL window aggregation operator: slices and their merge order', () => {
  const input = [{ name: 'k', type: T.varchar(10) }, { name: 'v', type: T.bigint() }, { name: 'ts', type: T.timestamp(3) }];
  const arrayAgg = createAggsHandle([{ fn: 'ARRAY_AGG', args: [1], distinct: false, name: 'a', type: T.array(T.bigint()) }], input, { insertOnlyInput: true });
  const sliced = (window: WindowDef, slices: 'newest-first' | 'oldest-first') => new WindowAggregateOperator({
    window, eventTime: true, groupKeys: [0], handle: arrayAgg, properties: ['window_start', 'window_end'], keySelector: groupKeySelector([0]) as KeySelector<unknown>, slices,
  });
  const feed = (h: OperatorHarness): void => {
    [[1, 1000], [2, 3000], [3, 2500], [4, 5000], [5, 500], [6, 4000]].forEach(([v, ts]) => h.processElement(row('a', v!, ts!)));
  };
  const hop: WindowDef = { kind: 'HOP', timeIndex: 2, size: 6000, slide: 2000 };

  test('HOP table function: newest slice first', async () => {
    const h = await new OperatorHarness(sliced(hop, 'newest-first')).open();
    feed(h);
    h.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(rows(h)).toEqual([
      ['a', [1, 5], -4000, 2000], ['a', [2, 3, 1, 5], -2000, 4000], ['a', [4, 6, 2, 3, 1, 5], 0, 6000], ['a', [4, 6, 2, 3], 2000, 8000], ['a', [4, 6], 4000, 10000],
    ]);
  });

  test('legacy GROUP BY HOP: oldest pane first, panes of gcd(size, slide); CUMULATE: oldest slice first', async () => {
    const legacy = await new OperatorHarness(sliced(hop, 'oldest-first')).open();
    feed(legacy);
    legacy.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(rows(legacy).map((r) => r[1])).toEqual([[1, 5], [1, 5, 2, 3], [1, 5, 2, 3, 4, 6], [2, 3, 4, 6], [4, 6]]);
    const cumulate = await new OperatorHarness(sliced({ kind: 'CUMULATE', timeIndex: 2, size: 6000, step: 2000 }, 'oldest-first')).open();
    feed(cumulate);
    cumulate.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(rows(cumulate)).toEqual([['a', [1, 5], 0, 2000], ['a', [1, 5, 2, 3], 0, 4000], ['a', [1, 5, 2, 3, 4, 6], 0, 6000]]);
  });

  test('a slice outlives the windows that fired; snapshots keep slices; a key saved with whole windows goes on with them', async () => {
    const a = await new OperatorHarness(sliced(hop, 'newest-first')).open();
    feed(a);
    a.processWatermark(3999); // fires [-4000, 2000) and [-2000, 4000)
    expect(rows(a).map((r) => r[1])).toEqual([[1, 5], [2, 3, 1, 5]]);
    const b = await new OperatorHarness(sliced(hop, 'newest-first')).open([a.snapshot()]);
    b.processWatermark(3999); // the watermark starts anew after a restore; nothing fires twice
    expect(rows(b)).toEqual([]);
    b.processElement(row('a', 7, 3500)); // late: its earliest window [-2000, 4000) fired
    b.processElement(row('a', 8, 4500));
    b.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(rows(b).map((r) => r[1])).toEqual([[4, 6, 8, 2, 3, 1, 5], [4, 6, 8, 2, 3], [4, 6, 8]]);
    // state of whole windows (before slices): the same operator goes on emitting them as they are
    const whole = await new OperatorHarness(new WindowAggregateOperator({
      window: hop, eventTime: true, groupKeys: [0], handle: arrayAgg, properties: ['window_start', 'window_end'], keySelector: groupKeySelector([0]) as KeySelector<unknown>,
    })).open();
    feed(whole);
    const c = await new OperatorHarness(sliced(hop, 'newest-first')).open([whole.snapshot()]);
    c.processElement(row('a', 9, 5500));
    c.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(rows(c).map((r) => r[1])).toEqual([[1, 5], [1, 2, 3, 5], [1, 2, 3, 4, 5, 6, 9], [2, 3, 4, 6, 9], [4, 6, 9]]);
  });
});
