// The DataStream and pipeline file connectors (`fileSource`, `fileSink`: JSON lines, CSV, text)
// on `s3://` paths (and the source watching a local directory): the same exactly-once object-store
// sink and bounded or continuous source as the table connector, with each record as one line (a single STRING column in the `raw` format).
// CSV on S3 is headerless (a header per rolled file would need the columns in every part).

import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Sink, SinkWriter } from '../../api/functions.ts';
import type { Source } from '../../api/source.ts';
import { T } from '../../sql/types/data-type.ts';
import { resolveFormat } from '../factory/format.ts';
import { rawFormat } from '../factory/formats/raw.ts';
import { insertRow, type ChangelogRow } from '../factory/row.ts';
import { mapSource } from '../table/map-source.ts';
import { isObjectStorePath } from './file-store.ts';
import { DEFAULT_ROLLING_POLICY } from './rolling-policy.ts';
import { filesystemSink } from './sink.ts';
import { filesystemSource } from './source.ts';

const LINE = [{ name: 'line', type: T.string() }];
const lineFormat = (table: string) => resolveFormat(rawFormat, { table, columns: LINE, options: rawFormat.options.parse({}) });

export interface ObjectFileOptions {
  readonly path: string;
  readonly format: 'jsonl' | 'csv' | 'lines' | 'text';
  readonly csvHeader?: boolean;
  readonly csvColumns?: readonly string[];
  readonly csvCastNumbers?: boolean;
  /** sources: watch the path, listing it every this many ms (continuous) */
  readonly monitorIntervalMs?: number;
}

function refuseCsvHeader(o: ObjectFileOptions): void {
  if (o.format === 'csv' && o.csvHeader !== false) {
    const where = isObjectStorePath(o.path) ? 'CSV files on S3 have' : 'a watched directory\'s CSV files have';
    throw new Error(`MR_ERR_FILE_FORMAT: path '${o.path}': ${where} no header line; set csvHeader: false (and csvColumns for a sink), or use jsonl`);
  }
}

export function objectStoreFileSink<T>(o: ObjectFileOptions): Sink<T> {
  refuseCsvHeader(o);
  const ext = o.format === 'jsonl' ? 'jsonl' : o.format === 'csv' ? 'csv' : 'txt';
  const inner = filesystemSink({ table: o.path, path: o.path, columns: LINE, partitionKeys: [], format: lineFormat(o.path), rolling: DEFAULT_ROLLING_POLICY, ext });
  const line = (value: T): string => {
    if (o.format === 'jsonl') return JSON.stringify(value);
    if (o.format === 'lines' || o.format === 'text') return String(value);
    const row = Array.isArray(value) ? value : o.csvColumns ? o.csvColumns.map((c) => (value as Record<string, unknown>)[c]) : Object.values(value as object);
    return stringify([row], { record_delimiter: '' });
  };
  return {
    name: `file:${o.path}`,
    createWriter() {
      const w = inner.createWriter();
      const out: SinkWriter<T> = { write: (value, ts) => w.write(insertRow([line(value)]), ts) };
      for (const key of ['open', 'finish', 'close', 'snapshotState', 'flushPending', 'notifyCheckpointComplete', 'onWatermark', 'initializeState'] as const) {
        const method = w[key] as ((...args: unknown[]) => unknown) | undefined;
        if (typeof method === 'function') (out as unknown as Record<string, unknown>)[key] = method.bind(w);
      }
      return out;
    },
  };
}

export function objectStoreFileSource<T>(o: ObjectFileOptions): Source<T> {
  refuseCsvHeader(o);
  const inner = filesystemSource({ table: o.path, path: o.path, columns: LINE, partitionKeys: [], format: lineFormat(o.path), ...(o.monitorIntervalMs === undefined ? {} : { monitorIntervalMs: o.monitorIntervalMs }) });
  return mapSource<ChangelogRow, T>(inner, `file:${o.path}`, (row) => {
    const text = String(row.values[0] ?? '');
    if (text === '') return null;
    if (o.format === 'jsonl') return JSON.parse(text) as T;
    if (o.format === 'csv') return ((parseCsv(text, { cast: o.csvCastNumbers !== false, relax_quotes: true }) as unknown[][])[0] ?? []) as T;
    return text as T;
  });
}
