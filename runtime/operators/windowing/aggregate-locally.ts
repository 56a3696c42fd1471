// Builders for window aggregations whose results are reduced per window inside each subtask: the
// local half of a local-global aggregation, e.g. "per window, the keys with the highest count"
// sends each subtask's best rows downstream instead of one row per key. The global half is an
// ordinary keyed stage by window after it. (The DataStream API has no methods for these yet;
// these are those methods as functions.)

import type { DataStream, KeyedStream } from '../../api/data-stream.ts';
import type { OperatorOptions } from '../../api/environment.ts';
import type { AggregateFunction, KeySelector, ProcessWindowFunction } from '../../api/functions.ts';
import type { TimeWindow, WindowAssigner, WindowResultCombiner } from '../../api/windows.ts';
import type { Key } from '../../keys/key-groups.ts';
import { WindowOperator } from '../window-operator.ts';

export function aggregateWithLocalCombine<T, K extends Key, ACC, V, R, P>(
  input: KeyedStream<T, K>,
  assigner: WindowAssigner,
  aggregate: AggregateFunction<T, ACC, V>,
  process: () => ProcessWindowFunction<V, R, K, TimeWindow>,
  combiner: WindowResultCombiner<R, P>,
  opts?: OperatorOptions,
): DataStream<R> {
  return input.addKeyed<R>('Window(aggregate, local combine)', () => new WindowOperator({
    assigner,
    keySelector: input.keySelector as KeySelector<unknown>,
    fn: {
      aggregate: aggregate as AggregateFunction<unknown, unknown, unknown>,
      process: process() as unknown as ProcessWindowFunction<unknown, unknown, Key, TimeWindow>,
    },
    combiner: combiner as WindowResultCombiner<unknown, unknown>,
  }), opts);
}

/**
 * Per window, only the keys whose aggregate result has the highest `score` (ties all) leave the
 * subtask, through `process`. Scores must never decrease as elements are added (counts, sums of
 * non-negative values, maxima): the best keys are then kept up to date per element and a window
 * fires without visiting every key (WindowOperator's `maxPerWindow`).
 */
export function aggregateMaxPerWindow<T, K extends Key, ACC, V, R>(
  input: KeyedStream<T, K>,
  assigner: WindowAssigner,
  aggregate: AggregateFunction<T, ACC, V>,
  score: (result: V) => number,
  process: () => ProcessWindowFunction<V, R, K, TimeWindow>,
  opts?: OperatorOptions,
): DataStream<R> {
  return input.addKeyed<R>('Window(aggregate, max per window)', () => new WindowOperator({
    assigner,
    keySelector: input.keySelector as KeySelector<unknown>,
    fn: {
      aggregate: aggregate as AggregateFunction<unknown, unknown, unknown>,
      process: process() as unknown as ProcessWindowFunction<unknown, unknown, Key, TimeWindow>,
    },
    maxPerWindow: score as (result: unknown) => number,
  }), opts);
}
