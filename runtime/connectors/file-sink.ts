// File sink: JSON lines or CSV (via csv-stringify), exactly-once by two-phase commit on
// checkpoints (file-commit.ts): records go to a hidden in-progress file per subtask, become
// pending at a checkpoint barrier and visible (`part-<job>-<subtask>-c<n>.<ext>`) when the
// checkpoint completes; at end of input the rest becomes `part-<job>-<subtask>-end.<ext>`.
// Readers see only committed files; names never start with '.' or end in `.inprogress`.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { checkFilePath } from './file-roots.ts';
import { stringify } from 'csv-stringify/sync';
import type { Sink } from '../api/functions.ts';
import type { ConnectorMetricGroup } from '../metrics/connector-metric-group.ts';
import { FileCommitter, type FileCommitState } from './file-commit.ts';
import { isObjectStorePath } from './filesystem/file-store.ts';
import { objectStoreFileSink } from './filesystem/object-files.ts';

export interface FileSinkOptions {
  readonly path: string;
  /** `lines`: each value is already a record's text (table formats); it is written with a newline */
  readonly format: 'jsonl' | 'csv' | 'lines';
  /** file name extension (default: the format's) */
  readonly ext?: string;
  /** CSV columns (object keys) in order; default: keys of the first record */
  readonly csvColumns?: readonly string[];
  /** CSV: a header line (the inferred columns) at the start of every file (default true) */
  readonly csvHeader?: boolean;
}

const FLUSH_BYTES = 256 * 1024;

export function fileSink<T>(o: FileSinkOptions): Sink<T> {
  // s3://bucket/prefix: the object-store sink (exactly-once, files visible on checkpoint completion)
  if (isObjectStorePath(o.path)) return objectStoreFileSink<T>(o);
  // Refused when the job is built, and again when a writer opens (file-roots.ts).
  checkFilePath(o.path, 'path');
  return {
    name: `file:${path.basename(o.path)}`,
    createWriter() {
      let files: FileCommitter | undefined;
      let pending: string[] = [];
      let pendingBytes = 0;
      let pendingRecords = 0;
      let metrics: ConnectorMetricGroup | undefined;
      let columns = o.csvColumns ? [...o.csvColumns] : undefined;
      /** a CSV header starts every file, so each committed file reads on its own */
      let headerWritten = false;
      /** as before: a header only when the columns come from the first record */
      let inferred = false;
      const ext = o.ext ?? (o.format === 'lines' ? 'txt' : o.format);
      const flush = () => {
        if (pending.length === 0) return;
        const text = pending.join('');
        files!.write(text);
        // connector metrics: what reached the in-progress file (visible when its checkpoint completes)
        metrics?.written(pendingRecords, Buffer.byteLength(text));
        pending = [];
        pendingBytes = 0;
        pendingRecords = 0;
      };
      const push = (line: string) => {
        pending.push(line);
        pendingBytes += line.length;
        if (pendingBytes >= FLUSH_BYTES) flush();
      };
      return {
        open(c) {
          checkFilePath(o.path, 'path');
          mkdirSync(o.path, { recursive: true });
          metrics = c.connectorMetrics?.('filesystem');
          files = new FileCommitter({ dir: o.path, jobId: c.jobId, subtask: c.subtaskIndex, attempt: c.attempt, ext });
          if (c.attempt > 0 && !c.restoring) files.rollBackAll();
        },
        initializeState(states) {
          files!.restore(states as FileCommitState[]);
        },
        write(value: T) {
          pendingRecords++;
          if (o.format === 'jsonl' || o.format === 'lines') {
            push(o.format === 'lines' ? `${String(value)}\n` : JSON.stringify(value) + '\n');
            return;
          }
          const isObj = value !== null && typeof value === 'object' && !Array.isArray(value);
          if (!columns && isObj) {
            columns = Object.keys(value as object);
            inferred = true;
          }
          if (!headerWritten && inferred && o.csvHeader !== false) push(stringify([columns]));
          headerWritten = true;
          const row = isObj ? columns!.map((c) => (value as Record<string, unknown>)[c]) : Array.isArray(value) ? value : [value];
          push(stringify([row]));
        },
        snapshotState(checkpointId) {
          flush();
          headerWritten = false;
          return files!.snapshot(checkpointId);
        },
        notifyCheckpointComplete(checkpointId) {
          files!.commitUpTo(checkpointId);
        },
        finish() {
          flush();
          files!.finish();
        },
        close() {
          files?.close();
        },
      };
    },
  };
}
