// Issue 12, point 5: connector metrics on a TaskManager's /metrics, scraped over HTTP as
// Prometheus does, while real jobs run on a local cluster of real processes (`millrace jobmanager`
// + one `millrace taskmanager`, test/recovery's harness) against the project's Kafka broker and
// PostgreSQL server:
//   - Kafka → map → Kafka exactly-once: the counters equal what the test produced and what a
//     read_committed consumer finds in the output (records and bytes), the consumer lag of each
//     input partition reaches 0 once everything is read, no transaction stays pending;
//   - postgres-cdc → jdbc upsert: records in/out equal the rows snapshotted and the changes made,
//     the sink's bytes equal the rows' text, the CDC lags are reported and settle.

import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { JobApi, waitFor } from '../../recovery/support/job-api.ts';
import { checkpointArgs } from '../../recovery/support/jobmanager-args.ts';
import { RecoveryCluster } from '../../recovery/support/recovery-cluster.ts';
import { testLog } from '../../recovery/support/test-log.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { createDatabase, dropDatabase } from '../../services/postgres/environment.ts';
import type { ConnectionSettings } from '../../services/postgres/plan.ts';
import { createTopic, produce, readCommitted, uniqueTopic, type TestRecord } from '../kafka/kafka-admin.ts';

jest.setTimeout(180_000);
const KAFKA_JOB = fileURLToPath(new URL('./fixtures/kafka-metrics-job.ts', import.meta.url));
const CDC_JOB = fileURLToPath(new URL('../postgres/fixtures/cdc-to-jdbc.ts', import.meta.url));
const SLOT = 'connector_metrics_slot';

interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of one metric in Prometheus' text exposition format. */
function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

const bytesOf = (records: ReadonlyArray<{ key?: string | undefined; value: string }>) => records.reduce((n, r) => n + Buffer.byteLength(r.key ?? '') + Buffer.byteLength(r.value), 0);

