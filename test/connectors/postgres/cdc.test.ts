// `'connector' = 'postgres-cdc'` against the real server: snapshot, then changes from a logical
// replication slot; a checkpoint's LSN is confirmed to the slot only when the checkpoint
// completes, and a reader restored from it continues exactly (mid-transaction included).
import { jest } from '@jest/globals';
import pg from 'pg';
import type { SourceReader } from '../../../runtime/api/source.ts';
import { SecretResolver, createConnectorRegistry, type ChangelogRow } from '../../../runtime/connectors/factory/index.ts';
import { T, type RowField } from '../../../runtime/sql/types/data-type.ts';
import type { ConnectionSettings } from '../../services/postgres/plan.ts';
import { createDatabase, dropDatabase } from '../../services/postgres/environment.ts';

jest.setTimeout(60_000);

let db: ConnectionSettings;
let admin: pg.Client;

beforeAll(async () => {
  db = await createDatabase('cdc_test');
  admin = new pg.Client(db);
  await admin.connect();
});

afterAll(async () => {
  // the walsender of a closed reader ends shortly after its connection; the slot can be dropped then
  for (let i = 0; i < 100; i++) {
    const left = await admin?.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'cdc_test_slot'");
    if (!left || left.rowCount === 0) break;
    if (!(left.rows[0] as { active: boolean }).active) await admin.query("SELECT pg_drop_replication_slot('cdc_test_slot')");
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await admin?.end();
  if (db) await dropDatabase(db);
});

const columns: RowField[] = [{ name: 'id', type: T.bigint(false) }, { name: 'name', type: T.string() }, { name: 'qty', type: T.int() }];
const context = { subtaskIndex: 0, parallelism: 1, attempt: 0, startTime: 0, now: () => 0 };
const show = (r: ChangelogRow) => `${r.kind}${r.values.join(',')}`;

/** Polls until `count` rows came (one row per poll when `oneByOne`), failing after 20 s. */
async function take(reader: SourceReader<ChangelogRow>, count: number, oneByOne = false): Promise<string[]> {
  const got: string[] = [];
  const deadline = Date.now() + 20_000;
  while (got.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${got.length} of ${count} rows came: ${got.join(' ')}`);
    const status = reader.pollNext({ collect: (row) => got.push(show(row)) }, oneByOne ? 1 : count - got.length);
    if (status === 'wait') await Promise.race([reader.available!(), new Promise((resolve) => setTimeout(resolve, 200))]);
  }
  return got;
}

async function confirmedFlush(): Promise<string | null> {
  return ((await admin.query("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = 'cdc_test_slot'")).rows[0] as { lsn: string | null } | undefined)?.lsn ?? null;
}

test('snapshot then +I/-U/+U/-D; the LSN is confirmed on checkpoint completion; a restored reader continues exactly', async () => {
  await admin.query("CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT, qty INT); ALTER TABLE items REPLICA IDENTITY FULL; INSERT INTO items VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)");
  const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
  const source = registry.createSource({
    name: 'items', columns, primaryKey: ['id'],
    options: { connector: 'postgres-cdc', hostname: db.host, port: String(db.port), username: db.user, password: db.password, 'database-name': db.database, 'table-name': 'items', 'slot.name': 'cdc_test_slot' },
  });
  expect(source.bounded).toBe(false);
  expect(source.changelogMode).toBe('all');

  const first = source.createSource().createReader();
  first.open!(context);
  expect((await take(first, 3)).sort()).toEqual(['+I1,a,10', '+I2,b,20', '+I3,c,30']);
  const afterSnapshot = await confirmedFlush();

  await admin.query("BEGIN; INSERT INTO items VALUES (4, 'd', 40); UPDATE items SET qty = 11 WHERE id = 1; DELETE FROM items WHERE id = 2; COMMIT");
  await admin.query('UPDATE items SET qty = 31 WHERE id = 3');
  expect(await take(first, 5)).toEqual(['+I4,d,40', '-U1,a,10', '+U1,a,11', '-D2,b,20', '-U3,c,30']);
  // the checkpoint falls between -U and +U of the second transaction
  const state = first.snapshotState!(1);
  expect(state).toMatchObject({ phase: 'stream', skip: 1 });
  expect(await confirmedFlush()).toBe(afterSnapshot); // not confirmed before completion
  first.notifyCheckpointComplete!(1);
  const confirmedLsn = (state as { lsn: string }).lsn;
  for (let i = 0; i < 50 && (await confirmedFlush()) !== confirmedLsn; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await confirmedFlush()).toBe(confirmedLsn);
  await first.close!(); // the crash: +U3 was never emitted downstream of the checkpoint

  await admin.query("INSERT INTO items VALUES (5, 'e', 50)");
  const second = source.createSource().createReader();
  second.open!(context); // the runtime's order: open, then the restored position
  second.restoreStates!([state]);
  expect(await take(second, 2, true)).toEqual(['+U3,c,31', '+I5,e,50']);
  await second.close!();
});
