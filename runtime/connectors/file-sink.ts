// File sink: JSON lines or CSV (via csv-stringify). Each subtask writes a hidden in-progress file
// of its attempt and renames it into place when its input ends, so readers only ever see complete
// files and a restarted attempt replaces, never duplicates, what a failed one wrote. (Two-phase
// commit on checkpoints, for unbounded jobs, builds on the same pending → committed step.)

import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Sink, SinkContext } from '../api/functions.ts';

export interface FileSinkOptions {
  readonly path: string;
  readonly format: 'jsonl' | 'csv';
  /** CSV columns (object keys) in order; default: keys of the first record */
  readonly csvColumns?: readonly string[];
  readonly csvHeader?: boolean;
}

const FLUSH_BYTES = 256 * 1024;

export function fileSink<T>(o: FileSinkOptions): Sink<T> {
  return {
    name: `file:${path.basename(o.path)}`,
    createWriter() {
      let ctx: SinkContext;
      let fd: number | undefined;
      let pending: string[] = [];
      let pendingBytes = 0;
      let columns = o.csvColumns ? [...o.csvColumns] : undefined;
      let tmp = '';
      const ext = o.format === 'csv' ? 'csv' : 'jsonl';
      const flush = () => {
        if (pending.length === 0) return;
        writeSync(fd!, pending.join(''));
        pending = [];
        pendingBytes = 0;
      };
      const push = (line: string) => {
        pending.push(line);
        pendingBytes += line.length;
        if (pendingBytes >= FLUSH_BYTES) flush();
      };
      return {
        open(c) {
          ctx = c;
          mkdirSync(o.path, { recursive: true });
          tmp = path.join(o.path, `.part-${c.subtaskIndex}-attempt-${c.attempt}.inprogress`);
          fd = openSync(tmp, 'w');
        },
        write(value: T) {
          if (o.format === 'jsonl') {
            push(JSON.stringify(value) + '\n');
            return;
          }
          const isObj = value !== null && typeof value === 'object' && !Array.isArray(value);
          if (!columns && isObj) {
            columns = Object.keys(value as object);
            if (o.csvHeader !== false) push(stringify([columns]));
          }
          const row = isObj ? columns!.map((c) => (value as Record<string, unknown>)[c]) : Array.isArray(value) ? value : [value];
          push(stringify([row]));
        },
        finish() {
          flush();
          closeSync(fd!);
          fd = undefined;
          renameSync(tmp, path.join(o.path, `part-${ctx.subtaskIndex}.${ext}`));
        },
        close() {
          if (fd !== undefined) closeSync(fd);
          fd = undefined;
        },
      };
    },
  };
}
