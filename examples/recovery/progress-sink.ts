// A sink that records when output flows: each subtask appends a line
// `{"at": epoch ms, "attempt": n, "subtask": i, "records": count in this attempt}` to
// `<dir>/progress-<subtask>.jsonl` on its first record and then at most every `everyMs`.
// The recovery benchmark reads it to time "from the kill to output flowing again".

import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Sink, SinkContext } from '../../runtime/api/functions.ts';

export interface ProgressMarker {
  readonly at: number;
  readonly attempt: number;
  readonly subtask: number;
  readonly records: number;
}

export function progressSink<T>(dir: string, everyMs = 100): Sink<T> {
  return {
    name: 'progress-markers',
    createWriter() {
      let ctx: SinkContext;
      let file = '';
      let records = 0;
      let lastAt = 0;
      return {
        open(c) {
          ctx = c;
          mkdirSync(dir, { recursive: true });
          file = path.join(dir, `progress-${c.subtaskIndex}.jsonl`);
        },
        write() {
          records++;
          const now = Date.now();
          if (now - lastAt < everyMs) return;
          lastAt = now;
          const marker: ProgressMarker = { at: now, attempt: ctx.attempt, subtask: ctx.subtaskIndex, records };
          appendFileSync(file, `${JSON.stringify(marker)}\n`);
        },
      };
    },
  };
}
