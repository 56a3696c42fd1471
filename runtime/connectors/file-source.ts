// Bounded file source: JSON lines, CSV (via csv-parse) or plain text lines, from one file or all
// files of a directory (sorted). Files are split over subtasks (file i → subtask i mod p); the
// replayable state is the list of files still to read, the first with the byte offset of its next
// line, so after a rescale a subtask can take over the lists of several old subtasks.

import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkFilePath } from './file-roots.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Source, SourceOutput, SourceReader } from '../api/source.ts';
import type { ConnectorMetricGroup } from '../metrics/connector-metric-group.ts';
import { isObjectStorePath } from './filesystem/file-store.ts';
import { objectStoreFileSource } from './filesystem/object-files.ts';

export type FileFormat = 'jsonl' | 'csv' | 'text';

export interface FileSourceOptions {
  readonly path: string;
  readonly format: FileFormat;
  /** CSV: first line names the columns (records become objects); default true */
  readonly csvHeader?: boolean;
  /** CSV: convert numeric-looking fields to numbers; default true */
  readonly csvCastNumbers?: boolean;
  /**
   * Watch the directory (Flink's FileSource.monitorContinuously): list it again every this many ms
   * and read each new file once (runtime/connectors/filesystem/file-discovery.ts). Unset: bounded.
   */
  readonly monitorIntervalMs?: number;
}

interface Position {
  file: number;
  offset: number;
}

/** What a checkpoint records: files not yet read to the end and where to continue in each. */
export interface FileSourcePosition {
  readonly files: Array<{ path: string; offset: number }>;
}

const CHUNK = 1 << 20;

function listFiles(p: string): string[] {
  const st = statSync(p);
  if (!st.isDirectory()) return [p];
  return readdirSync(p).filter((f) => !f.startsWith('.')).sort().map((f) => path.join(p, f));
}

export function fileSource<T = unknown>(o: FileSourceOptions): Source<T> {
  // s3://bucket/prefix, or a directory to watch: the filesystem connector's source, position checkpointed
  if (o.monitorIntervalMs !== undefined && !(o.monitorIntervalMs > 0)) {
    throw new Error(`MR_ERR_FILE_FORMAT: path '${o.path}': monitorIntervalMs must be a number of milliseconds greater than 0, got ${o.monitorIntervalMs}; leave it unset for a bounded read`);
  }
  if (isObjectStorePath(o.path) || o.monitorIntervalMs !== undefined) return objectStoreFileSource<T>(o);
  // Refused when the job is built, and each file again when opened (file-roots.ts).
  checkFilePath(o.path, 'path');
  return {
    name: `file:${path.basename(o.path)}`,
    bounded: true,
    createReader(): SourceReader<T> {
      let files: string[] = [];
      let startOffsets: number[] = [];
      let pos: Position = { file: 0, offset: 0 };
      let fd: number | undefined;
      let buf: Buffer = Buffer.alloc(0);
      let cur = 0; // next unread byte in buf
      let bufStart = 0; // file offset of buf[0]
      let eof = false;
      let header: string[] | undefined;
      let metrics: ConnectorMetricGroup | undefined;
      const parseLine = (line: string): unknown => {
        if (o.format === 'jsonl') return JSON.parse(line);
        if (o.format === 'text') return line;
        const row = (parseCsv(line, { cast: o.csvCastNumbers !== false, relax_quotes: true }) as unknown[][])[0] ?? [];
        if (o.csvHeader === false) return row;
        if (!header) {
          header = row.map(String);
          return undefined;
        }
        const rec: Record<string, unknown> = {};
        header.forEach((h, i) => (rec[h] = row[i]));
        return rec;
      };
      const openFile = (): boolean => {
        if (pos.file >= files.length) return false;
        fd = openSync(checkFilePath(files[pos.file]!, 'path'), 'r');
        buf = Buffer.alloc(0);
        cur = 0;
        bufStart = pos.offset;
        eof = false;
        header = undefined;
        if (o.format === 'csv' && o.csvHeader !== false && pos.offset > 0) {
          // restoring mid-file: read the header line again
          const head = Buffer.alloc(64 * 1024);
          const n = readSync(fd, head, 0, head.length, 0);
          parseLine(head.toString('utf8', 0, n).split('\n')[0]!.replace(/\r$/, ''));
        }
        return true;
      };
      const emitLine = (out: SourceOutput<T>, start: number, end: number): boolean => {
        let e = end;
        if (e > start && buf[e - 1] === 13) e--; // CRLF
        if (e === start) return false;
        const v = parseLine(buf.toString('utf8', start, e));
        if (v === undefined) return false;
        out.collect(v as T);
        return true;
      };
      const restoreAll = (states: unknown[]): void => {
        const all = states.flatMap((st) => (st as FileSourcePosition).files);
        files = all.map((f) => f.path);
        startOffsets = all.map((f) => f.offset);
        pos = { file: 0, offset: startOffsets[0] ?? 0 };
      };
      return {
        open(ctx) {
          files = listFiles(o.path).filter((_, i) => i % ctx.parallelism === ctx.subtaskIndex);
          metrics = ctx.connectorMetrics?.('filesystem');
        },
        pollNext(out: SourceOutput<T>, max: number) {
          let emitted = 0;
          let bytes = 0;
          const counted = (status: 'more' | 'end'): 'more' | 'end' => {
            metrics?.read(emitted, bytes);
            return status;
          };
          while (emitted < max) {
            if (fd === undefined && !openFile()) return counted('end');
            const nl = buf.indexOf(10, cur);
            if (nl >= 0) {
              const start = cur;
              cur = nl + 1;
              pos.offset = bufStart + cur;
              if (emitLine(out, start, nl)) emitted++;
              continue;
            }
            if (!eof) {
              const chunk = Buffer.allocUnsafe(CHUNK);
              const n = readSync(fd!, chunk, 0, CHUNK, bufStart + buf.length);
              if (n === 0) eof = true;
              else {
                bytes += n;
                bufStart += cur;
                buf = Buffer.concat([buf.subarray(cur), chunk.subarray(0, n)]);
                cur = 0;
              }
              continue;
            }
            if (cur < buf.length && emitLine(out, cur, buf.length)) emitted++;
            closeSync(fd!);
            fd = undefined;
            pos = { file: pos.file + 1, offset: startOffsets[pos.file + 1] ?? 0 };
          }
          return counted('more');
        },
        snapshotState: (): FileSourcePosition => ({
          files: files.slice(pos.file).map((f, i) => ({ path: f, offset: i === 0 ? pos.offset : (startOffsets[pos.file + i] ?? 0) })),
        }),
        restoreState(s) {
          restoreAll([s]);
        },
        restoreStates: restoreAll,
        close() {
          if (fd !== undefined) closeSync(fd);
        },
      };
    },
  };
}
