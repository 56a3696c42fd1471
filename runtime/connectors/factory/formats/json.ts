// Flink's `json` format: one JSON object per record, keys are the column names, nested ROWs are
// objects, timestamps are SQL text (`2025-01-01 00:00:04.5`) unless `timestamp-format.standard`
// is `ISO-8601`, decimals and large BIGINTs are written as exact numbers. A MAP is an object and
// so is a MULTISET (element → count); as in Flink, their keys must be strings (checked up front),
// and a NULL key is written as `map-null-key.mode` says (json-map-null-key.ts).

import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { defineFormat } from '../format.ts';
import { booleanOption, enumOption } from '../options.ts';
import { FormatDataError, fromJsonValue, stringifyJson, toJsonValue } from '../values.ts';
import { holdsMapKeys, mapNullKeyOptions, toJsonValueWithNullKeys, type MapNullKeyPolicy } from './json-map-null-key.ts';
import { formatSqlTimestamp, parseTimestamp } from '../temporal.ts';
import { typeToString, type DataType } from '../../../sql/types/data-type.ts';

/** Flink's RowDataToJsonConverters/JsonToRowDataConverters: a MAP's key and a MULTISET's element must be a string type. */
export function checkJsonKeys(table: string, type: DataType, column: string): void {
  switch (type.root) {
    case 'MAP': case 'MULTISET': {
      const key = type.root === 'MAP' ? type.key : type.element;
      if (key.root !== 'CHAR' && key.root !== 'VARCHAR') {
        throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}', column '${column}': JSON format doesn't support non-string as key type of map. The type is: ${typeToString(type)}; use a STRING key (or element), or CAST it`);
      }
      checkJsonKeys(table, type.root === 'MAP' ? type.value : type.element, column);
      return;
    }
    case 'ARRAY': checkJsonKeys(table, type.element, column); return;
    case 'ROW': for (const f of type.fields) checkJsonKeys(table, f.type, column); return;
    default: return;
  }
}

export const jsonFormat = defineFormat({
  name: 'json',
  description: 'one JSON object per record (JSON lines in files)',
  projectable: true,
  options: z.object({
    'fail-on-missing-field': booleanOption().default(false),
    'ignore-parse-errors': booleanOption().default(false),
    'timestamp-format.standard': enumOption(['SQL', 'ISO-8601']).default('SQL'),
    'encode.decimal-as-plain-number': booleanOption().default(false),
    ...mapNullKeyOptions,
  }),
  check(ctx) {
    if (ctx.options['fail-on-missing-field'] && ctx.options['ignore-parse-errors']) {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table}': 'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be true`);
    }
    for (const c of ctx.columns) checkJsonKeys(ctx.table, c.type, c.name);
  },
  createDecoder(ctx, projection) {
    const { columns, options: o } = ctx;
    const names = columns.map((c) => c.name);
    const readers = columns.map((c) => columnReader(c.type, c.name));
    const failOnMissing = o['fail-on-missing-field'];
    // with a projection every column is still read and checked (a bad or missing field fails or
    // skips the record as without one, as in Flink, whose json format reads the whole row), but
    // only the projected values make the row
    const all = new Array<unknown>(readers.length);
    return {
      decode(record) {
        try {
          const obj = JSON.parse(record) as unknown;
          if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new FormatDataError('expected a JSON object');
          const rec = obj as Record<string, unknown>;
          const values = projection === undefined ? new Array<unknown>(readers.length) : all;
          for (let i = 0; i < readers.length; i++) {
            const name = names[i]!;
            if (failOnMissing && !(name in rec)) throw new FormatDataError(`field '${name}' is missing`);
            values[i] = readers[i]!(rec[name]);
          }
          if (projection === undefined) return values;
          const projected = new Array<unknown>(projection.length);
          for (let i = 0; i < projection.length; i++) projected[i] = all[projection[i]!];
          return projected;
        } catch (err) {
          if (o['ignore-parse-errors']) return null;
          throw new ConnectorError('MR_ERR_FORMAT_DATA', `table '${ctx.table}', format json: cannot read record '${record.slice(0, 200)}': ${(err as Error).message}; set 'json.ignore-parse-errors' = 'true' to skip such records`);
        }
      },
    };
  },
  createEncoder(ctx) {
    const iso = ctx.options['timestamp-format.standard'] === 'ISO-8601';
    const { columns } = ctx;
    // `{"a":` then `,"b":` …: the object's text is built field by field, each by its type's writer
    const prefixes = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
    const nullKeys: MapNullKeyPolicy = { mode: ctx.options['map-null-key.mode'], literal: ctx.options['map-null-key.literal'], table: ctx.table };
    const writers = columns.map((c) => columnWriter(c.type, iso, nullKeys, c.name));
    return {
      encode(values) {
        if (writers.length === 0) return '{}';
        let text = '';
        for (let i = 0; i < writers.length; i++) text += prefixes[i]! + writers[i]!(values[i]);
        return text + '}';
      },
    };
  },
});

/**
 * One column's JSON value → row value, the common cases (a whole number for an integer type, a
 * string for a string type, SQL timestamp text) checked first, everything else by fromJsonValue.
 */
function columnReader(type: DataType, name: string): (v: unknown) => unknown {
  const general = (v: unknown): unknown => fromJsonValue(type, v, name);
  switch (type.root) {
    case 'TINYINT': case 'SMALLINT': case 'INTEGER': case 'BIGINT':
      return (v) => (typeof v === 'number' && Number.isInteger(v) ? v : general(v));
    case 'CHAR': case 'VARCHAR':
      return (v) => (typeof v === 'string' ? v : general(v));
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ':
      return (v) => {
        const t = typeof v === 'string' ? parseTimestamp(v) : undefined;
        return t !== undefined ? t : general(v);
      };
    default:
      return general;
  }
}

/** One column's row value → its JSON text, as stringifyJson(toJsonValue(...)) writes it. */
function columnWriter(type: DataType, iso: boolean, nullKeys: MapNullKeyPolicy, name: string): (v: unknown) => string {
  // a MAP or MULTISET at any depth: its NULL keys as 'json.map-null-key.mode' says (json-map-null-key.ts)
  if (holdsMapKeys(type)) return (v) => stringifyJson(toJsonValueWithNullKeys(type, v, nullKeys, name));
  const general = (v: unknown): string => stringifyJson(toJsonValue(type, v));
  switch (type.root) {
    case 'TINYINT': case 'SMALLINT': case 'INTEGER': case 'BIGINT':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : general(v));
    case 'CHAR': case 'VARCHAR':
      return (v) => (typeof v === 'string' ? JSON.stringify(v) : general(v));
    case 'TIMESTAMP':
      // timestamp text is digits, `-`, `:`, `.` and the separator: nothing to escape
      return (v) => (typeof v === 'number' ? `"${formatSqlTimestamp(v, iso ? 'T' : ' ')}"` : general(v));
    default:
      return general;
  }
}
