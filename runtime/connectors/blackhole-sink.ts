// Discards records (benchmarks); counts them so the metrics show what arrived.

import type { Sink } from '../api/functions.ts';

export function blackholeSink<T>(): Sink<T> {
  return {
    name: 'blackhole',
    createWriter() {
      let n = 0;
      return {
        write() {
          n++;
        },
        finish() {
          void n;
        },
      };
    },
  };
}
