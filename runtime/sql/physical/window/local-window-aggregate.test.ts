// Two-phase window aggregation (LocalWindowAggregate before the shuffle, the window operator
// merging its partials after it) on the harness: when partials go, late rows, the buffer limit and
// checkpoints; and over random out-of-order rows from two subtasks, the same windows as one phase.
import type { KeySelector } from '../../../api/functions.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { OperatorHarness } from '../../../testing/operator-harness.ts';
import type { WindowDef } from '../../planner/logical-plan.ts';
import { T } from '../../types/data-type.ts';
import { createAggsHandle } from '../aggregate/aggs-handle.ts';
import { groupKeySelector } from '../aggregate/group-key.ts';
import { LocalWindowAggregateOperator } from './local-window-aggregate.ts';
import { WindowAggregateOperator } from './window-aggregate-operator.ts';

type FixedWindow = Exclude<WindowDef, { kind: 'SESSION' }>;

// input (k STRING, v BIGINT, ts TIMESTAMP(3)); SELECT k, COUNT(*), SUM(v), MAX(v), window_start, window_end
const input = [{ name: 'k', type: T.varchar(10) }, { name: 'v', type: T.bigint() }, { name: 'ts', type: T.timestamp(3) }];
const handle = createAggsHandle([
  { fn: 'COUNT', args: [], distinct: false, name: 'n', type: T.bigint(false) },
  { fn: 'SUM', args: [1], distinct: false, name: 's', type: T.bigint() },
  { fn: 'MAX', args: [1], distinct: false, name: 'm', type: T.bigint() },
], input, { insertOnlyInput: true });
const row = (k: string, v: number, ts: number): ChangelogRow => ({ kind: '+I', values: [k, v, ts] });
const values = (h: OperatorHarness, from = 0): unknown[][] => h.values().slice(from).map((r) => [...(r as ChangelogRow).values]);
/** LocalWindowAggregate's partials with their accumulators' values: [group key, slice start, COUNT, SUM, MAX] */
const partials = (h: OperatorHarness, from = 0): unknown[][] => values(h, from).map((v) => [...v.slice(0, 2), ...handle.values(v.slice(2))]);

const local = (window: FixedWindow, bufferLimit?: number) => new LocalWindowAggregateOperator({
  window, groupKeys: [0], handle, keySelector: groupKeySelector([0]), ...(bufferLimit === undefined ? {} : { bufferLimit }),
});
const slicesOf = (w: FixedWindow) => (w.kind === 'TUMBLE' ? {} : { slices: w.kind === 'HOP' ? 'newest-first' as const : 'oldest-first' as const });
const global = (window: FixedWindow) => new WindowAggregateOperator({
  window, eventTime: true, groupKeys: [0], handle, properties: ['window_start', 'window_end'], keySelector: groupKeySelector([0]) as KeySelector<unknown>, partials: true, ...slicesOf(window),
});
const onePhase = (window: FixedWindow) => new WindowAggregateOperator({
  window, eventTime: true, groupKeys: [0], handle, properties: ['window_start', 'window_end'], keySelector: groupKeySelector([0]) as KeySelector<unknown>, ...slicesOf(window),
});

describe('LocalWindowAggregate', () => {
  test('one partial per group and slice, sent before the watermark that reaches its window end − 1', async () => {
    const h = await new OperatorHarness(local({ kind: 'TUMBLE', timeIndex: 2, size: 10 })).open();
    h.processElement(row('a', 1, 1)).processElement(row('a', 5, 9)).processElement(row('b', 2, 3)).processElement(row('a', 7, 12));
    h.processWatermark(8);
    expect(partials(h)).toEqual([]);
    expect(h.watermarks).toEqual([8]);
    h.processWatermark(9);
    // [group key, slice start, COUNT, SUM, MAX]; the slice [10, 20) waits
    expect(partials(h)).toEqual([['a', 0, 2, 6, 5], ['b', 0, 1, 2, 2]]);
    expect(h.watermarks).toEqual([8, 9]);
    await h.close();
    expect(partials(h, 2)).toEqual([['a', 10, 1, 7, 7]]);
  });

  test('HOP: a slice waits for the earliest window that holds it, not for its own end', async () => {
    // size 10, slide 4: slices of 2; slice [2, 4) is first held by [-4, 6), which fires at 5
    const h = await new OperatorHarness(local({ kind: 'HOP', timeIndex: 2, size: 10, slide: 4 })).open();
    h.processElement(row('a', 1, 3));
    h.processWatermark(4);
    expect(partials(h)).toEqual([]);
    h.processWatermark(5);
    expect(partials(h)).toEqual([['a', 2, 1, 1, 1]]);
  });

  test('a row late by this subtask\'s watermark goes on at once, alone', async () => {
    const h = await new OperatorHarness(local({ kind: 'TUMBLE', timeIndex: 2, size: 10 })).open();
    h.processWatermark(15);
    h.processElement(row('a', 4, 3)).processElement(row('a', 6, 4));
    expect(partials(h)).toEqual([['a', 0, 1, 4, 4], ['a', 0, 1, 6, 6]]);
  });

  test('a full buffer and a checkpoint send everything buffered', async () => {
    const h = await new OperatorHarness(local({ kind: 'TUMBLE', timeIndex: 2, size: 10 }, 3)).open();
    h.processElement(row('a', 1, 1)).processElement(row('b', 1, 1)).processElement(row('a', 1, 2));
    expect(partials(h)).toEqual([]);
    h.processElement(row('c', 1, 11)); // the third group: full
    expect(partials(h)).toEqual([['a', 0, 2, 2, 1], ['b', 0, 1, 1, 1], ['c', 10, 1, 1, 1]]);
    h.processElement(row('a', 9, 5));
    const snapshot = h.snapshot();
    expect(partials(h, 3)).toEqual([['a', 0, 1, 9, 9]]);
    expect(snapshot.operator).toBeUndefined();
  });
});

