// Flink's `debezium-json` format: Debezium change events `{"before": {...}, "after": {...},
// "op": "c|r|u|d"}` (optionally inside `{"schema": ..., "payload": ...}`) as changelog rows:
// c and r → +I, u → -U (before) and +U (after), d → -D (before). Written as Flink writes it:
// +I and +U as op c with `after`, -U and -D as op d with `before`.
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { defineFormat, type FormatContext } from '../format.ts';
import { booleanOption, enumOption } from '../options.ts';
import type { ChangelogRow } from '../row.ts';
import { stringifyJson } from '../values.ts';
import { jsonToRow, rowToJson } from './changelog-json.ts';
import { checkJsonKeys } from './json.ts';

const notPlain = (ctx: FormatContext<unknown>): never => {
  throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table}': format 'debezium-json' carries a changelog; use it with a connector that reads changelogs (kafka)`);
};

export const debeziumJsonFormat = defineFormat({
  name: 'debezium-json',
  description: 'Debezium change events in JSON (before/after/op) as a changelog',
  changelogMode: 'all',
  options: z.object({
    'schema-include': booleanOption().default(false),
    'ignore-parse-errors': booleanOption().default(false),
    'timestamp-format.standard': enumOption(['SQL']).default('SQL'),
  }),
  // Flink's JSON row converters underneath: MAP keys and MULTISET elements must be strings
  check(ctx) {
    for (const c of ctx.columns) checkJsonKeys(ctx.table, c.type, c.name);
  },
  createDecoder(ctx) {
    const { columns, options: o } = ctx;
    return {
      decode: () => notPlain(ctx),
      decodeChangelog(record) {
        try {
          let ev = JSON.parse(record) as Record<string, unknown> | null;
          if (ev === null) return []; // a tombstone after a delete
          if (o['schema-include'] || ('payload' in ev && 'schema' in ev)) ev = ev.payload as Record<string, unknown>;
          const op = ev.op;
          if (op === 'c' || op === 'r') return [{ kind: '+I', values: jsonToRow(columns, ev.after, 'after') }];
          if (op === 'u') return [{ kind: '-U', values: jsonToRow(columns, ev.before, 'before') }, { kind: '+U', values: jsonToRow(columns, ev.after, 'after') }];
          if (op === 'd') return [{ kind: '-D', values: jsonToRow(columns, ev.before, 'before') }];
          throw new Error(`unknown op ${JSON.stringify(op)} (expected c, r, u or d)`);
        } catch (err) {
          if (o['ignore-parse-errors']) return [];
          throw new ConnectorError('MR_ERR_FORMAT_DATA', `table '${ctx.table}', format debezium-json: cannot read record '${record.slice(0, 200)}': ${(err as Error).message}; set 'debezium-json.ignore-parse-errors' = 'true' to skip such records`);
        }
      },
    };
  },
  createEncoder(ctx) {
    const { columns } = ctx;
    return {
      encode: () => notPlain(ctx),
      encodeChangelog(row: ChangelogRow) {
        const data = rowToJson(columns, row.values);
        const ev = row.kind === '+I' || row.kind === '+U' ? { before: null, after: data, op: 'c' } : { before: data, after: null, op: 'd' };
        return stringifyJson(ev);
      },
    };
  },
});
