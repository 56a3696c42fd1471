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
