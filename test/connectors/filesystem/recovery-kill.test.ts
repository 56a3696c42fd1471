// Issue 12, files on object storage: a datagen → filesystem (parquet on MinIO, partitioned) job
// on a local cluster of real processes (`millrace jobmanager` + 2 `millrace taskmanager`,
// test/recovery's harness; checkpoints on the same MinIO) survives two TaskManager SIGKILLs.
// When it has finished, the visible files hold every id exactly once, in its partition, and no
// hidden (pending or in-progress) object is left.
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

  test('two TaskManager SIGKILLs mid-stream: the finished files hold every id exactly once, nothing hidden left', async () => {
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
  });
});
