// The lookup join's operator with probes that answer later (a database does): results and
// watermarks leave in input order, rows in flight are in the checkpoint and probed again after a
// restore, end of input waits for every probe. And a SQL lookup join against a real PostgreSQL
// table through the JDBC connector (the project's server, started by the test services).
import pg from 'pg';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';
import { AsyncLookupOperator, type Probe } from '../../../runtime/sql/physical/join/async-lookup-operator.ts';
import { OperatorHarness } from '../../../runtime/testing/operator-harness.ts';
import type { OperatorSnapshot } from '../../../runtime/state/state-file-format.ts';
import type { ConnectionSettings } from '../../services/postgres/plan.ts';
import { createDatabase, dropDatabase, jdbcUrl } from '../../services/postgres/environment.ts';
import { jsonTable, sinkChangelog } from './join-test-tables.ts';

const row = (...values: unknown[]): ChangelogRow => ({ kind: '+I', values });

/** Probes that answer when the test says so: row [k] → [k, `v${k}`]; odd keys answer at once. */
function laterProbes(): { probe: Probe; answer(k: number): void; asked: number[] } {
  const waiting = new Map<number, () => void>();
  const asked: number[] = [];
  const probe: Probe = (r) => {
    const k = r.values[0] as number;
    asked.push(k);
    const out = [{ kind: r.kind, values: [k, `v${k}`] }];
    if (k % 2 === 1) return out;
    return new Promise((resolve) => waiting.set(k, () => resolve(out)));
  };
  return { probe, asked, answer: (k) => waiting.get(k)!() };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('lookup join operator with asynchronous probes', () => {
  test('results and watermarks leave in input order once the earlier probes answer', async () => {
    const p = laterProbes();
    const h = await new OperatorHarness(new AsyncLookupOperator(p.probe)).open();
    h.processElement(row(1), 10); // answers at once, nothing ahead of it: out now
    h.processElement(row(2), 11); // waits
    h.processElement(row(3), 12); // answered, but behind 2
    h.processWatermark(12);
    h.processElement(row(4), 13);
    expect(h.values()).toEqual([row(1, 'v1')]);
    expect(h.watermarks).toEqual([]);
    p.answer(4);
    await flush();
    h.setProcessingTime(0); // the mailbox turn that hands the answers over
    expect(h.values()).toEqual([row(1, 'v1')]);
    p.answer(2);
    await flush();
    h.setProcessingTime(0);
    expect(h.values()).toEqual([row(1, 'v1'), row(2, 'v2'), row(3, 'v3'), row(4, 'v4')]);
    expect(h.watermarks).toEqual([12]);
  });

  test('rows in flight at a checkpoint are probed again after a restore; end of input waits for them', async () => {
    const p = laterProbes();
    const h = await new OperatorHarness(new AsyncLookupOperator(p.probe)).open();
    h.processElement(row(2), 1);
    h.processElement(row(3), 2);
    const snapshot: OperatorSnapshot = h.snapshot();
    const again = laterProbes();
    const restored = await new OperatorHarness(new AsyncLookupOperator(again.probe)).open([snapshot]);
    expect(again.asked).toEqual([2, 3]);
    const done = restored.close();
    again.answer(2);
    await done;
    expect(restored.values()).toEqual([row(2, 'v2'), row(3, 'v3')]);
  });
});

describe('SQL lookup join against PostgreSQL (jdbc connector)', () => {
  let db: ConnectionSettings;
  beforeAll(async () => {
    db = await createDatabase('lookup_join');
    const c = new pg.Client(db);
    await c.connect();
    await c.query('CREATE TABLE customers (id INT PRIMARY KEY, name TEXT, tier INT)');
    await c.query("INSERT INTO customers VALUES (1, 'ann', 1), (2, 'bo', 2), (3, 'cy', 1)");
    await c.end();
  }, 60_000);
  afterAll(async () => {
    if (db) await dropDatabase(db);
  });

  test('each order joins its customer row (LEFT: NULLs when there is none), in input order', async () => {
    const orders = [{ id: 10, cid: 2 }, { id: 11, cid: 9 }, { id: 12, cid: 1 }, { id: 13, cid: null }, { id: 14, cid: 3 }, { id: 15, cid: 2 }];
    const sql = `${jsonTable('orders', 'id INT, cid INT', orders, ', pt AS PROCTIME()')};
      CREATE TABLE customers (id INT, name STRING, tier INT, PRIMARY KEY (id) NOT ENFORCED) WITH (
        'connector' = 'jdbc', 'url' = '${jdbcUrl(db)}', 'table-name' = 'customers', 'username' = '${db.user}', 'password' = '${db.password}');
      CREATE TABLE out (id INT, name STRING) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT o.id, c.name FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.pt AS c ON o.cid = c.id AND c.tier = 1`;
    const changelog = await sinkChangelog(sql, 'out');
    // only tier-1 customers join (ann, cy); bo is tier 2, 9 does not exist, NULL matches nothing
    expect(changelog.map((r) => `${r.kind}${JSON.stringify(r.values)}`)).toEqual(['+I[10,null]', '+I[11,null]', '+I[12,"ann"]', '+I[13,null]', '+I[14,"cy"]', '+I[15,null]']);
  }, 60_000);

  test('a lookup join without an equality on the table\'s columns is refused as Flink refuses it', async () => {
    const sql = `${jsonTable('orders2', 'id INT, cid INT', [{ id: 1, cid: 1 }], ', pt AS PROCTIME()')};
      CREATE TABLE customers (id INT, name STRING, tier INT) WITH (
        'connector' = 'jdbc', 'url' = '${jdbcUrl(db)}', 'table-name' = 'customers', 'username' = '${db.user}', 'password' = '${db.password}');
      CREATE TABLE out (id INT, name STRING) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT o.id, c.name FROM orders2 AS o JOIN customers FOR SYSTEM_TIME AS OF o.pt AS c ON o.cid > c.id`;
    await expect(sinkChangelog(sql, 'out')).rejects.toMatchObject({ code: 'MR_ERR_SQL_PLAN', message: expect.stringContaining('Temporal table join requires an equality condition on fields of table') as unknown });
  }, 60_000);
});
