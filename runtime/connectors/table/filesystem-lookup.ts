// The filesystem connector's lookup ability (what Flink's legacy CSV table source offered, and
// what the Nexmark project's q13 joins its side input with): the first probe reads the table's
// file (or every visible file of its directory) in the table's format into memory, indexed by
// the probed columns; probes then answer from that index. The files are read once per lookup
// function, so the table is meant to be a small, static side input.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorContext, LookupTableSource } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';

type Values = readonly unknown[];

const keyText = (key: Values): string => JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function filesOf(p: string, table: string): string[] {
  let directory: boolean;
  try {
    directory = statSync(p).isDirectory();
  } catch (err) {
    throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': option 'path' = '${p}' cannot be read for lookups: ${(err as Error).message}`);
  }
  if (!directory) return [p];
  return readdirSync(p).filter((f) => !f.startsWith('.') && !f.startsWith('_')).sort().flatMap((f) => filesOf(path.join(p, f), table));
}

export function filesystemLookup(ctx: ConnectorContext<{ path: string }>): LookupTableSource {
  return {
    createLookup(keyColumns) {
      const names = ctx.table.columns.map((c) => c.name);
      const indexes = keyColumns.map((k) => {
        const i = names.indexOf(k);
        if (i < 0) throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${ctx.table.name}': lookup by column '${k}', which the table does not have (columns: ${names.join(', ')})`);
        return i;
      });
      if (/^s3a?:\/\//i.test(ctx.options.path)) throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${ctx.table.name}': lookups read local files only; '${ctx.options.path}' is an object-store path`);
      let index: Map<string, Values[]> | undefined;
      const load = (): Map<string, Values[]> => {
        const decoder = ctx.format!.createDecoder();
        const out = new Map<string, Values[]>();
        for (const file of filesOf(ctx.options.path.replace(/^file:\/\//, ''), ctx.table.name)) {
          for (const line of readFileSync(file, 'utf8').split('\n')) {
            if (line.trim() === '') continue;
            const values = decoder.decode(line);
            if (values === null) continue;
            const k = keyText(indexes.map((i) => values[i]));
            const list = out.get(k);
            if (list === undefined) out.set(k, [values]);
            else list.push(values);
          }
        }
        return out;
      };
      return (key) => {
        if (key.some((v) => v === null || v === undefined)) return [];
        index ??= load();
        return (index.get(keyText(key)) ?? []).map((v) => [...v]);
      };
    },
  };
}
