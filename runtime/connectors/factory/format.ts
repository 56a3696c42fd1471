// Formats are factories of their own (Flink's DeserializationFormatFactory / SerializationFormatFactory):
// a table names one with `'format' = '<name>'` and passes its options with the format's prefix
// (`'json.ignore-parse-errors' = 'true'`). A format turns one record's bytes (a line, a Kafka
// message value) into the column values of row.ts, and back.

import type { z } from 'zod';
import { ConnectorError } from './errors.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import type { ChangelogMode, ChangelogRow } from './row.ts';

export interface FormatContext<O> {
  /** the table, for messages */
  readonly table: string;
  /** the columns the format reads or writes, in order */
  readonly columns: readonly RowField[];
  /** validated options, prefix removed */
  readonly options: O;
}

export interface RowDecoder {
  /** The column values of one record, or null when the record is skipped (`ignore-parse-errors`). */
  decode(record: string): unknown[] | null;
  /** Binary formats (avro): the values of one record's bytes; connectors with bytes (Kafka) prefer it. */
  decodeBytes?(record: Uint8Array): unknown[] | null;
  /** Changelog formats (debezium-json, canal-json): the rows one record stands for (an update: -U and +U). */
  decodeChangelog?(record: string): ChangelogRow[];
}

export interface RowEncoder {
  /** One record's text, without a line terminator. */
  encode(values: readonly unknown[]): string;
  encodeBytes?(values: readonly unknown[]): Uint8Array;
  /** Changelog formats: the record for one row of any kind (null: nothing to write). */
  encodeChangelog?(row: ChangelogRow): string | null;
}

/** A bulk format's codec for whole files (parquet): rows in, file bytes out, and back. */
export interface BulkCodec {
  encode(rows: ReadonlyArray<readonly unknown[]>): Uint8Array;
  decode(bytes: Uint8Array): Promise<unknown[][]>;
}

export interface FormatFactory<S extends z.ZodObject = z.ZodObject> {
  /** `'format' = '<name>'` */
  readonly name: string;
  readonly description: string;
  /** Options without the `<name>.` prefix; each a schema from options.ts. */
  readonly options: S;
  /** Refuses columns the format cannot carry (raw: exactly one). Throws ConnectorError. */
  check?(ctx: FormatContext<z.infer<S>>): void;
  /** `projection` only when `projectable`: the decoder returns the values of these columns, in this order. */
  createDecoder(ctx: FormatContext<z.infer<S>>, projection?: readonly number[]): RowDecoder;
  createEncoder(ctx: FormatContext<z.infer<S>>): RowEncoder;
  /** Changelog formats: the row kinds records carry (default insert-only). */
  readonly changelogMode?: ChangelogMode;
  /** createDecoder takes a projection (json): the values of these columns (indexes), in this order. */
  readonly projectable?: boolean;
  /** Bulk formats only (files written whole, e.g. parquet): the codec for these columns. */
  bulk?(ctx: FormatContext<z.infer<S>>, columns: readonly RowField[]): BulkCodec;
}

export function defineFormat<S extends z.ZodObject>(f: FormatFactory<S>): FormatFactory<S> {
  return f;
}

/** A format with its options validated, ready to make decoders and encoders for one table. */
export interface ResolvedFormat {
  readonly name: string;
  /** `projection` (only when `projectable`): the decoder returns the values of these columns (indexes), in this order. */
  createDecoder(projection?: readonly number[]): RowDecoder;
  createEncoder(): RowEncoder;
  /** The same format and options over other columns (a filesystem table's files omit its partition columns). */
  forColumns(columns: readonly RowField[]): ResolvedFormat;
  /** Set for bulk formats: the codec of whole files. */
  readonly createBulk?: () => BulkCodec;
  /** insert-only unless the format carries a changelog */
  readonly changelogMode: ChangelogMode;
  /** createDecoder takes a projection (json); projection push-down needs it */
  readonly projectable: boolean;
}

export function resolveFormat(factory: FormatFactory, ctx: FormatContext<unknown>): ResolvedFormat {
  const f = factory as FormatFactory<z.ZodObject>;
  const c = ctx as FormatContext<z.infer<z.ZodObject>>;
  return {
    name: f.name,
    createDecoder: (projection) => {
      if (projection !== undefined && f.projectable !== true) throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${c.table}': format '${f.name}' cannot decode a projection of its columns`);
      return f.createDecoder(c, projection);
    },
    createEncoder: () => f.createEncoder(c),
    forColumns: (columns) => resolveFormat(f, { ...c, columns }),
    changelogMode: f.changelogMode ?? 'insert-only',
    projectable: f.projectable === true,
    ...(f.bulk ? { createBulk: () => f.bulk!(c, c.columns) } : {}),
  };
}
