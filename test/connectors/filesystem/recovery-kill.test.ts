// Issue 12, files on object storage: a datagen → filesystem (parquet on MinIO, partitioned) job
// on a local cluster of real processes (`millrace jobmanager` + 2 `millrace taskmanager`,
// test/recovery's harness; checkpoints on the same MinIO) survives two TaskManager SIGKILLs.
// When it has finished, the visible files hold every id exactly once, in its partition, and no
// hidden (pending or in-progress) object is left. Then, on the same cluster, a continuous
// filesystem source (`source.monitor-interval`) watches those files and copies them as JSON lines
// while the test adds files in new partition directories and kills a TaskManager: the copy holds
// every id once, and the TaskManagers' /metrics show the filesystem connector's records and bytes.
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { createConnectorRegistry, type ChangelogRow } from '../../../runtime/connectors/factory/index.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { T } from '../../../runtime/sql/types/data-type.ts';
import { useS3 } from '../../cluster/s3/environment.ts';
import { JobApi } from '../../recovery/support/job-api.ts';
import { checkpointArgs } from '../../recovery/support/jobmanager-args.ts';
import { RecoveryCluster } from '../../recovery/support/recovery-cluster.ts';
import { testLog } from '../../recovery/support/test-log.ts';
import { listKeys, s3Env } from './s3-env.ts';

jest.setTimeout(300_000);
const JOB = fileURLToPath(new URL('./fixtures/datagen-to-files.ts', import.meta.url));
const COPY_JOB = fileURLToPath(new URL('./fixtures/files-copy.ts', import.meta.url));
const COLUMNS = [{ name: 'id', type: T.bigint() }, { name: 'note', type: T.string() }, { name: 'bucket', type: T.string() }];
const ROWS = 16_000;
const RATE = 800; // ~20 s of input, so both kills hit a running job

