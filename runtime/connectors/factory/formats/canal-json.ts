// Flink's `canal-json` format: Canal's change messages `{"data": [...], "old": [...], "type":
// "INSERT|UPDATE|DELETE", "database", "table", ...}` as changelog rows. `data` holds the rows
// after the change (deleted rows for DELETE); for UPDATE, `old[i]` holds the changed columns'
// previous values, the rest are unchanged. Written as Flink writes it: +I and +U as INSERT,
// -U and -D as DELETE, one row per message.
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { defineFormat, type FormatContext } from '../format.ts';
import { booleanOption, stringOption } from '../options.ts';
import type { ChangelogRow } from '../row.ts';
import { stringifyJson } from '../values.ts';
import { jsonToRow, rowToJson } from './changelog-json.ts';
import { checkJsonKeys } from './json.ts';

const notPlain = (ctx: FormatContext<unknown>): never => {
  throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table}': format 'canal-json' carries a changelog; use it with a connector that reads changelogs (kafka)`);
};

export const canalJsonFormat = defineFormat({
  name: 'canal-json',
  description: 'Canal change messages in JSON (data/old/type) as a changelog',
  changelogMode: 'all',
  options: z.object({
    'ignore-parse-errors': booleanOption().default(false),
    'database.include': stringOption().optional(),
    'table.include': stringOption().optional(),
  }),
  // Flink's JSON row converters underneath: MAP keys and MULTISET elements must be strings
  check(ctx) {
    for (const c of ctx.columns) checkJsonKeys(ctx.table, c.type, c.name);
  },
  createDecoder(ctx) {
    const { columns, options: o } = ctx;
    const db = o['database.include'] === undefined ? undefined : new RegExp(`^(?:${o['database.include']})$`);
    const tb = o['table.include'] === undefined ? undefined : new RegExp(`^(?:${o['table.include']})$`);
    return {
      decode: () => notPlain(ctx),
      decodeChangelog(record) {
        try {
          const m = JSON.parse(record) as Record<string, unknown> | null;
          if (m === null) return [];
          if (db && !db.test(String(m.database))) return [];
          if (tb && !tb.test(String(m.table))) return [];
          const type = m.type;
          if (type === 'CREATE' || type === 'ALTER' || type === 'ERASE' || type === 'QUERY' || type === 'TRUNCATE') return []; // DDL: no rows
          const data = m.data;
          if (!Array.isArray(data)) throw new Error("'data' is not an array");
          if (type === 'INSERT') return data.map((d) => ({ kind: '+I' as const, values: jsonToRow(columns, d, 'data') }));
          if (type === 'DELETE') return data.map((d) => ({ kind: '-D' as const, values: jsonToRow(columns, d, 'data') }));
          if (type === 'UPDATE') {
            const old = Array.isArray(m.old) ? m.old : [];
            return data.flatMap((d, i): ChangelogRow[] => {
              const before = { ...(d as Record<string, unknown>), ...((old[i] as Record<string, unknown> | undefined) ?? {}) };
              return [{ kind: '-U', values: jsonToRow(columns, before, 'old') }, { kind: '+U', values: jsonToRow(columns, d, 'data') }];
            });
          }
          throw new Error(`unknown type ${JSON.stringify(type)} (expected INSERT, UPDATE or DELETE)`);
        } catch (err) {
          if (o['ignore-parse-errors']) return [];
          throw new ConnectorError('MR_ERR_FORMAT_DATA', `table '${ctx.table}', format canal-json: cannot read record '${record.slice(0, 200)}': ${(err as Error).message}; set 'canal-json.ignore-parse-errors' = 'true' to skip such records`);
        }
      },
    };
  },
  createEncoder(ctx) {
    const { columns } = ctx;
    return {
      encode: () => notPlain(ctx),
      encodeChangelog(row: ChangelogRow) {
        return stringifyJson({ data: [rowToJson(columns, row.values)], type: row.kind === '+I' || row.kind === '+U' ? 'INSERT' : 'DELETE' });
      },
    };
  },
});
