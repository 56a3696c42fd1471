// Lookup join probes against a PostgreSQL table: `SELECT ... WHERE k1 = $1 AND ...` on a small
// pool, through an optional LookupCache. A key with a NULL matches nothing (SQL equality), a
// failed query is retried `maxRetries` times before the task fails.
import pg from 'pg';
import type { RowField } from '../../sql/types/data-type.ts';
import type { ChangelogRow } from '../factory/row.ts';
import { keyText } from './buffer.ts';
import { LookupCache } from './lookup-cache.ts';
import { connectionConfig } from './sink.ts';
import { lookupStatement } from './statements.ts';
import type { PgSettings } from './url.ts';
import { fromPgText, toPgParam } from './values.ts';

export interface PostgresLookupOptions {
  readonly connection: PgSettings;
  readonly table: string;
  readonly columns: readonly RowField[];
  /** no cache when absent (Flink's default) */
  readonly cache?: { maxRows: number; ttlMs: number; cacheMissingKey: boolean };
  readonly maxRetries?: number;
  readonly now?: () => number;
}

export type LookupFunction = (key: readonly unknown[]) => Promise<ChangelogRow['values'][]>;

export function postgresLookup(o: PostgresLookupOptions, keyColumns: readonly string[]): LookupFunction {
  const names = o.columns.map((c) => c.name);
  const keyTypes = keyColumns.map((k) => {
    const column = o.columns.find((c) => c.name === k);
    if (!column) throw new Error(`MR_ERR_CONNECTOR_ABILITY: lookup on '${o.table}' by column '${k}', which the table does not have (columns: ${names.join(', ')})`);
    return column.type;
  });
  const text = lookupStatement(o.table, names, keyColumns);
  // idle connections close, and an idle pool does not keep the process alive (lookups have no close hook)
  const pool = new pg.Pool({ ...connectionConfig(o.connection), max: 2, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
  pool.on('error', () => {});
  const cache = o.cache ? new LookupCache<ChangelogRow['values'][]>({ maxRows: o.cache.maxRows, ttlMs: o.cache.ttlMs, now: o.now ?? Date.now }) : undefined;
  const maxRetries = o.maxRetries ?? 3;

  async function query(key: readonly unknown[]): Promise<ChangelogRow['values'][]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await pool.query<Array<string | null>>({ text, values: key.map((v, i) => toPgParam(keyTypes[i]!, v)), rowMode: 'array' });
        return result.rows.map((row) => row.map((v, i) => fromPgText(o.columns[i]!.type, v, names[i]!)));
      } catch (error) {
        if (attempt >= maxRetries) throw new Error(`MR_ERR_JDBC_LOOKUP: lookup in '${o.table}' failed after ${attempt + 1} attempts: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, (attempt + 1) * 100));
      }
    }
  }

  return async (key) => {
    if (key.some((v) => v === null || v === undefined)) return [];
    const k = keyText(key);
    const cached = cache?.get(k);
    if (cached) return cached;
    const rows = await query(key);
    if (cache && (rows.length > 0 || o.cache!.cacheMissingKey)) cache.put(k, rows);
    return rows;
  };
}
