// `'connector' = 'jdbc'` against the real PostgreSQL server the project starts (npm run
// postgres:up; usePostgres() reuses or starts it). Each test file makes its own database.
import { jest } from '@jest/globals';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SinkContext, SinkWriter } from '../../../runtime/api/functions.ts';
import type { PollStatus, SourceReader } from '../../../runtime/api/source.ts';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { SecretResolver, createConnectorRegistry, type ChangelogRow, type TableDescriptor } from '../../../runtime/connectors/factory/index.ts';
import { postgresLookup } from '../../../runtime/connectors/postgres/lookup.ts';
import { postgresScan } from '../../../runtime/connectors/postgres/scan.ts';
import { postgresSink } from '../../../runtime/connectors/postgres/sink.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { T, type RowField } from '../../../runtime/sql/types/data-type.ts';
import type { ConnectionSettings } from '../../services/postgres/plan.ts';
import { createDatabase, dropDatabase, jdbcUrl } from '../../services/postgres/environment.ts';

jest.setTimeout(60_000);

let db: ConnectionSettings;
let admin: pg.Client;
let secretsDir: string;

beforeAll(async () => {
  db = await createDatabase('jdbc_test');
  admin = new pg.Client(db);
  await admin.connect();
  // the password reaches the connector only through a secret reference, as in a Deployment
  secretsDir = await mkdtemp(join(tmpdir(), 'millrace-pg-secrets-'));
  await mkdir(join(secretsDir, 'pg'));
  await writeFile(join(secretsDir, 'pg', 'password'), db.password);
});

afterAll(async () => {
  await admin?.end();
  if (db) await dropDatabase(db);
});

const registry = () => createConnectorRegistry({ secrets: new SecretResolver(secretsDir) });
const tableOptions = (table: string, extra: Record<string, string> = {}) => ({
  connector: 'jdbc', url: jdbcUrl(db), 'table-name': table, username: db.user, password: '${secret:pg/password}', ...extra,
});
const accountColumns: RowField[] = [{ name: 'id', type: T.bigint(false) }, { name: 'owner', type: T.string() }, { name: 'balance', type: T.decimal(12, 2) }];

const context = (restoring: boolean): SinkContext => ({ subtaskIndex: 0, parallelism: 1, attempt: restoring ? 1 : 0, jobId: 'test', startTime: Date.now(), restoring, recordLatency: () => {} });

async function tableRows(table: string): Promise<string[]> {
  const result = await admin.query(`SELECT id, owner, balance::text FROM ${table} ORDER BY id`);
  return result.rows.map((r: { id: string; owner: string; balance: string }) => `${r.id}|${r.owner}|${r.balance}`);
}

/** The table a changelog leaves, applied by key in memory: what the sink must produce. */
function expectedTable(changes: ChangelogRow[]): string[] {
  const byKey = new Map<number, readonly unknown[]>();
  for (const c of changes) {
    if (c.kind === '-D') byKey.delete(c.values[0] as number);
    else if (c.kind !== '-U') byKey.set(c.values[0] as number, c.values);
  }
  return [...byKey.values()].sort((a, b) => (a[0] as number) - (b[0] as number)).map((v) => v.join('|'));
}

/** A changelog over 50 accounts: inserts, then updates (-U/+U) and deletes, some of keys deleted and inserted again. */
function changelog(): ChangelogRow[] {
  const out: ChangelogRow[] = [];
  const current = new Map<number, readonly unknown[]>();
  const put = (id: number, balance: number) => {
    const row = [id, `owner ${id % 7}`, balance.toFixed(2)];
    const old = current.get(id);
    if (old) out.push({ kind: '-U', values: old }, { kind: '+U', values: row });
    else out.push({ kind: '+I', values: row });
    current.set(id, row);
  };
  for (let step = 0; step < 400; step++) {
    const id = (step * 37) % 50;
    if (step % 11 === 5 && current.has(id)) {
      out.push({ kind: '-D', values: current.get(id)! });
      current.delete(id);
    } else put(id, step * 1.25);
  }
  return out;
}

