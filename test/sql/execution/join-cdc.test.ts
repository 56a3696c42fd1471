// Changelog sources into joins: two postgres-cdc tables (the project's real PostgreSQL, logical
// replication) LEFT JOINed in SQL; updates and deletes made in the database after the job started
// reach the join as -U/+U/-D and the sink's rows, changelog applied, end equal to the join of the
// tables' final contents, queried here from the database. Plus ChangelogNormalize for upsert
// sources (+I/+U/-D without -U) at the operator level.
import pg from 'pg';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { createConnectorRegistry } from '../../../runtime/connectors/factory/index.ts';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { KeyedProcessOperator } from '../../../runtime/operators/process-operators.ts';
import { ChangelogNormalizeFunction } from '../../../runtime/sql/physical/changelog-normalize.ts';
import { translatePlans } from '../../../runtime/sql/physical/translate.ts';
import { registryCapabilities } from '../../../runtime/sql/planner/registry-capabilities.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { OperatorHarness } from '../../../runtime/testing/operator-harness.ts';
import type { ConnectionSettings } from '../../services/postgres/plan.ts';
import { createDatabase, dropDatabase } from '../../services/postgres/environment.ts';
import { applied, sortedRows } from './join-test-tables.ts';

const SLOTS = ['cdc_join_orders', 'cdc_join_customers'];
let db: ConnectionSettings;
let admin: pg.Client;

beforeAll(async () => {
  db = await createDatabase('cdc_join');
  admin = new pg.Client(db);
  await admin.connect();
  await admin.query(`CREATE TABLE customers (id INT PRIMARY KEY, name TEXT); ALTER TABLE customers REPLICA IDENTITY FULL;
    CREATE TABLE orders (id INT PRIMARY KEY, cid INT, amount INT); ALTER TABLE orders REPLICA IDENTITY FULL;
    INSERT INTO customers VALUES (1, 'ann'), (2, 'bo'); INSERT INTO orders VALUES (10, 1, 5), (11, 2, 7), (12, 3, 9)`);
}, 60_000);

afterAll(async () => {
  // a slot can be dropped once its walsender has ended (shortly after the reader closed)
  for (const slot of SLOTS) {
    for (let i = 0; i < 100; i++) {
      const left = await admin?.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      if (!left || left.rowCount === 0) break;
      if (!(left.rows[0] as { active: boolean }).active) await admin.query('SELECT pg_drop_replication_slot($1)', [slot]);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await admin?.end();
  if (db) await dropDatabase(db);
}, 60_000);

const cdc = (table: string, slot: string): string =>
  `'connector' = 'postgres-cdc', 'hostname' = '${db.host}', 'port' = '${db.port}', 'username' = '${db.user}', 'password' = '${db.password}', 'database-name' = '${db.database}', 'table-name' = '${table}', 'slot.name' = '${slot}'`;

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a LEFT JOIN of two CDC tables follows inserts, updates and deletes made while it runs', async () => {
  const registry = createConnectorRegistry();
  const session = new SqlSession({ capabilities: registryCapabilities(registry) });
  const results = session.executeScript(`
    CREATE TABLE orders (id INT, cid INT, amount INT, PRIMARY KEY (id) NOT ENFORCED) WITH (${cdc('orders', SLOTS[0]!)});
    CREATE TABLE customers (id INT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (${cdc('customers', SLOTS[1]!)});
    CREATE TABLE out (oid INT, amount INT, name STRING) WITH ('connector' = 'blackhole');
    INSERT INTO out SELECT o.id, o.amount, c.name FROM orders AS o LEFT JOIN customers AS c ON o.cid = c.id`);
  const trees = results.flatMap((r) => (r.kind === 'job' ? r.trees : []));
  const rows: ChangelogRow[] = [];
  const run = executeLocally(defineJob({ name: 'cdc-join', build: (env) => translatePlans(env, trees, { registry, sinkFor: () => collectSink(rows) }) }), { parallelism: 2 });
  const finalJoin = async (): Promise<string[]> => sortedRows((await admin.query('SELECT o.id, o.amount, c.name FROM orders o LEFT JOIN customers c ON o.cid = c.id')).rows.map((r: { id: number; amount: number; name: string | null }) => [r.id, r.amount, r.name]));
  try {
    await until(async () => JSON.stringify(applied(rows)) === JSON.stringify(await finalJoin()), 'the snapshot joined');
    await admin.query("UPDATE customers SET name = 'anne' WHERE id = 1");
    await admin.query('DELETE FROM orders WHERE id = 11');
    await admin.query("INSERT INTO customers VALUES (3, 'cy')");
    await admin.query('UPDATE orders SET cid = 2, amount = 6 WHERE id = 10');
    await admin.query('INSERT INTO orders VALUES (13, 1, 4)');
    const expected = await finalJoin();
    expect(expected).toEqual(sortedRows([[10, 6, 'bo'], [12, 9, 'cy'], [13, 4, 'anne']]));
    await until(() => JSON.stringify(applied(rows)) === JSON.stringify(expected), 'the changes joined');
    expect(rows.some((r) => r.kind === '-D') && rows.some((r) => r.kind === '-U' || r.kind === '+U')).toBe(true);
  } finally {
    run.cancel();
    await run.done.catch(() => {});
  }
}, 90_000);

test('ChangelogNormalize turns an upsert stream into a full changelog and drops no-op upserts', async () => {
  const h = await new OperatorHarness(new KeyedProcessOperator(new ChangelogNormalizeFunction() as never, (r) => (r as ChangelogRow).values[0] as number)).open();
  const up = (kind: ChangelogRow['kind'], ...values: unknown[]): void => void h.processElement({ kind, values });
  up('+I', 1, 'a');
  up('+U', 1, 'b');
  up('+U', 1, 'b');
  up('-D', 1, 'b');
  up('-D', 2, 'x');
  up('+U', 2, 'y');
  expect((h.values() as ChangelogRow[]).map((r) => `${r.kind}${JSON.stringify(r.values)}`)).toEqual(['+I[1,"a"]', '-U[1,"a"]', '+U[1,"b"]', '-D[1,"b"]', '+I[2,"y"]']);
});
