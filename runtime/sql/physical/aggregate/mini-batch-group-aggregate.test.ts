// Mini-batch group aggregation on the operator harness (manual clock): a batch is applied on
// size, on the latency timer, before a snapshot (so nothing buffered is outside it), with held
// watermarks released after the batch's rows; one change per key per batch; the state is
// GroupAggregate's, so a snapshot restores into the row-by-row operator; local + global agree.
import { KeyedProcessOperator } from '../../../operators/process-operators.ts';
import { OperatorHarness } from '../../../testing/operator-harness.ts';
import type { ChangelogRow, RowKind } from '../../../connectors/factory/row.ts';
import type { KeySelector } from '../../../api/functions.ts';
import { T } from '../../types/data-type.ts';
import { createAggsHandle } from './aggs-handle.ts';
import { GroupAggregateFunction } from './group-aggregate.ts';
import { groupKeySelector } from './group-key.ts';
import { LocalGroupAggregateOperator } from './local-group-aggregate.ts';
import { MiniBatchGroupAggregateOperator } from './mini-batch-group-aggregate.ts';

// input (k STRING, v BIGINT); SELECT k, COUNT(*), SUM(v), COUNT(DISTINCT v) GROUP BY k
const input = [{ name: 'k', type: T.varchar(10) }, { name: 'v', type: T.bigint() }];
const handle = createAggsHandle([
  { fn: 'COUNT', args: [], distinct: false, name: 'n', type: T.bigint(false) },
  { fn: 'SUM', args: [1], distinct: false, name: 's', type: T.bigint() },
  { fn: 'COUNT', args: [1], distinct: true, name: 'd', type: T.bigint(false) },
], input);
const trigger = { latencyMs: 100, size: 4 };
const miniBatch = () => new MiniBatchGroupAggregateOperator({ groupKeys: [0], handle, keySelector: groupKeySelector([0]), input: 'rows', trigger, stateTtlMs: 0 });
const row = (kind: RowKind, ...values: unknown[]): ChangelogRow => ({ kind, values });
const printed = (h: OperatorHarness): string[] => h.values().map((r) => `${(r as ChangelogRow).kind}${JSON.stringify((r as ChangelogRow).values)}`);

describe('MiniBatchGroupAggregate', () => {
  test('a batch is applied when it holds table.exec.mini-batch.size rows: one change per key', async () => {
    const h = await new OperatorHarness(miniBatch()).open();
    h.processElement(row('+I', 'x', 10)).processElement(row('+I', 'y', 1)).processElement(row('+I', 'x', 5));
    expect(printed(h)).toEqual([]);
    h.processElement(row('+I', 'x', 5)); // 4th row
    expect(printed(h)).toEqual(['+I["x",3,20,2]', '+I["y",1,1,1]']);
    // next batch: x changes, y is retracted to nothing, a retraction of an unknown key is ignored
    h.processElement(row('-U', 'x', 10)).processElement(row('-D', 'y', 1)).processElement(row('-D', 'z', 1)).processElement(row('+I', 'x', 7));
    expect(printed(h).slice(2)).toEqual(['-U["x",3,20,2]', '+U["x",3,17,2]', '-D["y",1,1,1]']);
  });

  test('a batch is applied table.exec.mini-batch.allow-latency after its first row; a held watermark follows its rows', async () => {
    const h = await new OperatorHarness(miniBatch()).open();
    h.processElement(row('+I', 'x', 1));
    h.processWatermark(1000);
    expect({ rows: printed(h), watermarks: h.watermarks }).toEqual({ rows: [], watermarks: [] });
    h.setProcessingTime(99);
    expect(printed(h)).toEqual([]);
    h.setProcessingTime(100);
    expect({ rows: printed(h), watermarks: h.watermarks }).toEqual({ rows: ['+I["x",1,1,1]'], watermarks: [1000] });
    h.processWatermark(2000); // nothing buffered: goes on at once
    expect(h.watermarks).toEqual([1000, 2000]);
  });

  test('a snapshot applies the batch first, and the state restores into the row-by-row GroupAggregate', async () => {
    const a = await new OperatorHarness(miniBatch()).open();
    a.processElement(row('+I', 'x', 10)).processElement(row('+I', 'x', 7));
    const snap = a.snapshot();
    expect(printed(a)).toEqual(['+I["x",2,17,2]']);
    const plain = new KeyedProcessOperator(new GroupAggregateFunction([0], handle) as never, groupKeySelector([0]) as KeySelector<unknown>);
    const b = await new OperatorHarness(plain).open([snap]);
    b.processElement(row('+I', 'x', 7));
    expect(printed(b)).toEqual(['-U["x",2,17,2]', '+U["x",3,24,2]']);
  });

  test('LocalGroupAggregate partial rows merged by GlobalGroupAggregate give the one-phase result', async () => {
    const local = await new OperatorHarness(new LocalGroupAggregateOperator([0], handle, groupKeySelector([0]), trigger)).open();
    local.processElement(row('+I', 'x', 10)).processElement(row('+I', 'y', 3)).processElement(row('+I', 'x', 10)).processElement(row('+I', 'x', 4));
    local.processElement(row('+I', 'x', 4)).processElement(row('+I', 'x', 1));
    local.operator.finish();
    const partials = local.values() as ChangelogRow[];
    expect(partials.map((p) => [p.kind, p.values[0], p.values[1]])).toEqual([['+I', 'x', 3], ['+I', 'y', 1], ['+I', 'x', 2]]);
    const global = await new OperatorHarness(new MiniBatchGroupAggregateOperator({ groupKeys: [0], handle, keySelector: groupKeySelector([0]), input: 'accumulators', trigger: { latencyMs: 100, size: 1 }, stateTtlMs: 0 })).open();
    // through JSON, as partial rows cross the network
    for (const p of partials) global.processElement(JSON.parse(JSON.stringify(p)) as ChangelogRow);
    expect(printed(global)).toEqual(['+I["x",3,24,2]', '+I["y",1,3,1]', '-U["x",3,24,2]', '+U["x",5,29,3]']);
  });
});