describe("'connector' = 'jdbc' against PostgreSQL", () => {
  test('upsert sink: a replay after a crash leaves the table exact; a checkpoint is acknowledged only once its rows are committed', async () => {
    await admin.query('CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner TEXT, balance NUMERIC(12,2))');
    const changes = changelog();
    const sink = registry().createSink({ name: 'accounts', columns: accountColumns, primaryKey: ['id'], options: tableOptions('accounts', { 'sink.buffer-flush.max-rows': '7', 'sink.buffer-flush.interval': '0' }) });
    expect(sink.changelogMode).toBe('upsert');

    // attempt 1: checkpoint 1 after 150 changes, then 120 more (some flushed by max-rows), then the crash
    const first: SinkWriter<ChangelogRow> = sink.createSink().createWriter();
    await first.open?.(context(false));
    for (const c of changes.slice(0, 150)) first.write(c, undefined);
    first.snapshotState!(1);
    await first.flushPending!(1);
    expect(await tableRows('accounts')).toEqual(expectedTable(changes.slice(0, 150)));
    for (const c of changes.slice(150, 270)) first.write(c, undefined);
    await first.close!(); // dies: its buffer is lost, part of 150..269 is already in the table

    // attempt 2 restores checkpoint 1: the source replays every change after it
    const second = sink.createSink().createWriter();
    await second.open?.(context(true));
    for (const c of changes.slice(150)) second.write(c, undefined);
    await second.finish!();
    await second.close!();
    expect(await tableRows('accounts')).toEqual(expectedTable(changes));

    // and a whole job through the factory, replaying everything once more, changes nothing
    await executeLocally(defineJob({ name: 'to-postgres', build: (env) => env.fromElements(changes).sinkTo(sink.createSink()) }), { parallelism: 1 }).done;
    expect(await tableRows('accounts')).toEqual(expectedTable(changes));
  });

  test('append sink without a primary key; a failing write is retried, then fails the task with the table named', async () => {
    await admin.query('CREATE TABLE events (id BIGINT, owner TEXT, balance NUMERIC(12,2))');
    const sink = registry().createSink({ name: 'events', columns: accountColumns, options: tableOptions('events') });
    expect(sink.changelogMode).toBe('insert-only');
    const rows = Array.from({ length: 250 }, (_, i): ChangelogRow => ({ kind: '+I', values: [i, 'o', '1.50'] }));
    await executeLocally(defineJob({ name: 'append', build: (env) => env.fromElements(rows).sinkTo(sink.createSink()) }), { parallelism: 2 }).done;
    expect((await admin.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM events')).rows[0]).toEqual({ n: 250, d: 250 });

    const broken = postgresSink({ connection: { host: db.host, port: db.port, database: db.database, user: db.user, password: db.password }, table: 'no_such_table', columns: accountColumns, maxRetries: 1, retryBackoffMs: 10, flushIntervalMs: 0 }).createWriter();
    await broken.open?.(context(false));
    broken.write({ kind: '+I', values: [1, 'o', '1.00'] }, undefined);
    await expect(broken.finish!()).rejects.toThrow(/MR_ERR_JDBC_WRITE: .*'no_such_table' failed after 2 attempts: relation "no_such_table" does not exist/);
    await broken.close!();
  });

  test('lookup: rows by key through a cache that expires by TTL (manual clock); NULL keys match nothing', async () => {
    await admin.query("CREATE TABLE customers (id BIGINT PRIMARY KEY, owner TEXT, balance NUMERIC(12,2)); INSERT INTO customers VALUES (1, 'ann', 10), (2, 'bob', 20.5)");
    const viaFactory = registry().createLookup({ name: 'customers', columns: accountColumns, options: tableOptions('customers') }).createLookup(['id']);
    expect(await viaFactory([2])).toEqual([[2, 'bob', '20.50']]);
    expect(await viaFactory([3])).toEqual([]);

    let now = 0;
    const lookup = postgresLookup({ connection: { host: db.host, port: db.port, database: db.database, user: db.user, password: db.password }, table: 'customers', columns: accountColumns, cache: { maxRows: 10, ttlMs: 60_000, cacheMissingKey: true }, now: () => now }, ['id']);
    expect(await lookup([1])).toEqual([[1, 'ann', '10.00']]);
    expect(await lookup([3])).toEqual([]);
    await admin.query("UPDATE customers SET owner = 'anne' WHERE id = 1; INSERT INTO customers VALUES (3, 'cy', 0)");
    now = 59_999; // still cached: the old row, and the cached miss
    expect(await lookup([1])).toEqual([[1, 'ann', '10.00']]);
    expect(await lookup([3])).toEqual([]);
    now = 60_000;
    expect(await lookup([1])).toEqual([[1, 'anne', '10.00']]);
    expect(await lookup([3])).toEqual([[3, 'cy', '0.00']]);
    expect(await lookup([null])).toEqual([]);
  });

  test('scan: splits over subtasks read each row in the bounds once; a restored reader continues exactly', async () => {
    await admin.query("CREATE TABLE ledger (id BIGINT PRIMARY KEY, owner TEXT, balance NUMERIC(12,2)); INSERT INTO ledger SELECT g, 'o' || (g % 5), g / 100.0 FROM generate_series(-5, 1005) g");
    const source = registry().createSource({
      name: 'ledger', columns: accountColumns, primaryKey: ['id'],
      options: tableOptions('ledger', { 'scan.partition.column': 'id', 'scan.partition.num': '5', 'scan.partition.lower-bound': '1', 'scan.partition.upper-bound': '1000', 'scan.fetch-size': '64' }),
    });
    expect(source.bounded).toBe(true);
    const got: ChangelogRow[] = [];
    await executeLocally(defineJob({ name: 'scan', build: (env) => env.fromSource(source.createSource()).sinkTo(collectSink(got)) }), { parallelism: 2 }).done;
    // Flink's bounds split and filter: rows outside [1, 1000] are not read
    expect(got.map((r) => r.values[0] as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(got.find((r) => r.values[0] === 250)).toEqual({ kind: '+I', values: [250, 'o0', '2.50'] });

    // one subtask: stop after 300 rows, restore its position into a new reader, read the rest
    const scanOptions = { connection: { host: db.host, port: db.port, database: db.database, user: db.user, password: db.password }, table: 'ledger', columns: accountColumns, primaryKey: ['id'], partition: { column: 'id', splits: [{ index: 0, from: '1', to: '500' }, { index: 1, from: '501', to: '1000' }] }, fetchSize: 50 };
    const readerContext = { subtaskIndex: 0, parallelism: 1, attempt: 0, startTime: 0, now: () => 0 };
    const ids: number[] = [];
    const out = { collect: (row: ChangelogRow) => ids.push(row.values[0] as number) };
    const drain = async (reader: SourceReader<ChangelogRow>, limit: number) => {
      let status: PollStatus = 'more';
      while (ids.length < limit && status !== 'end') {
        status = reader.pollNext(out, Math.min(100, limit - ids.length));
        if (status === 'wait') await reader.available!();
      }
    };
    const first = postgresScan(scanOptions).createReader();
    first.open!(readerContext);
    await drain(first, 300);
    const state = first.snapshotState!(1);
    await first.close!();
    const second = postgresScan(scanOptions).createReader();
    second.open!(readerContext); // the runtime's order: open, then the restored position
    second.restoreStates!([state]);
    await drain(second, Number.MAX_SAFE_INTEGER);
    await second.close!();
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  test('options are checked with the option named', () => {
    const r = registry();
    const t = (extra: Record<string, string>): TableDescriptor => ({ name: 't', columns: accountColumns, options: tableOptions('t', extra) });
    expect(() => r.createSource(t({ 'scan.partition.column': 'id' }))).toThrow("the scan partition options go together");
    expect(() => r.createSource(t({ 'scan.partition.column': 'owner', 'scan.partition.num': '2', 'scan.partition.lower-bound': '0', 'scan.partition.upper-bound': '9' }))).toThrow("the column is VARCHAR; partition by an integer column");
    expect(() => r.createLookup(t({ 'lookup.cache.max-rows': '10' }))).toThrow("needs both 'lookup.cache.max-rows' and 'lookup.cache.ttl'");
    expect(() => r.createSink(t({ url: 'jdbc:mysql://h/db' }))).toThrow('only PostgreSQL is supported');
    expect(() => r.createSink(t({ 'sink.buffer-flush.max-rows': 'many' }))).toThrow('sink.buffer-flush.max-rows');
  });
});
