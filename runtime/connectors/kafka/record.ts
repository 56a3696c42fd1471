// One Kafka record as the connector hands it to a deserializer, and how a value becomes bytes
// and back for the DataStream API's built-in formats (`json`, `csv`, `raw`). SQL tables use the
// connector factory's formats instead (runtime/connectors/factory/formats/).

import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export interface KafkaSourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** the record's timestamp (ms since the epoch): create time or log-append time, as the topic says */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: ReadonlyArray<readonly [string, Buffer | null]>;
}

/** `json`: one JSON document per value; `csv`: one CSV row per value (columns named by `csvColumns`); `raw`: the value as a UTF-8 string. */
export type KafkaValueFormat = 'json' | 'csv' | 'raw';

export interface FormatOptions {
  readonly format?: KafkaValueFormat;
  /** csv: column names in order; a row becomes an object with these keys (and back) */
  readonly csvColumns?: readonly string[];
}

export function valueDecoder<T>(o: FormatOptions, where: string): (record: KafkaSourceRecord) => T {
  const format = o.format ?? 'json';
  switch (format) {
    case 'json':
      return (r) => {
        if (r.value === null) return null as T; // a tombstone
        try {
          return JSON.parse(r.value.toString('utf8')) as T;
        } catch (error) {
          throw new Error(`MR_ERR_KAFKA_FORMAT: ${where}: the value at ${r.topic}-${r.partition}@${r.offset} is not JSON (${(error as Error).message}); fix the producer, or read it with format 'raw'`, { cause: error });
        }
      };
    case 'raw':
      return (r) => (r.value === null ? null : r.value.toString('utf8')) as T;
    case 'csv': {
      const columns = csvColumnsOf(o, where);
      return (r) => {
        if (r.value === null) return null as T;
        const row = (parse(r.value, { relax_column_count: true }) as string[][])[0] ?? [];
        return Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null])) as T;
      };
    }
    default:
      throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: format '${String(format)}' is not one of json, csv, raw`);
  }
}

export function valueEncoder<T>(o: FormatOptions, where: string): (value: T) => Buffer | null {
  const format = o.format ?? 'json';
  switch (format) {
    case 'json':
      return (v) => (v === null || v === undefined ? null : Buffer.from(JSON.stringify(v)));
    case 'raw':
      return (v) => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
    case 'csv': {
      const columns = csvColumnsOf(o, where);
      return (v) => {
        if (v === null || v === undefined) return null;
        const row = Array.isArray(v) ? v : columns.map((c) => (v as Record<string, unknown>)[c]);
        return Buffer.from(stringify([row]).replace(/\r?\n$/, ''));
      };
    }
    default:
      throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: format '${String(format)}' is not one of json, csv, raw`);
  }
}

function csvColumnsOf(o: FormatOptions, where: string): readonly string[] {
  if (!o.csvColumns || o.csvColumns.length === 0) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: format 'csv' needs csvColumns (the column names in order)`);
  return o.csvColumns;
}
