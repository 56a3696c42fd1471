// Issue 12, PostgreSQL: a postgres-cdc → upsert JDBC sink job on a local cluster of real processes
// (`millrace jobmanager` + 2 `millrace taskmanager`, test/recovery's harness) survives two
// TaskManager SIGKILLs while rows of the source table are inserted, updated and deleted. Once the
// changes stop, the sink's table equals the source table exactly. Checkpoints every second to a
// local directory.
import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { JobApi } from '../../recovery/support/job-api.ts';
import { checkpointArgs } from '../../recovery/support/jobmanager-args.ts';
import { RecoveryCluster } from '../../recovery/support/recovery-cluster.ts';
import { testLog } from '../../recovery/support/test-log.ts';
import type { ConnectionSettings } from '../../services/postgres/plan.ts';
import { createDatabase, dropDatabase } from '../../services/postgres/environment.ts';

jest.setTimeout(300_000);
const JOB = fileURLToPath(new URL('./fixtures/cdc-to-jdbc.ts', import.meta.url));
const SLOT = 'recovery_kill_slot';

describe('PostgreSQL CDC → upsert sink under TaskManager kills', () => {
  const log = testLog('postgres-recovery');
  let dir: string;
  let cluster: RecoveryCluster | undefined;
  let db: ConnectionSettings | undefined;
  let admin: pg.Client | undefined;

  afterAll(async () => {
    await cluster?.stop();
    for (let i = 0; admin && i < 100; i++) {
      const left = await admin.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [SLOT]);
      if (left.rowCount === 0) break;
      if (!(left.rows[0] as { active: boolean }).active) await admin.query('SELECT pg_drop_replication_slot($1)', [SLOT]);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await admin?.end();
    if (db) await dropDatabase(db);
    if (dir && !process.env.MILLRACE_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
  });

  test('two TaskManager SIGKILLs while rows change: the sink table ends equal to the source table', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'postgres-recovery-'));
    db = await createDatabase('recovery_kill');
    admin = new pg.Client(db);
    await admin.connect();
    await admin.query(`CREATE TABLE src (id BIGINT PRIMARY KEY, n INT, note TEXT); ALTER TABLE src REPLICA IDENTITY FULL;
      CREATE TABLE dst (id BIGINT PRIMARY KEY, n INT, note TEXT);
      INSERT INTO src SELECT g, 0, 'row ' || g FROM generate_series(1, 500) g`);
    mkdirSync(path.join(dir, 'secrets', 'pg'), { recursive: true });
    writeFileSync(path.join(dir, 'secrets', 'pg', 'password'), db.password);

    cluster = await new RecoveryCluster({
      taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), restartDelayMs: 500, log,
      jobManagerArgs: checkpointArgs({ storage: path.join(dir, 'checkpoints'), namespace: 'postgres', deployment: 'recovery', intervalMs: 1000, retained: 3, tolerableFailed: 20 }),
    }).start();
    const api = new JobApi(cluster.restUrl);
    const id = await api.submit({
      jobUrl: JOB, parallelism: 2, restartStrategy: 'fixed-delay:attempts=20,delayMs=200',
      params: { host: db.host, port: String(db.port), user: db.user, database: db.database, slot: SLOT, secrets: path.join(dir, 'secrets') },
    });
    await api.waitForCheckpoints(id, 'a first checkpoint', (c) => (c.latest.completed?.id ?? 0) > 0, 60_000);

    // changes in small transactions while the job runs: updates, deletes, re-inserts
    let round = 0;
    let stop = false;
    const change = (async () => {
      while (!stop || round < 40) {
        round++;
        const base = (round * 37) % 500;
        await admin!.query(`BEGIN;
          UPDATE src SET n = n + 1, note = 'round ${round}' WHERE id BETWEEN ${base} AND ${base + 20};
          DELETE FROM src WHERE id % 97 = ${round % 97};
          INSERT INTO src SELECT g, ${round}, 'again ${round}' FROM generate_series(1, 500) g WHERE g % 97 = ${(round + 50) % 97} ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n;
          COMMIT`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();

    for (const tm of [0, 1]) {
      const before = (await api.checkpoints(id)).latest.completed?.id ?? 0;
      await api.waitForCheckpoints(id, `a checkpoint after ${before}`, (c) => (c.latest.completed?.id ?? 0) > before, 60_000);
      log(`killing taskmanager-${tm} (pid ${cluster.killTaskManager(tm)}) after ${round} rounds of changes`);
      await api.waitForJob(id, 'running again', (s) => s.state === 'RUNNING' && s.restarts > tm, 120_000);
    }
    stop = true;
    await change;
    log(`${round} rounds of changes done`);

    const table = async (name: string) => (await admin!.query(`SELECT id, n, note FROM ${name} ORDER BY id`)).rows.map((r: { id: string; n: number; note: string }) => `${r.id}|${r.n}|${r.note}`);
    const want = await table('src');
    let got: string[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      got = await table('dst');
      if (got.join('\n') === want.join('\n')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const status = await api.waitForJob(id, 'still running', (s) => s.state === 'RUNNING', 10_000);
    if (got.join('\n') !== want.join('\n')) {
      const missing = want.filter((r) => !got.includes(r));
      const extra = got.filter((r) => !want.includes(r));
      log(`restarts ${status.restarts}; missing in dst ${missing.length}: ${missing.slice(0, 5).join(' ')}; extra in dst ${extra.length}: ${extra.slice(0, 5).join(' ')}`);
      log(`taskmanager-0:\n${cluster.logTail('taskmanager-0', 30)}\njobmanager:\n${cluster.logTail('jobmanager', 30)}`);
    }
    expect(status.restarts).toBeGreaterThanOrEqual(2);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
    await api.cancel(id);
  });
});
