// A runtime Source whose records pass through a function on the way out (generator events →
// table rows, text lines → decoded rows). Position, splits and pacing stay the inner source's.

import type { Source, SourceOutput, SourceReader } from '../../api/source.ts';

/** The optional reader methods handed through unchanged (absent ones stay absent: callers test for them). */
const DELEGATED = ['open', 'available', 'snapshotState', 'restoreState', 'restoreStates', 'notifyCheckpointComplete', 'close'] as const;

export function mapSource<A, B>(inner: Source<A>, name: string, fn: (value: A) => B | null): Source<B> {
  return {
    name,
    bounded: inner.bounded,
    createReader() {
      const reader = inner.createReader();
      let target: SourceOutput<B> | undefined;
      const out: SourceOutput<A> = {
        collect(value, timestamp) {
          const mapped = fn(value);
          if (mapped !== null) target!.collect(mapped, timestamp);
        },
      };
      const mapped: SourceReader<B> = {
        pollNext(o, max) {
          target = o;
          return reader.pollNext(out, max);
        },
      };
      // Bound, not spread: a reader that is a class instance keeps its prototype's methods and its `this`.
      for (const key of DELEGATED) {
        const method = reader[key] as ((...args: unknown[]) => unknown) | undefined;
        if (typeof method === 'function') (mapped as unknown as Record<string, unknown>)[key] = method.bind(reader);
      }
      return mapped;
    },
  };
}
