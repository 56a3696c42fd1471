// `'format' = 'parquet'`: a bulk format (a file is written whole, with its footer), so it is
// read and written only by the filesystem connector, one file per rolled part. Columns map to
// Parquet types as Flink's parquet format writes them where the libraries allow (TIMESTAMP as
// INT64 TIMESTAMP_MILLIS rather than Flink's legacy INT96); nested types are refused for now.
// Written with hyparquet-writer, read with hyparquet (choice measured: docs/architecture.md).

import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { z } from 'zod';
import type { DataType, RowField } from '../../sql/types/data-type.ts';
import { ConnectorError } from '../factory/errors.ts';
import { defineFormat, type FormatContext } from '../factory/format.ts';
import { enumOption } from '../factory/options.ts';

type Codec = 'SNAPPY' | 'UNCOMPRESSED';

interface ParquetColumn {
  readonly element: SchemaElement;
  /** row value (row.ts) → the value hyparquet-writer takes */
  readonly toParquet: (v: unknown) => unknown;
  /** value hyparquet returns (with the parsers below) → row value */
  readonly fromParquet: (v: unknown) => unknown;
}

const same = (v: unknown): unknown => v;
const toBigInt = (v: unknown): unknown => (typeof v === 'bigint' ? v : BigInt(v as number));
const fromBigInt = (v: unknown): unknown => (typeof v === 'bigint' ? (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v) : v);
const unscaled = (scale: number) => (v: unknown): unknown => {
  const [int, frac = ''] = String(v).split('.');
  return BigInt(`${int}${frac.padEnd(scale, '0').slice(0, scale)}`);
};

function columnOf(table: string, f: RowField): ParquetColumn {
  const t: DataType = f.type;
  const base = { name: f.name, repetition_type: t.nullable ? 'OPTIONAL' : 'REQUIRED' } as const;
  switch (t.root) {
    case 'BOOLEAN': return { element: { ...base, type: 'BOOLEAN' }, toParquet: same, fromParquet: same };
    case 'TINYINT': case 'SMALLINT': case 'INTEGER': return { element: { ...base, type: 'INT32' }, toParquet: same, fromParquet: same };
    case 'BIGINT': return { element: { ...base, type: 'INT64' }, toParquet: toBigInt, fromParquet: fromBigInt };
    case 'FLOAT': return { element: { ...base, type: 'FLOAT' }, toParquet: same, fromParquet: same };
    case 'DOUBLE': return { element: { ...base, type: 'DOUBLE' }, toParquet: same, fromParquet: same };
    case 'CHAR': case 'VARCHAR': return { element: { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' }, toParquet: same, fromParquet: same };
    case 'BINARY': case 'VARBINARY': return { element: { ...base, type: 'BYTE_ARRAY' }, toParquet: same, fromParquet: same };
    case 'DATE': return { element: { ...base, type: 'INT32', converted_type: 'DATE' }, toParquet: same, fromParquet: same };
    case 'TIME': return { element: { ...base, type: 'INT32', converted_type: 'TIME_MILLIS' }, toParquet: same, fromParquet: same };
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ':
      return { element: { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' }, toParquet: toBigInt, fromParquet: (v) => Number(v) };
    case 'DECIMAL':
      if (t.precision > 18) break;
      return {
        element: { ...base, type: 'INT64', converted_type: 'DECIMAL', precision: t.precision, scale: t.scale },
        toParquet: unscaled(t.scale), fromParquet: (v) => (v as number).toFixed(t.scale),
      };
    default:
      break;
  }
  throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}', format parquet: column '${f.name}' has type ${t.root}${t.root === 'DECIMAL' ? '(precision > 18)' : ''}, which the parquet format does not write yet; use json or csv for this table, or cast the column`);
}

export interface ParquetCodec {
  encode(rows: ReadonlyArray<readonly unknown[]>): Uint8Array;
  decode(bytes: Uint8Array): Promise<unknown[][]>;
}

export function parquetCodec(table: string, columns: readonly RowField[], codec: Codec = 'SNAPPY'): ParquetCodec {
  const cols = columns.map((c) => columnOf(table, c));
  const schema: SchemaElement[] = [{ name: 'root', num_children: cols.length }, ...cols.map((c) => c.element)];
  return {
    encode(rows) {
      const columnData: ColumnSource[] = cols.map((c, i) => ({
        name: c.element.name,
        data: rows.map((r) => (r[i] === null || r[i] === undefined ? null : c.toParquet(r[i]))),
      }));
      return new Uint8Array(parquetWriteBuffer({ columnData, schema, codec }));
    },
    async decode(bytes) {
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const rows = await parquetReadObjects({
        file, columns: cols.map((c) => c.element.name),
        parsers: { timestampFromMilliseconds: (v: bigint) => Number(v), dateFromDays: (v: number) => v },
      });
      return rows.map((r) => cols.map((c) => (r[c.element.name] === null || r[c.element.name] === undefined ? null : c.fromParquet(r[c.element.name]))));
    },
  };
}

const notARecordFormat = (ctx: FormatContext<unknown>): never => {
  throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table}': format 'parquet' writes whole files and is read and written only by the 'filesystem' connector; use json, csv, avro or raw for records`);
};

export const parquetFormat = defineFormat({
  name: 'parquet',
  description: 'Apache Parquet files (bulk: filesystem connector only), SNAPPY-compressed by default',
  options: z.object({
    compression: enumOption(['SNAPPY', 'UNCOMPRESSED'] as const).default('SNAPPY'),
  }),
  check(ctx) {
    for (const c of ctx.columns) columnOf(ctx.table, c);
  },
  createDecoder: notARecordFormat,
  createEncoder: notARecordFormat,
  bulk: (ctx, columns) => parquetCodec(ctx.table, columns, ctx.options.compression),
});
