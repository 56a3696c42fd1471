// Flink's legacy table properties (`'connector.type' = 'filesystem'`, `'connector.path' = ...`,
// `'format.type' = 'csv'`), which Flink 1.20 still reads through its legacy table factories (the
// Nexmark project's q13 declares its side input this way), read as today's options: the
// connector from `connector.type`, `connector.<k>` as `<k>`, the format from `format.type` and
// `format.<k>` as `<format>.<k>`. A table that has a `'connector'` option is left as written.
import type { TableDescriptor } from './connector.ts';

export function withLegacyOptions(table: TableDescriptor): TableDescriptor {
  const o = table.options;
  const type = o['connector.type'];
  if (o.connector !== undefined || type === undefined) return table;
  const format = o['format.type'];
  const options: Record<string, string> = { connector: type };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'connector.type' || k === 'format.type') continue;
    if (k.startsWith('connector.')) options[k.slice('connector.'.length)] = v;
    else if (k.startsWith('format.') && format !== undefined) options[`${format}.${k.slice('format.'.length)}`] = v;
    else options[k] = v;
  }
  if (format !== undefined) options.format = format;
  return { ...table, options };
}
