// Flink's `json` format: one JSON object per record, keys are the column names, nested ROWs are
// objects, timestamps are SQL text (`2025-01-01 00:00:04.5`) unless `timestamp-format.standard`
// is `ISO-8601`, decimals and large BIGINTs are written as exact numbers. A MAP is an object and
// so is a MULTISET (element → count); as in Flink, their keys must be strings (checked up front).

import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { defineFormat } from '../format.ts';
import { booleanOption, enumOption } from '../options.ts';
import { FormatDataError, fromJsonValue, stringifyJson, toJsonValue } from '../values.ts';
import { formatSqlTimestamp } from '../temporal.ts';
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
  options: z.object({
    'fail-on-missing-field': booleanOption().default(false),
    'ignore-parse-errors': booleanOption().default(false),
    'timestamp-format.standard': enumOption(['SQL', 'ISO-8601']).default('SQL'),
    'encode.decimal-as-plain-number': booleanOption().default(false),
  }),
  check(ctx) {
    if (ctx.options['fail-on-missing-field'] && ctx.options['ignore-parse-errors']) {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table}': 'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be true`);
    }
    for (const c of ctx.columns) checkJsonKeys(ctx.table, c.type, c.name);
  },
  createDecoder(ctx) {
    const { columns, options: o } = ctx;
    return {
      decode(record) {
        try {
          const obj = JSON.parse(record) as unknown;
          if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new FormatDataError('expected a JSON object');
          const rec = obj as Record<string, unknown>;
          return columns.map((c) => {
            if (o['fail-on-missing-field'] && !(c.name in rec)) throw new FormatDataError(`field '${c.name}' is missing`);
            return fromJsonValue(c.type, rec[c.name], c.name);
          });
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
    return {
      encode(values) {
        const obj: Record<string, unknown> = {};
        columns.forEach((c, i) => {
          const v = values[i];
          obj[c.name] = iso && c.type.root === 'TIMESTAMP' && typeof v === 'number' ? formatSqlTimestamp(v, 'T') : toJsonValue(c.type, v);
        });
        return stringifyJson(obj);
      },
    };
  },
});
