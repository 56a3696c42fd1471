// `'connector' = 'jdbc'` for SQL DDL and YAML pipelines, with Flink's JDBC option names, for
// PostgreSQL URLs: a sink (upsert by the table's primary key, else append), a lookup source with
// an optional cache, and a bounded scan split by a numeric column.
import { z } from 'zod';
import { isInteger } from '../../sql/types/data-type.ts';
import { defineConnector, type ConnectorContext } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';
import { booleanOption, durationOption, intOption, stringOption } from '../factory/options.ts';
import { postgresLookup } from './lookup.ts';
import { postgresScan } from './scan.ts';
import { postgresSink } from './sink.ts';
import { numericSplits } from './splits.ts';
import { parseJdbcUrl, type PgSettings } from './url.ts';

const options = z.object({
  url: stringOption(),
  'table-name': stringOption(),
  username: stringOption().optional(),
  password: stringOption().optional(),
  driver: stringOption().optional(),
  'sink.buffer-flush.max-rows': intOption(0).optional(),
  'sink.buffer-flush.interval': durationOption().optional(),
  'sink.max-retries': intOption(0).optional(),
  'lookup.cache.max-rows': intOption(1).optional(),
  'lookup.cache.ttl': durationOption().optional(),
  'lookup.cache.caching-missing-key': booleanOption().optional(),
  'lookup.max-retries': intOption(0).optional(),
  'scan.partition.column': stringOption().optional(),
  'scan.partition.num': intOption(1).optional(),
  'scan.partition.lower-bound': stringOption().optional(),
  'scan.partition.upper-bound': stringOption().optional(),
  'scan.fetch-size': intOption(1).optional(),
});

type Options = z.infer<typeof options>;

const optionsError = (table: string, message: string) => new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': ${message}`);

function connectionOf(ctx: ConnectorContext<Options>): PgSettings {
  const settings = parseJdbcUrl(ctx.options.url, ctx.table.name);
  if (ctx.options.username !== undefined) settings.user = ctx.options.username;
  if (ctx.options.password !== undefined) settings.password = ctx.options.password;
  return settings;
}

const PARTITION_OPTIONS = ['scan.partition.column', 'scan.partition.num', 'scan.partition.lower-bound', 'scan.partition.upper-bound'] as const;

function bound(table: string, option: string, text: string): bigint {
  if (!/^\s*-?\d+\s*$/.test(text)) throw optionsError(table, `option '${option}' = '${text}': expected an integer`);
  return BigInt(text.trim());
}

export const jdbcConnector = defineConnector({
  name: 'jdbc',
  description: 'PostgreSQL tables over jdbc:postgresql:// URLs; upsert (with a primary key) or append sink, lookup source with a cache, bounded scan split by a numeric column',
  options,
  check(ctx) {
    const o = ctx.options;
    const table = ctx.table.name;
    connectionOf(ctx);
    if (o.driver !== undefined && o.driver !== 'org.postgresql.Driver') throw optionsError(table, `option 'driver' = '${o.driver}': only PostgreSQL is supported (org.postgresql.Driver); omit 'driver'`);
    const given = PARTITION_OPTIONS.filter((k) => o[k] !== undefined);
    if (given.length > 0 && given.length < PARTITION_OPTIONS.length) {
      throw optionsError(table, `the scan partition options go together: give all of ${PARTITION_OPTIONS.map((k) => `'${k}'`).join(', ')} (missing ${PARTITION_OPTIONS.filter((k) => o[k] === undefined).map((k) => `'${k}'`).join(', ')})`);
    }
    if (o['scan.partition.column'] !== undefined) {
      const column = ctx.table.columns.find((c) => c.name === o['scan.partition.column']);
      if (!column) throw optionsError(table, `option 'scan.partition.column' = '${o['scan.partition.column']}' names no column (columns: ${ctx.table.columns.map((c) => c.name).join(', ')})`);
      if (!isInteger(column.type)) throw optionsError(table, `option 'scan.partition.column' = '${column.name}': the column is ${column.type.root}; partition by an integer column`);
      numericSplitsOf(table, o);
    }
    if ((o['lookup.cache.max-rows'] === undefined) !== (o['lookup.cache.ttl'] === undefined)) {
      throw optionsError(table, `a lookup cache needs both 'lookup.cache.max-rows' and 'lookup.cache.ttl'`);
    }
    for (const k of ctx.table.primaryKey ?? []) {
      if (!ctx.table.columns.some((c) => c.name === k)) throw optionsError(table, `primary key column '${k}' is not a column of the table`);
    }
  },
  sink(ctx) {
    const o = ctx.options;
    const key = ctx.table.primaryKey?.length ? ctx.table.primaryKey : undefined;
    return {
      changelogMode: key ? 'upsert' : 'insert-only',
      createSink: () => postgresSink({
        connection: connectionOf(ctx),
        table: o['table-name'],
        columns: ctx.table.columns,
        ...(key ? { primaryKey: key } : {}),
        ...(o['sink.buffer-flush.max-rows'] !== undefined ? { maxRows: o['sink.buffer-flush.max-rows'] } : {}),
        ...(o['sink.buffer-flush.interval'] !== undefined ? { flushIntervalMs: o['sink.buffer-flush.interval'] } : {}),
        ...(o['sink.max-retries'] !== undefined ? { maxRetries: o['sink.max-retries'] } : {}),
        name: `jdbc:${ctx.table.name}`,
      }),
    };
  },
  lookup(ctx) {
    const o = ctx.options;
    return {
      createLookup: (keyColumns) => postgresLookup({
        connection: connectionOf(ctx),
        table: o['table-name'],
        columns: ctx.table.columns,
        ...(o['lookup.cache.max-rows'] !== undefined ? { cache: { maxRows: o['lookup.cache.max-rows'], ttlMs: o['lookup.cache.ttl']!, cacheMissingKey: o['lookup.cache.caching-missing-key'] ?? true } } : {}),
        ...(o['lookup.max-retries'] !== undefined ? { maxRetries: o['lookup.max-retries'] } : {}),
      }, keyColumns),
    };
  },
  source(ctx) {
    const o = ctx.options;
    const splits = o['scan.partition.column'] !== undefined ? numericSplitsOf(ctx.table.name, o) : undefined;
    return {
      bounded: true,
      changelogMode: 'insert-only',
      createSource: () => postgresScan({
        connection: connectionOf(ctx),
        table: o['table-name'],
        columns: ctx.table.columns,
        ...(ctx.table.primaryKey?.length ? { primaryKey: ctx.table.primaryKey } : {}),
        ...(splits ? { partition: { column: o['scan.partition.column']!, splits } } : {}),
        ...(o['scan.fetch-size'] !== undefined ? { fetchSize: o['scan.fetch-size'] } : {}),
        name: `jdbc-scan:${ctx.table.name}`,
      }),
    };
  },
});

function numericSplitsOf(table: string, o: Options) {
  const lower = bound(table, 'scan.partition.lower-bound', o['scan.partition.lower-bound']!);
  const upper = bound(table, 'scan.partition.upper-bound', o['scan.partition.upper-bound']!);
  if (upper < lower) throw optionsError(table, `'scan.partition.lower-bound' (${lower}) is above 'scan.partition.upper-bound' (${upper})`);
  return numericSplits(lower, upper, o['scan.partition.num']!);
}
