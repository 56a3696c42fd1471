// Savepoints and checkpoints on the real S3 server (MinIO, test/cluster/s3): checkpoints go to
// the bucket; stop-with-savepoint ends the job FINISHED; the savepoint, moved to another prefix,
// restores the job at another parallelism (keyed state redistributed by key groups, source
// positions reassigned) with exactly the uninterrupted output; unmatched operator state is
// refused unless allowNonRestoredState; disposal deletes the savepoint.

import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useS3, type S3Connection } from '../../cluster/s3/environment.ts';
import { openObjectStore } from '../../../runtime/storage/open-object-store.ts';
import type { ObjectStore } from '../../../runtime/storage/object-store.ts';
import { startMiniCluster, type MiniCluster } from '../../../runtime/testing/mini-cluster.ts';
import { committedWindowCounts, expectedWindowCounts, WINDOW_COUNTS } from './support.ts';

jest.setTimeout(240_000);
const EVENTS = 60_000;
const run = `${randomUUID()}/`;
const prefix = `test/runtime-checkpointing/${run}`;
let s3: S3Connection;
let store: ObjectStore;
let mc: MiniCluster | undefined;

beforeAll(async () => {
  s3 = await useS3();
  // what the JobManager and TaskManager processes (and the test's own store) use to reach S3
  const env = { MILLRACE_S3_ENDPOINT: s3.endpoint, MILLRACE_S3_REGION: s3.region, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
  store = openObjectStore(`s3://${s3.bucket}/${prefix}`, { env, s3: { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } });
  mc = await startMiniCluster({ taskManagers: 2, slotsPerTaskManager: 2, heartbeatTimeoutMs: 3000, checkpointIntervalMs: 500, checkpointStorage: `s3://${s3.bucket}/${prefix}`, env });
}, 600_000);

afterAll(async () => {
  await mc?.stop();
  if (!s3) return;
  const parent = openObjectStore(`s3://${s3.bucket}/test/runtime-checkpointing/`, { env: { MILLRACE_S3_ENDPOINT: s3.endpoint, MILLRACE_S3_REGION: s3.region }, s3: { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } });
  await parent.deletePrefix(run);
  parent.close();
  store?.close();
});

/** Copies every object under `from` to `to` (a user moving a savepoint). */
async function copyPrefix(from: string, to: string): Promise<void> {
  for (const o of await store.list(from)) await store.put(`${to}${o.key.slice(from.length)}`, await store.get(o.key));
}

describe('savepoints on S3', () => {
  test('checkpoints to S3; stop-with-savepoint; a moved savepoint restores at another parallelism with exact output; unmatched state is refused; disposal', async () => {
    const client = mc!.client;
    const out = mkdtempSync(path.join(os.tmpdir(), 'sp-s3-'));
    const params = { events: String(EVENTS), rate: '5000', out };
    const id = await mc!.submit(WINDOW_COUNTS, { parallelism: 2, params });
    const running = await client.waitFor(id, (s) => (s.lastCheckpoint?.id ?? 0) >= 1, 60_000, 100);
    expect(running.lastCheckpoint!.path).toBe(`s3://${s3.bucket}/${prefix}flink-jobs/default/window-counts/${id}/chk-${running.lastCheckpoint!.id}/`);
    const checkpoints = await client.checkpoints(id);
    expect(checkpoints.counts.completed).toBeGreaterThanOrEqual(1);
    expect(checkpoints.latest.completed!.state_size).toBeGreaterThan(0);

    const location = await client.waitForSavepoint(id, await client.stop(id));
    expect(location).toMatch(new RegExp(`^s3://${s3.bucket}/${prefix}flink-savepoints/default/window-counts/savepoint-[A-Za-z0-9_-]+/$`));
    expect((await client.waitForTerminal(id, 30_000)).state).toBe('FINISHED');
    // the job stopped part-way: not all output is there yet
    expect(committedWindowCounts(out).length).toBeLessThan(expectedWindowCounts(EVENTS).length);

    const spDir = location.slice(`s3://${s3.bucket}/${prefix}`.length);
    await copyPrefix(spDir, 'moved/sp/');
    const moved = `s3://${s3.bucket}/${prefix}moved/sp/`;

    // state of uid 'counts' has no operator in a job whose window operator is 'renamed'
    await expect(mc!.submit(WINDOW_COUNTS, { parallelism: 3, params: { ...params, uid: 'renamed' }, savepointPath: moved })).rejects.toThrow(/MR_ERR_RESTORE_UNMATCHED_STATE.*'counts'.*allowNonRestoredState/);
    const other = mkdtempSync(path.join(os.tmpdir(), 'sp-s3-other-'));
    const dropped = await mc!.submit(WINDOW_COUNTS, { parallelism: 1, params: { ...params, uid: 'renamed', out: other, rate: '0', events: '100' }, savepointPath: moved, allowNonRestoredState: true });
    expect((await client.waitForTerminal(dropped, 60_000)).state).toBe('FINISHED');

    const restored = await mc!.submit(WINDOW_COUNTS, { parallelism: 3, params, savepointPath: moved });
    const done = await client.waitForTerminal(restored, 120_000);
    expect(done.state).toBe('FINISHED');
    expect((await client.checkpoints(restored)).latest.restored).toMatchObject({ is_savepoint: true, external_path: moved });
    expect(committedWindowCounts(out)).toEqual(expectedWindowCounts(EVENTS));

    const disposal = await client.disposeSavepoint(location);
    for (let i = 0; i < 100 && (await client.disposalStatus(disposal)).status.id !== 'COMPLETED'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await client.disposalStatus(disposal)).toEqual({ status: { id: 'COMPLETED' }, operation: {} });
    expect(await store.list(spDir)).toEqual([]);
  });
});