describe('connector metrics on the TaskManager /metrics', () => {
  const log = testLog('connector-metrics');
  let dir: string;
  let cluster: RecoveryCluster | undefined;
  let api: JobApi;
  let scrape: () => Promise<string>;
  let db: ConnectionSettings | undefined;
  let admin: pg.Client | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'connector-metrics-'));
    cluster = await new RecoveryCluster({
      taskManagers: 1, slotsPerTaskManager: 2, logDir: path.join(dir, 'logs'), log,
      jobManagerArgs: checkpointArgs({ storage: path.join(dir, 'checkpoints'), namespace: 'metrics', deployment: 'connectors', intervalMs: 500 }),
    }).start();
    api = new JobApi(cluster.restUrl);
    const { taskmanagers } = await api.call<{ taskmanagers: Array<{ restUrl: string }> }>('GET', '/taskmanagers');
    const metricsUrl = `${taskmanagers[0]!.restUrl}/metrics`;
    scrape = async () => {
      const res = await fetch(metricsUrl, { headers: { accept: 'text/plain' }, signal: AbortSignal.timeout(5000) });
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return res.text();
    };
  });
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
    rmSync(dir, { recursive: true, force: true });
  });
  const diagnose = async (error: Error): Promise<never> => {
    throw new Error(`${error.message}\nlast scrape:\n${(await scrape()).split('\n').filter((l) => l.startsWith('millrace_connector')).join('\n')}\nTaskManager log:\n${cluster!.logTail('taskmanager-0', 20)}`);
  };

  test('records and bytes in/out match the data, partition lag reaches 0, no transaction left pending', async () => {
    const { bootstrap } = await useKafka();
    const input = uniqueTopic('metrics-in');
    const output = uniqueTopic('metrics-out');
    await createTopic(bootstrap, input, 2);
    await createTopic(bootstrap, output, 1);
    const records = (from: number, to: number): TestRecord[] => Array.from({ length: to - from }, (_, j) => ({ key: `k${from + j}`, value: JSON.stringify({ id: from + j }), partition: (from + j) % 3 === 0 ? 1 : 0 }));
    const first = records(0, 300);
    await produce(bootstrap, input, first);
    const id = await api.submit({ jobUrl: KAFKA_JOB, parallelism: 1, params: { bootstrap, in: input, out: output, prefix: output } });

    /** Scrapes until the job has read, written and committed `n` records and caught up on both partitions. */
    const settled = (n: number) => waitFor(`${n} records through the job, lag 0`, async () => {
      const text = await scrape();
      const inTotal = samples(text, 'millrace_connector_records_in_total').filter((s) => s.labels.job_id === id);
      const outTotal = samples(text, 'millrace_connector_records_out_total').filter((s) => s.labels.job_id === id);
      const lag = samples(text, 'millrace_connector_kafka_records_lag').filter((s) => s.labels.job_id === id);
      const pending = samples(text, 'millrace_connector_kafka_pending_transactions').filter((s) => s.labels.job_id === id);
      const done = inTotal[0]?.value === n && outTotal[0]?.value === n && lag.length === 2 && lag.every((s) => s.value === 0) && pending.length === 1 && pending[0]!.value === 0;
      return done ? text : undefined;
    }, 60_000, 250).catch(diagnose);

    let text = await settled(first.length);
    const labelsOf = (name: string) => samples(text, name).filter((s) => s.labels.job_id === id).map((s) => s.labels);
    expect(labelsOf('millrace_connector_records_in_total')).toEqual([expect.objectContaining({ operator: 'Source: orders', connector: 'kafka', subtask: '0' })]);
    expect(labelsOf('millrace_connector_records_out_total')).toEqual([expect.objectContaining({ operator: 'Sink: enriched', connector: 'kafka', subtask: '0' })]);
    expect(labelsOf('millrace_connector_kafka_records_lag').map((l) => [l.topic, l.partition]).sort()).toEqual([[input, '0'], [input, '1']]);
    expect(samples(text, 'millrace_connector_bytes_in_total').find((s) => s.labels.job_id === id)?.value).toBe(bytesOf(first));

    // the output a downstream read_committed consumer sees: every record once, and the bytes the sink counted
    let written = await readCommitted(bootstrap, output, { count: first.length, timeoutMs: 30_000, idleMs: 500 });
    expect(written).toHaveLength(first.length);
    expect(samples(text, 'millrace_connector_bytes_out_total').find((s) => s.labels.job_id === id)?.value).toBe(bytesOf(written));

    // more input while the job runs: the counters follow, the lag returns to 0
    const second = records(300, 420);
    await produce(bootstrap, input, second);
    text = await settled(first.length + second.length);
    expect(samples(text, 'millrace_connector_bytes_in_total').find((s) => s.labels.job_id === id)?.value).toBe(bytesOf([...first, ...second]));
    written = await readCommitted(bootstrap, output, { count: first.length + second.length, timeoutMs: 30_000, idleMs: 500 });
    expect(written).toHaveLength(first.length + second.length);
    expect(samples(text, 'millrace_connector_bytes_out_total').find((s) => s.labels.job_id === id)?.value).toBe(bytesOf(written));

    await api.cancel(id);
    await api.waitForJob(id, 'canceled', (s) => s.state === 'CANCELED');
  });

  test('postgres-cdc → jdbc: records in/out are the snapshot and the changes, sink bytes the rows\' text, CDC lags settle', async () => {
    db = await createDatabase('connector_metrics');
    admin = new pg.Client(db);
    await admin.connect();
    await admin.query(`CREATE TABLE src (id BIGINT PRIMARY KEY, n INT, note TEXT);
      CREATE TABLE dst (id BIGINT PRIMARY KEY, n INT, note TEXT);
      INSERT INTO src SELECT g, 0, 'row ' || g FROM generate_series(1, 200) g`);
    mkdirSync(path.join(dir, 'secrets', 'pg'), { recursive: true });
    writeFileSync(path.join(dir, 'secrets', 'pg', 'password'), db.password);
    const id = await api.submit({ jobUrl: CDC_JOB, parallelism: 1, params: { host: db.host, port: String(db.port), user: db.user, database: db.database, slot: SLOT, secrets: path.join(dir, 'secrets') } });
    /** the text the sink sends for rows of src (its parameters: id, n, note as text) */
    const textBytes = async (where: string) => Number((await admin!.query(`SELECT coalesce(sum(octet_length(id::text) + octet_length(n::text) + octet_length(note)), 0) AS b FROM src WHERE ${where}`)).rows[0].b);
    const mine = (text: string, name: string) => samples(text, name).filter((s) => s.labels.job_id === id);
    const settled = (n: number, bytesOut: number) => waitFor(`${n} changes through the job`, async () => {
      const text = await scrape();
      const done = mine(text, 'millrace_connector_records_in_total')[0]?.value === n && mine(text, 'millrace_connector_records_out_total')[0]?.value === n
        && mine(text, 'millrace_connector_bytes_out_total')[0]?.value === bytesOut;
      return done ? text : undefined;
    }, 60_000, 250).catch(diagnose);

    const snapshotBytes = await textBytes('true');
    let text = await settled(200, snapshotBytes);
    expect(mine(text, 'millrace_connector_records_in_total').map((s) => s.labels.connector)).toEqual(['postgres-cdc']);
    expect(mine(text, 'millrace_connector_records_out_total').map((s) => s.labels.connector)).toEqual(['jdbc']);
    // the snapshot's rows as read: their text values
    expect(mine(text, 'millrace_connector_bytes_in_total')[0]?.value).toBe(snapshotBytes);

    // 50 updates in one transaction, streamed from the slot (+U only: REPLICA IDENTITY DEFAULT)
    await admin.query(`UPDATE src SET n = 1, note = 'changed ' || id WHERE id <= 50`);
    text = await settled(250, snapshotBytes + (await textBytes('id <= 50')));
    expect(mine(text, 'millrace_connector_bytes_in_total')[0]!.value).toBeGreaterThan(snapshotBytes);
    const emitLag = mine(text, 'millrace_connector_cdc_emit_lag_seconds');
    expect(emitLag).toHaveLength(1);
    expect(emitLag[0]!.value).toBeGreaterThanOrEqual(0);
    expect(emitLag[0]!.value).toBeLessThan(30);
    // with everything emitted and nothing changing, the source catches up with the server's end of WAL
    await waitFor('CDC replication lag 0', async () => {
      const lag = mine(await scrape(), 'millrace_connector_cdc_replication_lag_bytes');
      return lag.length === 1 && lag[0]!.value === 0 ? true : undefined;
    }, 30_000, 250).catch(diagnose);
    await api.cancel(id);
    await api.waitForJob(id, 'canceled', (s) => s.state === 'CANCELED');
  });
});
