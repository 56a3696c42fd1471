// `postgres-cdc`: an initial snapshot of one table, then its changes from a logical replication
// slot (pgoutput), as a changelog (+I, -U/+U, -D).
//   - first start: publication (if missing) and slot created; the slot's exported snapshot is read
//     in a REPEATABLE READ transaction, so snapshot and stream meet exactly at the slot's point;
//   - checkpoint: the position is the end LSN of the last transaction fully emitted plus the rows
//     emitted of the next one (so a restore skips exactly those);
//   - checkpoint completion: that LSN is confirmed to the slot (standby status update), never
//     earlier, so the server keeps everything a restore may need;
//   - restore: streaming resumes at the checkpointed LSN. A restore during the snapshot redoes it
//     (the slot is recreated): rows already emitted come again as +I, which an upsert sink absorbs.
// Updates carry a before image (-U) only with REPLICA IDENTITY FULL; otherwise only +U is emitted,
// and a -D carries the key columns (the others NULL).
import pg from 'pg';
import type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from '../../api/source.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import type { ChangelogRow, RowKind } from '../factory/row.ts';
import { bigintToLsn, decodePgOutput, lsnToBigint, standbyStatusUpdate, type TupleValue } from './pgoutput.ts';
import { connectionConfig } from './sink.ts';
import { quoteIdentifier, scanStatement } from './statements.ts';
import type { PgSettings } from './url.ts';
import { fromPgText } from './values.ts';
import type { ConnectorMetricGroup } from '../../metrics/connector-metric-group.ts';
import { pgTimestampToEpochMs, walLagBytes } from '../metrics/lag.ts';

export interface PostgresCdcOptions {
  readonly connection: PgSettings;
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly RowField[];
  readonly slotName: string;
  /** default `<slot>_publication` */
  readonly publicationName?: string;
  readonly name?: string;
}

type CdcState = { phase: 'snapshot' } | { phase: 'stream'; lsn: string; skip: number };

/** rows carry their size as read (text values, or the pgoutput message) for the bytes-in metric */
type Item = { row: ChangelogRow; bytes: number } | { commit: bigint; commitTime: bigint } | { snapshotDone: bigint };

/** How often the server's end of WAL is read for the replication-lag gauge. */
const WAL_POLL_MS = 1000;

export function postgresCdcSource(o: PostgresCdcOptions): Source<ChangelogRow> {
  return { name: o.name ?? `postgres-cdc:${o.schema}.${o.table}`, bounded: false, createReader: () => new CdcReader(o) };
}

