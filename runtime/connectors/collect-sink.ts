// Collects records into an array of the current thread (local execution and tests only).

import type { Sink } from '../api/functions.ts';

export function collectSink<T>(into: T[]): Sink<T> {
  return {
    name: 'collect',
    createWriter: () => ({
      write(value: T) {
        into.push(value);
      },
    }),
  };
}
