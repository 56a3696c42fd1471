// `avro`: one Avro binary datum per record (Kafka values), with avsc. The schema is derived from
// the columns as Flink's avro format derives it (a record of nullable fields: int, long, float,
// double, string, bytes, date/time-millis/timestamp-millis logical types), or given inline with
// `'avro.schema'` (a writer's record schema; fields are matched to columns by name). Values stay
// as row.ts has them: logical types travel as their underlying int/long.
import avro from 'avsc';
import { z } from 'zod';
import type { DataType, RowField } from '../../../sql/types/data-type.ts';
import { ConnectorError } from '../errors.ts';
import { defineFormat } from '../format.ts';
import { booleanOption, stringOption } from '../options.ts';

type AvroSchema = string | Record<string, unknown>;

function fieldSchema(table: string, f: RowField): AvroSchema {
  const t: DataType = f.type;
  const base = ((): AvroSchema => {
    switch (t.root) {
      case 'BOOLEAN': return 'boolean';
      case 'TINYINT': case 'SMALLINT': case 'INTEGER': return 'int';
      case 'BIGINT': return 'long';
      case 'FLOAT': return 'float';
      case 'DOUBLE': return 'double';
      case 'CHAR': case 'VARCHAR': return 'string';
      case 'BINARY': case 'VARBINARY': return 'bytes';
      case 'DATE': return { type: 'int', logicalType: 'date' };
      case 'TIME': return { type: 'int', logicalType: 'time-millis' };
      case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return { type: 'long', logicalType: 'timestamp-millis' };
      default:
        throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}', format avro: column '${f.name}' has type ${t.root}, which the avro format does not carry yet; use json, or cast the column`);
    }
  })();
  return t.nullable ? ['null', base] as unknown as AvroSchema : base;
}

/** The record schema Flink derives from the columns. */
export function deriveAvroSchema(table: string, columns: readonly RowField[]): Record<string, unknown> {
  return { type: 'record', name: 'record', fields: columns.map((c) => ({ name: c.name, type: fieldSchema(table, c), ...(c.type.nullable ? { default: null } : {}) })) };
}

function typeFor(table: string, columns: readonly RowField[], inline: string | undefined): avro.Type {
  let schema: unknown = deriveAvroSchema(table, columns);
  if (inline !== undefined) {
    try {
      schema = JSON.parse(inline);
    } catch (err) {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': option 'avro.schema' is not JSON (${(err as Error).message}); give an Avro record schema`);
    }
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(schema as avro.Schema);
  } catch (err) {
    throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': option 'avro.schema' is not a valid Avro schema: ${(err as Error).message}`);
  }
  const fields = type instanceof avro.types.RecordType ? type.fields.map((f) => f.name) : undefined;
  if (!fields) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': option 'avro.schema' must be a record schema`);
  const missing = columns.filter((c) => !fields.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': option 'avro.schema' has no field for column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; add ${missing.length > 1 ? 'them' : 'it'} to the schema`);
  return type;
}

export const avroFormat = defineFormat({
  name: 'avro',
  description: 'Avro binary, schema derived from the columns or given inline',
  options: z.object({
    schema: stringOption().optional(),
    'ignore-parse-errors': booleanOption().default(false),
  }),
  check(ctx) {
    typeFor(ctx.table, ctx.columns, ctx.options.schema);
  },
  createDecoder(ctx) {
    const type = typeFor(ctx.table, ctx.columns, ctx.options.schema);
    const decodeBytes = (bytes: Uint8Array): unknown[] | null => {
      try {
        const rec = type.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Record<string, unknown>;
        return ctx.columns.map((c) => {
          const v = rec[c.name];
          return v === undefined ? null : Buffer.isBuffer(v) ? new Uint8Array(v) : v;
        });
      } catch (err) {
        if (ctx.options['ignore-parse-errors']) return null;
        throw new ConnectorError('MR_ERR_FORMAT_DATA', `table '${ctx.table}', format avro: cannot read a record of ${bytes.length} bytes: ${(err as Error).message}; set 'avro.ignore-parse-errors' = 'true' to skip such records`);
      }
    };
    return {
      decodeBytes,
      decode: (record) => decodeBytes(Buffer.from(record, 'latin1')),
    };
  },
  createEncoder(ctx) {
    const type = typeFor(ctx.table, ctx.columns, ctx.options.schema);
    const encodeBytes = (values: readonly unknown[]): Uint8Array => {
      const rec: Record<string, unknown> = {};
      ctx.columns.forEach((c, i) => {
        const v = values[i];
        rec[c.name] = v instanceof Uint8Array ? Buffer.from(v) : typeof v === 'bigint' ? Number(v) : v;
      });
      try {
        return new Uint8Array(type.toBuffer(rec));
      } catch (err) {
        throw new ConnectorError('MR_ERR_FORMAT_DATA', `table '${ctx.table}', format avro: cannot write ${JSON.stringify(rec, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 200)}: ${(err as Error).message}`);
      }
    };
    return {
      encodeBytes,
      encode: (values) => Buffer.from(encodeBytes(values)).toString('latin1'),
    };
  },
});
