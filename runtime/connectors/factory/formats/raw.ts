// Flink's `raw` format: the whole record is the value of the table's single column (STRING or
// BYTES). In files a record is one line.

import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { defineFormat } from '../format.ts';
import { enumOption } from '../options.ts';

export const rawFormat = defineFormat({
  name: 'raw',
  description: 'the record as one STRING or BYTES column',
  options: z.object({
    charset: enumOption(['UTF-8']).default('UTF-8'),
    endianness: enumOption(['big-endian', 'little-endian']).default('big-endian'),
  }),
  check(ctx) {
    const c = ctx.columns;
    if (c.length !== 1 || !['VARCHAR', 'CHAR', 'VARBINARY', 'BINARY'].includes(c[0]!.type.root)) {
      throw new ConnectorError('MR_ERR_FORMAT_UNKNOWN', `table '${ctx.table}': the raw format needs exactly one STRING or BYTES column, the table has ${c.length} (${c.map((x) => x.name).join(', ')}); use 'json' or 'csv' for several columns`);
    }
  },
  createDecoder(ctx) {
    const binary = ctx.columns[0]!.type.root === 'VARBINARY' || ctx.columns[0]!.type.root === 'BINARY';
    return { decode: (record) => [binary ? new Uint8Array(Buffer.from(record, 'utf8')) : record] };
  },
  createEncoder(ctx) {
    const binary = ctx.columns[0]!.type.root === 'VARBINARY' || ctx.columns[0]!.type.root === 'BINARY';
    return { encode: (values) => (values[0] === null || values[0] === undefined ? '' : binary ? Buffer.from(values[0] as Uint8Array).toString('utf8') : String(values[0])) };
  },
});
