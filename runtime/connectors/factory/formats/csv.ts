// Flink's `csv` format: one line per record, fields in column order, no header (csv-parse and
// csv-stringify do the quoting). An empty field of a non-string column reads as NULL; nested
// types are written as JSON text.

import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { defineFormat } from '../format.ts';
import { booleanOption, charOption, stringOption } from '../options.ts';
import { fromTextValue, toTextValue } from '../values.ts';

export const csvFormat = defineFormat({
  name: 'csv',
  description: 'comma-separated values, one record per line, columns in table order',
  options: z.object({
    'field-delimiter': charOption().default(','),
    'quote-character': charOption().default('"'),
    'disable-quote-character': booleanOption().default(false),
    'allow-comments': booleanOption().default(false),
    'ignore-parse-errors': booleanOption().default(false),
    'null-literal': stringOption().optional(),
    'escape-character': charOption().optional(),
  }),
  createDecoder(ctx) {
    const o = ctx.options;
    const { columns } = ctx;
    return {
      decode(record) {
        if (o['allow-comments'] && record.startsWith('#')) return null;
        try {
          const fields = (parse(record, {
            delimiter: o['field-delimiter'], quote: o['disable-quote-character'] ? false : o['quote-character'],
            escape: o['escape-character'] ?? o['quote-character'], relax_column_count: true,
          }) as string[][])[0] ?? [];
          if (fields.length !== columns.length) throw new Error(`expected ${columns.length} fields, got ${fields.length}`);
          return columns.map((c, i) => {
            const f = fields[i]!;
            if (o['null-literal'] !== undefined && f === o['null-literal']) return null;
            return fromTextValue(c.type, f, c.name);
          });
        } catch (err) {
          if (o['ignore-parse-errors']) return null;
          throw new ConnectorError('MR_ERR_FORMAT_DATA', `table '${ctx.table}', format csv: cannot read record '${record.slice(0, 200)}': ${(err as Error).message}; set 'csv.ignore-parse-errors' = 'true' to skip such records`);
        }
      },
    };
  },
  createEncoder(ctx) {
    const o = ctx.options;
    const { columns } = ctx;
    return {
      encode(values) {
        const fields = columns.map((c, i) => (values[i] === null || values[i] === undefined) && o['null-literal'] !== undefined ? o['null-literal'] : toTextValue(c.type, values[i]));
        return stringify([fields], {
          delimiter: o['field-delimiter'], quote: o['quote-character'], escape: o['escape-character'] ?? o['quote-character'],
          record_delimiter: '',
        });
      },
    };
  },
});
