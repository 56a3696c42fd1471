// A runtime Source whose records each become zero or more records on the way out (a changelog
// format's update event → -U and +U). All rows of one inner record are emitted together, so the
// inner source's position (after that record) stays exact. Position, splits and pacing stay the
// inner source's.

import type { Source, SourceOutput, SourceReader } from '../../api/source.ts';

const DELEGATED = ['open', 'available', 'snapshotState', 'restoreState', 'restoreStates', 'notifyCheckpointComplete', 'close'] as const;

export function flatMapSource<A, B>(inner: Source<A>, name: string, fn: (value: A) => Iterable<B>): Source<B> {
  return {
    name,
    bounded: inner.bounded,
    createReader() {
      const reader = inner.createReader();
      let target: SourceOutput<B> | undefined;
      const out: SourceOutput<A> = {
        collect(value, timestamp) {
          for (const b of fn(value)) target!.collect(b, timestamp);
        },
      };
      const mapped: SourceReader<B> = {
        pollNext(o, max) {
          target = o;
          return reader.pollNext(out, max);
        },
      };
      // bound, not spread: a class-based reader keeps its prototype's methods and its `this`
      for (const key of DELEGATED) {
        const method = reader[key] as ((...args: unknown[]) => unknown) | undefined;
        if (typeof method === 'function') (mapped as unknown as Record<string, unknown>)[key] = method.bind(reader);
      }
      return mapped;
    },
  };
}
