// A runtime Source whose records pass through a function on the way out (generator events →
// table rows, text lines → decoded rows). Position, splits and pacing stay the inner source's.

import type { Source, SourceOutput } from '../../api/source.ts';

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
      return {
        ...reader,
        pollNext(o, max) {
          target = o;
          return reader.pollNext(out, max);
        },
      };
    },
  };
}