describe('LocalGroupAggregate + GlobalGroupAggregate over an updating input', () => {
  // SELECT k, COUNT(*), SUM(v), MIN(v), MAX(v), COLLECT(v) GROUP BY k over retractions (not insert-only)
  const retracting = createAggsHandle([
    { fn: 'COUNT', args: [], distinct: false, name: 'n', type: T.bigint(false) },
    { fn: 'SUM', args: [1], distinct: false, name: 's', type: T.bigint() },
    { fn: 'MIN', args: [1], distinct: false, name: 'lo', type: T.bigint() },
    { fn: 'MAX', args: [1], distinct: false, name: 'hi', type: T.bigint() },
    { fn: 'COLLECT', args: [1], distinct: false, name: 'c', type: T.multiset(T.bigint(), false) },
  ], input);
  const final = (changelog: ChangelogRow[]): string[] => {
    const rows = new Map<string, string>();
    for (const r of changelog) {
      if (r.kind === '+I' || r.kind === '+U') rows.set(r.values[0] as string, JSON.stringify(r.values));
      else if (r.kind === '-D') rows.delete(r.values[0] as string);
    }
    return [...rows.values()].sort();
  };

  test('a retraction in a later bundle than its row (partial counts and MIN/MAX counts below zero) merges to the one-phase result', async () => {
    // three bundles of three rows: y is emptied in the second and comes back in the third; x's minimum and maximum are taken back
    const rows = [
      row('+I', 'x', 10), row('+I', 'x', 3), row('+I', 'y', 5),
      row('-U', 'x', 3), row('+U', 'x', 7), row('-D', 'y', 5),
      row('+I', 'x', 1), row('-D', 'x', 10), row('+I', 'y', 2),
    ];
    const local = await new OperatorHarness(new LocalGroupAggregateOperator([0], retracting, groupKeySelector([0]), { latencyMs: 100, size: 3 })).open();
    for (const r of rows) local.processElement(r);
    local.operator.finish();
    const partials = local.values() as ChangelogRow[];
    // the second bundle: x holds no more rows than before (n 0), y one less (n -1)
    expect(partials.slice(2, 4).map((p) => [p.values[0], p.values[1]])).toEqual([['x', 0], ['y', -1]]);
    const global = await new OperatorHarness(new MiniBatchGroupAggregateOperator({ groupKeys: [0], handle: retracting, keySelector: groupKeySelector([0]), input: 'accumulators', trigger: { latencyMs: 100, size: 1 }, stateTtlMs: 0 })).open();
    for (const p of partials) global.processElement(JSON.parse(JSON.stringify(p)) as ChangelogRow);
    const onePhase = await new OperatorHarness(new KeyedProcessOperator(new GroupAggregateFunction([0], retracting) as never, groupKeySelector([0]) as KeySelector<unknown>)).open();
    for (const r of rows) onePhase.processElement(r);
    expect(final(global.values() as ChangelogRow[])).toEqual(['["x",2,8,1,7,[7,1]]', '["y",1,2,2,2,[2]]']);
    expect(final(global.values() as ChangelogRow[])).toEqual(final(onePhase.values() as ChangelogRow[]));
    // y was emptied by the second bundle: the global deleted it before it came back
    expect(printed(global).filter((l) => l.includes('"y"'))).toEqual(['+I["y",1,5,5,5,[5]]', '-D["y",1,5,5,5,[5]]', '+I["y",1,2,2,2,[2]]']);
  });
});