describe('filesystem sink on S3 under TaskManager kills', () => {
  const log = testLog('files-exactly-once');
  let dir: string;
  let cluster: RecoveryCluster | undefined;
  const saved: Record<string, string | undefined> = {};
  afterAll(async () => {
    await cluster?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dir && !process.env.MILLRACE_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
  });

  test('two TaskManager SIGKILLs mid-stream: the finished files hold every id exactly once, nothing hidden left; a continuous source copies them, with files added and a kill, each id once', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'files-exactly-once-'));
    const s3 = await useS3();
    const env = s3Env(s3);
    const prefix = `fs-kill-${Date.now().toString(36)}/`;
    cluster = await new RecoveryCluster({
      taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), restartDelayMs: 500, log, env,
      jobManagerArgs: checkpointArgs({ storage: `s3://${s3.bucket}/${prefix}checkpoints`, namespace: 'files', deployment: 'exactly-once', intervalMs: 1000, retained: 3, tolerableFailed: 20 }),
    }).start();
    const api = new JobApi(cluster.restUrl);
    const out = `s3://${s3.bucket}/${prefix}out/`;
    const id = await api.submit({ jobUrl: JOB, parallelism: 2, restartStrategy: 'fixed-delay:attempts=20,delayMs=200', params: { path: out, rows: String(ROWS), rate: String(RATE) } });
    for (const tm of [0, 1]) {
      await api.waitForCheckpoints(id, `a checkpoint before kill ${tm + 1}`, (c) => (c.latest.completed?.id ?? 0) > tm * 3 + 1, 60_000);
      log(`killing taskmanager-${tm} (pid ${cluster.killTaskManager(tm)})`);
      await api.waitForJob(id, 'running again', (s) => s.state === 'RUNNING' && s.restarts > tm, 120_000);
    }
    const status = await api.waitForJob(id, 'finished', (s) => s.state === 'FINISHED' || s.state === 'FAILED', 180_000);
    expect(status.state).toBe('FINISHED');
    expect(status.restarts).toBeGreaterThanOrEqual(2);

    const keys = await listKeys(s3, `${prefix}out/`);
    expect(keys.filter((k) => k.split('/').some((s) => s.startsWith('.')))).toEqual([]);
    expect(keys.every((k) => /^bucket=b[0-3]\/part-[A-Za-z0-9]+-[01]-(c\d+|end)-\d+\.parquet$/.test(k))).toBe(true);

    // read back through the connector's own source, in this process, from MinIO
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const registry = createConnectorRegistry();
    const rows: ChangelogRow[] = [];
    const source = registry.createSource({
      name: 'files', partitionKeys: ['bucket'], columns: [{ name: 'id', type: T.bigint() }, { name: 'note', type: T.string() }, { name: 'bucket', type: T.string() }],
      options: { connector: 'filesystem', path: out, format: 'parquet' },
    }).createSource();
    await executeLocally(defineJob({ name: 'read', build: (e) => e.fromSource(source).sinkTo(collectSink(rows)) }), { parallelism: 2 }).done;
    const ids = rows.map((r) => Number(r.values[0])).sort((a, b) => a - b);
    const dup = ids.filter((v, i) => i > 0 && ids[i - 1] === v);
    log(`${keys.length} files, ${ids.length} rows, ${dup.length} duplicated, restarts ${status.restarts}`);
    expect(dup).toEqual([]);
    expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(rows.every((r) => r.values[2] === `b${Number(r.values[0]) % 4}`)).toBe(true);

    // continuous: a job watching out/ copies every row into copy/ (JSON lines)
    const copy = `s3://${s3.bucket}/${prefix}copy/`;
    const copyId = await api.submit({ jobUrl: COPY_JOB, parallelism: 2, restartStrategy: 'fixed-delay:attempts=20,delayMs=200', params: { input: out, output: copy, interval: '300' } });
    const copied = async (): Promise<number[]> => {
      const back: ChangelogRow[] = [];
      const read = registry.createSource({ name: 'copy', columns: COLUMNS, options: { connector: 'filesystem', path: copy, format: 'json' } }).createSource();
      await executeLocally(defineJob({ name: 'read-copy', build: (e) => e.fromSource(read).sinkTo(collectSink(back)) }), { parallelism: 1 }).done;
      return back.map((r) => Number(r.values[0])).sort((a, b) => a - b);
    };
    /** New files in a new partition directory of out/, written by the connector's sink in this process (they appear whole). */
    const addFiles = async (bucket: string, from: number, n: number): Promise<void> => {
      const sink = registry.createSink({ name: 'more', partitionKeys: ['bucket'], columns: COLUMNS, options: { connector: 'filesystem', path: out, format: 'parquet' } }).createSink();
      const more = Array.from({ length: n }, (_, i) => ({ kind: '+I' as const, values: [from + i, `late ${from + i}`, bucket] }));
      await executeLocally(defineJob({ name: `add-${bucket}`, build: (e) => e.fromElements(more).sinkTo(sink) }), { parallelism: 1 }).done;
    };
    const waitFor = async (what: string, pred: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!(await pred())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${cluster!.logTail('jobmanager', 20)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    await api.waitForCheckpoints(copyId, 'a checkpoint of the copy job', (c) => (c.latest.completed?.id ?? 0) >= 2, 60_000);
    await addFiles('late-a', ROWS + 1, 300);
    log(`killing taskmanager-0 under the copy job (pid ${cluster.killTaskManager(0)})`);
    const restartsAtB = (await api.waitForJob(copyId, 'the copy job running again', (s) => s.state === 'RUNNING' && s.restarts > 0, 120_000)).restarts;
    await addFiles('late-b', ROWS + 301, 300);
    const want = Array.from({ length: ROWS + 600 }, (_, i) => i + 1);
    await waitFor('the copy to hold every row', async () => (await copied()).length >= want.length);
    // two more checkpoints: a duplicate read late would show now
    const at = (await api.checkpoints(copyId)).latest.completed?.id ?? 0;
    await api.waitForCheckpoints(copyId, 'two more checkpoints of the copy job', (c) => (c.latest.completed?.id ?? 0) >= at + 2, 60_000);
    expect(await copied()).toEqual(want);

    // the filesystem connector's metrics of the running attempt: it read (at least) late-b after the restart, and wrote it
    const { taskmanagers } = await api.call<{ taskmanagers: Array<{ restUrl: string }> }>('GET', '/taskmanagers');
    let text = '';
    for (const tm of taskmanagers) {
      try {
        text += await (await fetch(`${tm.restUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      } catch (err) {
        log(`no /metrics from ${tm.restUrl} (the killed TaskManager?): ${(err as Error).message}`);
      }
    }
    const sum = (metric: string): number => text.split('\n')
      .filter((l) => l.startsWith(`${metric}{`) && l.includes('connector="filesystem"') && l.includes(`job_id="${copyId}"`))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const restarts = (await api.job(copyId)).restarts;
    log(`copy job: restarts ${restarts}; filesystem records in ${sum('millrace_connector_records_in_total')}, out ${sum('millrace_connector_records_out_total')}`);
    for (const metric of ['records_in', 'bytes_in', 'records_out', 'bytes_out']) expect(text).toMatch(new RegExp(`^millrace_connector_${metric}_total\\{[^}]*job_id="${copyId}"[^}]*\\} `, 'm'));
    // counters start at 0 with every attempt: exact only when no other restart came after late-b was added
    if (restarts === restartsAtB) {
      expect(sum('millrace_connector_records_in_total')).toBeGreaterThanOrEqual(300);
      expect(sum('millrace_connector_bytes_in_total')).toBeGreaterThan(0);
      expect(sum('millrace_connector_records_out_total')).toBeGreaterThanOrEqual(300);
      expect(sum('millrace_connector_bytes_out_total')).toBeGreaterThan(sum('millrace_connector_records_out_total') * 10);
    }
    await api.cancel(copyId);
    await api.waitForJob(copyId, 'canceled', (s) => s.state === 'CANCELED', 60_000);
  });
});
