// JDBC-style sink into a PostgreSQL table. Rows collect in a ChangeBuffer (buffer.ts) and are
// written when it holds `maxRows`, every `flushIntervalMs`, at a checkpoint and at the end of
// input; each flush is one transaction (deletes, then upserts or inserts), retried up to
// `maxRetries` times on a fresh connection. A checkpoint is acknowledged only once everything
// written before its barrier is committed (flushPending), so a restored job replays only rows
// after the checkpoint. With a primary key every write is an idempotent upsert or delete by key:
// replaying rows leaves the table exact. Without one the sink appends (at-least-once, as Flink's).
import pg from 'pg';
import type { Sink, SinkContext, SinkWriter } from '../../api/functions.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import type { ChangelogRow } from '../factory/row.ts';
import { ChangeBuffer, type Flush } from './buffer.ts';
import { deleteStatement, insertStatement, rowsPerStatement, upsertStatement } from './statements.ts';
import type { PgSettings } from './url.ts';
import { textTypes, toPgParam } from './values.ts';
import type { ConnectorMetricGroup } from '../../metrics/connector-metric-group.ts';

export interface PostgresSinkOptions {
  readonly connection: PgSettings;
  readonly table: string;
  readonly columns: readonly RowField[];
  /** primary key column names: upsert mode; none: append */
  readonly primaryKey?: readonly string[];
  /** default 100 (Flink's `sink.buffer-flush.max-rows`); 0 flushes only on interval and checkpoints */
  readonly maxRows?: number;
  /** default 1000 ms (Flink's `sink.buffer-flush.interval`); 0 disables the timer */
  readonly flushIntervalMs?: number;
  /** default 3 (Flink's `sink.max-retries`) */
  readonly maxRetries?: number;
  /** wait before retry n is n × this (default 1000 ms, as Flink's) */
  readonly retryBackoffMs?: number;
  readonly name?: string;
}

export function postgresSink(options: PostgresSinkOptions): Sink<ChangelogRow> {
  return { name: options.name ?? `jdbc:${options.table}`, createWriter: () => new PostgresSinkWriter(options) };
}

export function connectionConfig(settings: PgSettings): pg.ClientConfig {
  return { ...settings, types: textTypes, options: '-c TimeZone=UTC' };
}

class PostgresSinkWriter implements SinkWriter<ChangelogRow> {
  private readonly o: PostgresSinkOptions;
  private readonly buffer: ChangeBuffer;
  private readonly names: string[];
  private readonly keyTypes: RowField[];
  private readonly maxRows: number;
  private client: pg.Client | undefined;
  /** every flush of this subtask, in order */
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private metrics: ConnectorMetricGroup | undefined;

  constructor(o: PostgresSinkOptions) {
    this.o = o;
    this.names = o.columns.map((c) => c.name);
    const key = o.primaryKey?.length ? o.primaryKey : undefined;
    this.buffer = new ChangeBuffer(key?.map((k) => this.names.indexOf(k)));
    this.keyTypes = (key ?? []).map((k) => o.columns[this.names.indexOf(k)]!);
    this.maxRows = o.maxRows ?? 100;
  }

  open(ctx: SinkContext): void {
    this.metrics = ctx.connectorMetrics?.('jdbc');
    const interval = this.o.flushIntervalMs ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => this.startFlush(), interval);
      this.timer.unref();
    }
  }

  write(row: ChangelogRow): void {
    if (this.failure) throw this.failure;
    this.buffer.add(row);
    if (this.maxRows > 0 && this.buffer.size >= this.maxRows) this.startFlush();
  }

  snapshotState(): undefined {
    if (this.failure) throw this.failure;
    this.startFlush();
    return undefined; // nothing to keep: what the checkpoint covers is in the table once it is acknowledged
  }

  async flushPending(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }

  async finish(): Promise<void> {
    this.startFlush();
    await this.flushPending();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.chain;
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  private startFlush(): void {
    if (this.buffer.size === 0 || this.failure) return;
    const flush = this.buffer.take();
    this.chain = this.chain.then(() => this.writeWithRetries(flush)).catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    });
  }

  private async writeWithRetries(flush: Flush): Promise<void> {
    const maxRetries = this.o.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.write1(flush);
        return;
      } catch (error) {
        await this.client?.end().catch(() => {});
        this.client = undefined;
        if (attempt >= maxRetries) {
          const why = error instanceof Error ? error.message : String(error);
          throw new Error(`MR_ERR_JDBC_WRITE: writing ${flush.upserts.length + flush.deletes.length} rows into '${this.o.table}' failed after ${attempt + 1} attempts: ${why}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, (attempt + 1) * (this.o.retryBackoffMs ?? 1000)));
      }
    }
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(connectionConfig(this.o.connection));
    client.on('error', () => {}); // a broken connection surfaces at the next query, which retries
    await client.connect();
    this.client = client;
    return client;
  }

  private async write1(flush: Flush): Promise<void> {
    const client = await this.connect();
    const key = this.o.primaryKey?.length ? this.o.primaryKey : undefined;
    await client.query('BEGIN');
    let bytes = 0;
    const params = (values: unknown[]) => {
      for (const v of values) bytes += v === null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : String(v).length;
      return values;
    };
    try {
      const perDelete = rowsPerStatement(this.keyTypes.length);
      for (let i = 0; i < flush.deletes.length; i += perDelete) {
        const part = flush.deletes.slice(i, i + perDelete);
        await client.query(deleteStatement(this.o.table, key!, part.length), params(part.flatMap((k) => k.map((v, j) => toPgParam(this.keyTypes[j]!.type, v)))));
      }
      const perInsert = rowsPerStatement(this.names.length);
      for (let i = 0; i < flush.upserts.length; i += perInsert) {
        const part = flush.upserts.slice(i, i + perInsert);
        const text = key ? upsertStatement(this.o.table, this.names, key, part.length) : insertStatement(this.o.table, this.names, part.length);
        await client.query(text, params(part.flatMap((row) => row.map((v, j) => toPgParam(this.o.columns[j]!.type, v)))));
      }
      await client.query('COMMIT');
      // bytes: the statement parameters as sent (text), the rows' size on the wire
      this.metrics?.written(flush.upserts.length + flush.deletes.length, bytes);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }
}