class CdcReader implements SourceReader<ChangelogRow> {
  private readonly o: PostgresCdcOptions;
  private state: CdcState = { phase: 'snapshot' };
  private restored: CdcState | undefined;
  private readonly queue: Item[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private resume: (() => void) | undefined;
  private closed = false;
  private active = false;
  private started = false;
  private replication: pg.Client | undefined;
  private readonly pendingConfirm = new Map<number, bigint>();
  /** rows of the current transaction still to skip after a restore */
  private toSkip = 0;
  private metrics: ConnectorMetricGroup | undefined;
  /** for the lag gauges: the server's end of WAL (polled), the position emitted, the last commit's times */
  private serverWalEnd: bigint | undefined;
  private emittedLsn: bigint | undefined;
  private lastEmitLagSeconds: number | undefined;
  private walPoll: NodeJS.Timeout | undefined;
  private walAdmin: pg.Client | undefined;

  constructor(o: PostgresCdcOptions) {
    this.o = o;
  }

  open(ctx: SourceReaderContext): void {
    // one slot: subtask 0 reads the table, the others stay idle
    this.active = ctx.subtaskIndex === 0;
    if (!this.active) return;
    this.metrics = ctx.connectorMetrics?.('postgres-cdc');
    this.metrics?.setGauges({
      replicationLagBytes: () => (this.serverWalEnd === undefined || this.emittedLsn === undefined ? undefined : walLagBytes(this.serverWalEnd, this.emittedLsn)),
      emitLagSeconds: () => this.lastEmitLagSeconds,
    });
  }

  /** Work starts at the first poll: the runtime restores a position after `open`. */
  private start(): void {
    if (this.started || !this.active) return;
    this.started = true;
    if (this.restored) this.state = this.restored;
    void this.run().catch((error: unknown) => {
      if (this.closed) return;
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.signal();
    });
  }

  restoreState(state: unknown): void {
    if (state) this.restored = structuredClone(state as CdcState);
  }

  restoreStates(states: unknown[]): void {
    const found = states.find((s) => s !== undefined && s !== null);
    if (found) this.restored = structuredClone(found as CdcState);
  }

  snapshotState(checkpointId?: number): CdcState | undefined {
    if (!this.active) return undefined;
    this.start();
    if (this.state.phase === 'stream' && checkpointId !== undefined) this.pendingConfirm.set(checkpointId, lsnToBigint(this.state.lsn));
    return structuredClone(this.state);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    let confirm: bigint | undefined;
    for (const [id, lsn] of this.pendingConfirm) {
      if (id <= checkpointId) {
        confirm = lsn;
        this.pendingConfirm.delete(id);
      }
    }
    if (confirm !== undefined) this.confirm(confirm);
  }

  pollNext(out: SourceOutput<ChangelogRow>, maxRecords: number): PollStatus {
    this.start();
    if (this.failure) throw this.failure;
    if (!this.active) return 'wait';
    let n = 0;
    let bytes = 0;
    while (n < maxRecords && this.queue.length > 0) {
      const item = this.queue.shift()!;
      if ('snapshotDone' in item) {
        this.state = { phase: 'stream', lsn: bigintToLsn(item.snapshotDone), skip: 0 };
        this.emittedLsn = item.snapshotDone;
      } else if ('commit' in item) {
        if (this.state.phase === 'stream') this.state = { phase: 'stream', lsn: bigintToLsn(item.commit), skip: 0 };
        if (this.emittedLsn === undefined || item.commit > this.emittedLsn) this.emittedLsn = item.commit;
        this.lastEmitLagSeconds = Math.max(0, (Date.now() - pgTimestampToEpochMs(item.commitTime)) / 1000);
      } else {
        if (this.state.phase === 'stream') this.state = { ...this.state, skip: this.state.skip + 1 };
        out.collect(item.row);
        bytes += item.bytes;
        n++;
      }
    }
    this.metrics?.read(n, bytes);
    this.resume?.();
    return this.queue.length > 0 ? 'more' : 'wait';
  }

  available(): Promise<void> {
    this.start();
    if (this.queue.length > 0 || this.failure) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.walPoll) clearInterval(this.walPoll);
    this.resume?.();
    this.signal();
    await this.replication?.end().catch(() => {});
    await this.walAdmin?.end().catch(() => {});
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private confirm(lsn: bigint): void {
    this.lastConfirmed = lsn;
    const connection = (this.replication as unknown as { connection?: { sendCopyFromChunk(b: Buffer): void } } | undefined)?.connection;
    connection?.sendCopyFromChunk(standbyStatusUpdate(lsn, Date.now()));
  }

  private async push(item: Item): Promise<void> {
    while (this.queue.length >= 10_000 && !this.closed) await new Promise<void>((resolve) => (this.resume = resolve));
    this.queue.push(item);
    this.signal();
  }

  private get publication(): string {
    return this.o.publicationName ?? `${this.o.slotName}_publication`;
  }

  private async run(): Promise<void> {
    const admin = new pg.Client(connectionConfig(this.o.connection));
    admin.on('error', () => {});
    await admin.connect();
    const qualified = `${quoteIdentifier(this.o.schema)}.${quoteIdentifier(this.o.table)}`;
    try {
      const pub = await admin.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [this.publication]);
      if (pub.rowCount === 0) await admin.query(`CREATE PUBLICATION ${quoteIdentifier(this.publication)} FOR TABLE ${qualified}`);
      if (this.state.phase === 'snapshot') await admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [this.o.slotName]);
    } catch (error) {
      await admin.end();
      throw error;
    }
    const replication = new pg.Client({ ...connectionConfig(this.o.connection), replication: 'database' } as pg.ClientConfig);
    replication.on('error', (error) => {
      if (!this.closed) {
        this.failure ??= error;
        this.signal();
      }
    });
    this.replication = replication;
    await replication.connect();
    let start: bigint;
    if (this.state.phase === 'snapshot') {
      const created = await replication.query(`CREATE_REPLICATION_SLOT ${quoteIdentifier(this.o.slotName)} LOGICAL pgoutput EXPORT_SNAPSHOT`);
      const { snapshot_name: snapshotName, consistent_point: point } = created.rows[0] as { snapshot_name: string; consistent_point: string };
      start = lsnToBigint(point);
      await this.readSnapshot(admin, snapshotName);
      await this.push({ snapshotDone: start });
    } else {
      start = lsnToBigint(this.state.lsn);
      this.toSkip = this.state.skip;
    }
    if (this.closed) {
      await admin.end();
      return;
    }
    this.pollServerWal(admin);
    this.stream(replication, start);
  }

  private async readSnapshot(client: pg.Client, snapshotName: string): Promise<void> {
    const names = this.o.columns.map((c) => c.name);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshotName.replaceAll("'", "''")}'`);
    await client.query(`DECLARE millrace_snapshot NO SCROLL CURSOR FOR ${scanStatement(`${this.o.schema}.${this.o.table}`, names)}`);
    for (;;) {
      const result = await client.query({ text: 'FETCH 1000 FROM millrace_snapshot', rowMode: 'array' });
      const rows = result.rows as unknown as Array<Array<string | null>>;
      for (const row of rows) await this.push({ row: { kind: '+I', values: row.map((v, i) => fromPgText(this.o.columns[i]!.type, v, names[i]!)) }, bytes: row.reduce((n, v) => n + (v === null ? 0 : Buffer.byteLength(v)), 0) });
      if (rows.length < 1000 || this.closed) break;
    }
    await client.query('COMMIT');
  }

  private stream(replication: pg.Client, start: bigint): void {
    const relations = new Map<number, string[]>();
    const names = this.o.columns.map((c) => c.name);
    const connection = (replication as unknown as { connection: { on(event: 'copyData', f: (msg: { chunk: Buffer }) => void): void } }).connection;
    let chain = Promise.resolve();
    connection.on('copyData', ({ chunk }) => {
      const kind = chunk[0];
      if (kind === 0x6b /* 'k' keepalive */) {
        if (chunk[17] === 1) this.confirm(this.confirmedOrStart(start));
        // the server has sent everything up to this position: with nothing queued, the source is there
        const sent = chunk.readBigUInt64BE(1);
        if (this.queue.length === 0 && (this.emittedLsn === undefined || sent > this.emittedLsn)) void chain.then(() => {
          if (this.queue.length === 0 && (this.emittedLsn === undefined || sent > this.emittedLsn)) this.emittedLsn = sent;
        });
        return;
      }
      if (kind !== 0x77 /* 'w' XLogData */) return;
      const message = decodePgOutput(chunk.subarray(25));
      const size = chunk.length - 25;
      chain = chain.then(async () => {
        switch (message.tag) {
          case 'relation':
            relations.set(message.relationId, message.columns.map((c) => c.name));
            return;
          case 'insert':
            return this.emit('+I', relations.get(message.relationId), message.tuple, names, size);
          case 'update':
            if (message.old && !message.oldIsKeyOnly) await this.emit('-U', relations.get(message.relationId), message.old, names, 0);
            return this.emit('+U', relations.get(message.relationId), message.tuple, names, size);
          case 'delete':
            return this.emit('-D', relations.get(message.relationId), message.old, names, size);
          case 'commit':
            this.toSkip = 0;
            return this.push({ commit: message.endLsn, commitTime: message.commitTime });
          case 'truncate':
            throw new Error(`MR_ERR_CDC_TRUNCATE: ${this.o.schema}.${this.o.table} was truncated; a changelog cannot express that, restart the job without state to snapshot it again`);
          default:
            return;
        }
      }).catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
        this.signal();
      });
    });
    const text = `START_REPLICATION SLOT ${quoteIdentifier(this.o.slotName)} LOGICAL ${bigintToLsn(start)} (proto_version '1', publication_names '${this.publication.replaceAll("'", "''")}')`;
    replication.query(text).catch((error: unknown) => {
      if (this.closed) return;
      this.failure ??= error instanceof Error ? error : new Error(String(error));
      this.signal();
    });
  }

  private lastConfirmed: bigint | undefined;

  /** Reads the server's end of WAL every WAL_POLL_MS on the (otherwise idle) admin connection, for the lag gauge. */
  private pollServerWal(admin: pg.Client): void {
    if (!this.metrics) {
      void admin.end().catch(() => {});
      return;
    }
    let busy = false;
    this.walPoll = setInterval(() => {
      if (busy) return;
      busy = true;
      admin.query('SELECT pg_current_wal_lsn()::text AS lsn').then((r) => {
        this.serverWalEnd = lsnToBigint((r.rows[0] as { lsn: string }).lsn);
      }, () => {}).finally(() => (busy = false));
    }, WAL_POLL_MS);
    this.walPoll.unref();
    this.walAdmin = admin;
  }

  private confirmedOrStart(start: bigint): bigint {
    return this.lastConfirmed ?? start;
  }

  private async emit(kind: RowKind, columns: string[] | undefined, tuple: TupleValue[], names: string[], bytes: number): Promise<void> {
    if (!columns) throw new Error('MR_ERR_CDC_PROTOCOL: a row arrived before its relation');
    if (this.toSkip > 0) {
      this.toSkip--;
      return;
    }
    const values = names.map((name, i) => {
      const at = columns.indexOf(name);
      const v = at < 0 ? null : tuple[at];
      if (v === undefined || v === null || typeof v === 'object') return null; // unchanged TOAST values are not sent
      return fromPgText(this.o.columns[i]!.type, v, name);
    });
    await this.push({ row: { kind, values }, bytes });
  }
}
