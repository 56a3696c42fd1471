// Prints each record as a line on stdout ("prefix> value" like Flink's print()).

import type { Sink } from './functions.ts';

export function printSink<T>(prefix?: string, write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Sink<T> {
  return {
    name: 'print',
    createWriter() {
      let tag = prefix ?? '';
      return {
        open(ctx) {
          if (ctx.parallelism > 1) tag = `${prefix ? prefix + ':' : ''}${ctx.subtaskIndex + 1}`;
        },
        write(value) {
          const text = typeof value === 'string' ? value : JSON.stringify(value);
          write(tag ? `${tag}> ${text}` : text);
        },
      };
    },
  };
}
