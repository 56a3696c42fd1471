// Bounded scan of a PostgreSQL table: the subtask's splits (splits.ts) read one after another
// through a server-side cursor, `fetchSize` rows per round trip, never more than two fetches
// ahead of the task. The position (splits finished, rows emitted from the current one) is
// checkpointed; with a primary key the split is read in key order and a restore skips what was
// emitted, without one the split in progress is read again from its start.
import pg from 'pg';
import type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from '../../api/source.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import { insertRow, type ChangelogRow } from '../factory/row.ts';
import { connectionConfig } from './sink.ts';
import { splitsOfSubtask, type Split } from './splits.ts';
import { scanStatement } from './statements.ts';
import type { PgSettings } from './url.ts';
import { fromPgText } from './values.ts';

export interface PostgresScanOptions {
  readonly connection: PgSettings;
  readonly table: string;
  readonly columns: readonly RowField[];
  readonly primaryKey?: readonly string[];
  /** with a partition column: the splits; without: the whole table is one split */
  readonly partition?: { column: string; splits: readonly Split[] };
  /** rows per FETCH (Flink's `scan.fetch-size`; default 1000) */
  readonly fetchSize?: number;
  readonly name?: string;
}

interface ScanState {
  /** split indexes read to the end */
  done: number[];
  /** rows emitted from a split not yet done */
  emitted: Record<string, number>;
}

export function postgresScan(o: PostgresScanOptions): Source<ChangelogRow> {
  return { name: o.name ?? `jdbc-scan:${o.table}`, bounded: true, createReader: () => new ScanReader(o) };
}

type Item = { split: number; values: unknown[] } | { split: number; end: true };

class ScanReader implements SourceReader<ChangelogRow> {
  private readonly o: PostgresScanOptions;
  private splits: Split[] = [];
  private state: ScanState = { done: [], emitted: {} };
  private restored: ScanState | undefined;
  private readonly queue: Item[] = [];
  private failure: Error | undefined;
  private finished = false;
  private wake: (() => void) | undefined;
  private resume: (() => void) | undefined;
  private closed = false;
  private started = false;
  private client: pg.Client | undefined;

  constructor(o: PostgresScanOptions) {
    this.o = o;
  }

  open(ctx: SourceReaderContext): void {
    const all = this.o.partition?.splits ?? [{ index: 0, from: '', to: '' }];
    this.splits = splitsOfSubtask(all, ctx.subtaskIndex, ctx.parallelism);
  }

  /** Reading starts at the first poll: the runtime restores a position after `open`. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    if (this.restored) this.state = this.restored;
    void this.readAll().catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.signal();
    });
  }

  restoreState(state: unknown): void {
    this.restored = structuredClone(state as ScanState);
  }

  restoreStates(states: unknown[]): void {
    const merged: ScanState = { done: [], emitted: {} };
    for (const s of states as ScanState[]) {
      merged.done.push(...s.done);
      Object.assign(merged.emitted, s.emitted);
    }
    this.restored = merged;
  }

  snapshotState(): ScanState {
    return structuredClone(this.state);
  }

  pollNext(out: SourceOutput<ChangelogRow>, maxRecords: number): PollStatus {
    this.start();
    if (this.failure) throw this.failure;
    let n = 0;
    while (n < maxRecords && this.queue.length > 0) {
      const item = this.queue.shift()!;
      if ('end' in item) {
        this.state.done.push(item.split);
        delete this.state.emitted[item.split];
        continue;
      }
      this.state.emitted[item.split] = (this.state.emitted[item.split] ?? 0) + 1;
      out.collect(insertRow(item.values));
      n++;
    }
    this.resume?.();
    if (this.queue.length > 0) return 'more';
    return this.finished ? 'end' : 'wait';
  }

  available(): Promise<void> {
    this.start();
    if (this.queue.length > 0 || this.finished || this.failure) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.resume?.();
    await this.client?.end().catch(() => {});
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async readAll(): Promise<void> {
    const pending = this.splits.filter((s) => !this.state.done.includes(s.index));
    if (pending.length > 0) {
      const client = new pg.Client(connectionConfig(this.o.connection));
      client.on('error', () => {});
      this.client = client;
      await client.connect();
      const names = this.o.columns.map((c) => c.name);
      const ordered = this.o.primaryKey?.length ? this.o.primaryKey : undefined;
      const fetchSize = this.o.fetchSize ?? 1000;
      for (const split of pending) {
        if (this.closed) return;
        // rows already emitted are skipped only when the order is stable (by primary key)
        const skip = ordered ? (this.state.emitted[split.index] ?? 0) : 0;
        if (!ordered) delete this.state.emitted[split.index];
        const query = scanStatement(this.o.table, names, { ...(this.o.partition ? { splitColumn: this.o.partition.column } : {}), ...(ordered ? { orderBy: ordered } : {}) }) + (skip ? ` OFFSET ${skip}` : '');
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query({ text: `DECLARE millrace_scan NO SCROLL CURSOR FOR ${query}`, values: this.o.partition ? [split.from, split.to] : [] });
        for (;;) {
          while (this.queue.length >= 2 * fetchSize && !this.closed) await new Promise<void>((resolve) => (this.resume = resolve));
          if (this.closed) return;
          const result = await client.query({ text: `FETCH ${fetchSize} FROM millrace_scan`, rowMode: 'array' });
          const rows = result.rows as unknown as Array<Array<string | null>>;
          for (const row of rows) this.queue.push({ split: split.index, values: row.map((v, i) => fromPgText(this.o.columns[i]!.type, v, names[i]!)) });
          this.signal();
          if (rows.length < fetchSize) break;
        }
        await client.query('COMMIT');
        this.queue.push({ split: split.index, end: true });
      }
      await client.end();
      this.client = undefined;
    }
    this.finished = true;
    this.signal();
  }
}
