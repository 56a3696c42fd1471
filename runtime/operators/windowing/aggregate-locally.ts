// Builder for a window aggregation whose results are pre-combined per window inside each subtask
// (WindowOperator's `combiner`): the local half of a local-global aggregation, e.g. "per window,
// the keys with the highest count" sends each subtask's best rows downstream instead of one row
// per key. The global half is an ordinary keyed stage by window after it.
// (The DataStream API has no method for this yet; this is that method as a function.)

import type { DataStream, KeyedStream } from '../../api/data-stream.ts';
import type { OperatorOptions } from '../../api/environment.ts';
import type { AggregateFunction, KeySelector, ProcessWindowFunction } from '../../api/functions.ts';
import type { TimeWindow, WindowAssigner, WindowResultCombiner } from '../../api/windows.ts';
import type { Key } from '../../graph/key-groups.ts';
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