/** A small deterministic generator (no Math.random: a failure repeats). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Step = { row: ChangelogRow } | { wm: number };

/** Two subtasks' inputs: rows up to `delay` out of order, some far behind (late), a watermark every few rows. */
function channels(rand: () => number, n: number, delay: number): Step[][] {
  return [0, 1].map(() => {
    const steps: Step[] = [];
    let t = 0;
    for (let i = 0; i < n; i++) {
      t += Math.floor(rand() * 3);
      const back = rand() < 0.05 ? delay * 4 : Math.floor(rand() * delay);
      steps.push({ row: row(`k${Math.floor(rand() * 4)}`, Math.floor(rand() * 100) - 20, t - back) });
      if (rand() < 0.2) steps.push({ wm: t - delay });
    }
    steps.push({ wm: Number.MAX_SAFE_INTEGER });
    return steps;
  });
}

const sorted = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();

describe('two phases give the windows of one phase', () => {
  const windows: FixedWindow[] = [
    { kind: 'TUMBLE', timeIndex: 2, size: 20 },
    { kind: 'TUMBLE', timeIndex: 2, size: 20, offset: 7 },
    { kind: 'HOP', timeIndex: 2, size: 30, slide: 10 },
    { kind: 'HOP', timeIndex: 2, size: 20, slide: 8 },
    { kind: 'CUMULATE', timeIndex: 2, size: 40, step: 10 },
  ];
  test.each(windows.map((w) => [JSON.stringify(w), w] as const))('%s, random interleavings of two subtasks', async (_name, window) => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = lcg(seed);
      const inputs = channels(rand, 300, 15);
      const one = await new OperatorHarness(onePhase(window)).open();
      const locals = [await new OperatorHarness(local(window, 5)).open(), await new OperatorHarness(local(window)).open()];
      const two = await new OperatorHarness(global(window)).open();
      const at = [0, 0];
      const rawWm = [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
      const localWm = [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
      const forwarded = [0, 0];
      const seenWm = [0, 0];
      while (at[0]! < inputs[0]!.length || at[1]! < inputs[1]!.length) {
        const c = at[0]! >= inputs[0]!.length ? 1 : at[1]! >= inputs[1]!.length ? 0 : rand() < 0.5 ? 0 : 1;
        const step = inputs[c]![at[c]!++]!;
        // one phase: the rows and watermarks of both subtasks straight into the window operator
        if ('row' in step) one.processElement(step.row);
        else {
          rawWm[c] = Math.max(rawWm[c]!, step.wm);
          one.processWatermark(Math.min(rawWm[0]!, rawWm[1]!));
        }
        // two phases: through the subtask's local operator, whose output goes on in order
        const l = locals[c]!;
        if ('row' in step) l.processElement(step.row);
        else l.processWatermark(step.wm);
        for (const out of l.output.slice(forwarded[c])) two.processElement(out.value);
        forwarded[c] = l.output.length;
        for (const wm of l.watermarks.slice(seenWm[c])) {
          localWm[c] = wm;
          two.processWatermark(Math.min(localWm[0]!, localWm[1]!));
        }
        seenWm[c] = l.watermarks.length;
      }
      expect(sorted(values(two))).toEqual(sorted(values(one)));
      expect(values(one).length).toBeGreaterThan(0);
    }
  });
});
