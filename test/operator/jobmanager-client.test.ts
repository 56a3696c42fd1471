// The operator's JobManager client against the real runtime: a local JobManager (with checkpoint
// storage in a temporary directory) and a TaskManager process running a real job.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProcessCluster } from '../../runtime/local/process-cluster.ts';
import { httpJobManagerClient } from '../../operator/jobmanager/client.ts';
import type { JobManagerClient } from '../../operator/jobmanager/client.ts';
import { waitFor } from './support/wait.ts';

const JOB = pathToFileURL(join(import.meta.dirname, 'fixtures', 'endless.job.ts')).href;
let cluster: ProcessCluster;
let storage: string;
beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), 'millrace-jm-storage-'));
  cluster = await new ProcessCluster({
    taskManagers: 1, slotsPerTaskManager: 1, logDir: await mkdtemp(join(tmpdir(), 'millrace-jm-')), taskManagerStdout: 'ignore',
    jobManagerArgs: ['--checkpoint-storage', storage, '--namespace', 'team', '--deployment', 'client-test', '--checkpoint-interval-ms', '300'],
  }).start();
}, 60_000);
afterAll(async () => { await cluster?.stop(); });

async function submit(): Promise<string> {
  const res = await fetch(`${cluster.restUrl}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobUrl: JOB, parallelism: 1 }) });
  return ((await res.json()) as { id: string }).id;
}
const running = (client: JobManagerClient, id: string) => waitFor('job RUNNING', async () => { const j = await client.job(id); return j.state === 'RUNNING' ? j : undefined; }, 30_000);
const settled = <T>(what: string, poll: () => Promise<T & { state: string }>) => waitFor(what, async () => { const r = await poll(); return r.state === 'IN_PROGRESS' ? undefined : r; }, 30_000);

describe('JobManager REST client on a real runtime JobManager', () => {
  test('follows a job to RUNNING with its last checkpoint, takes a savepoint, disposes it, and cancels the job', async () => {
    const id = await submit();
    const client = httpJobManagerClient(cluster.restUrl);
    expect(await client.listJobs()).toEqual(expect.arrayContaining([expect.objectContaining({ id })]));
    const job = await running(client, id);
    expect(job.startTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(job.restarts).toBe(0);
    const checkpointed = await waitFor('a completed checkpoint', async () => (await client.job(id)).lastCheckpoint, 30_000);
    expect(checkpointed).toMatchObject({ id: expect.any(Number), path: expect.stringContaining('flink-jobs/team/client-test/'), completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const trigger = await client.triggerSavepoint(id, { formatType: 'canonical', cancelJob: false });
    const saved = await settled('savepoint', () => client.savepointStatus(id, trigger));
    expect(saved).toMatchObject({ state: 'COMPLETED', location: expect.stringContaining('flink-savepoints/team/client-test/savepoint-') });
    const location = (saved as { location: string }).location;
    const dir = location.startsWith('file:') ? fileURLToPath(location) : location;
    expect(existsSync(join(dir, '_metadata'))).toBe(true);

    const disposal = await client.disposeSavepoint(location);
    expect(await settled('disposal', () => client.disposalStatus(disposal))).toEqual({ state: 'COMPLETED' });
    expect(existsSync(join(dir, '_metadata'))).toBe(false);

    await client.cancel(id);
    await waitFor('job CANCELED', async () => (await client.job(id)).state === 'CANCELED', 30_000);
    // A savepoint of a job that does not run is refused for good, with the runtime's code.
    await expect(client.triggerSavepoint(id, { formatType: 'canonical', cancelJob: false })).rejects.toMatchObject({
      code: 'MR_ERR_JOBMANAGER_API', transient: false, message: expect.stringMatching(/HTTP 409 .*MR_ERR_SAVEPOINT_NOT_RUNNING/),
    });
  }, 90_000);

  test('stop-with-savepoint ends the job FINISHED with the savepoint location', async () => {
    const id = await submit();
    const client = httpJobManagerClient(cluster.restUrl);
    await running(client, id);
    const trigger = await client.stopWithSavepoint(id, { drain: false });
    expect(await settled('stop-with-savepoint', () => client.savepointStatus(id, trigger))).toMatchObject({ state: 'COMPLETED', location: expect.stringContaining('savepoint-') });
    await waitFor('job FINISHED', async () => (await client.job(id)).state === 'FINISHED', 30_000);
  }, 90_000);

  test('an unreachable JobManager is a transient error', async () => {
    await expect(httpJobManagerClient('http://127.0.0.1:9', 500).listJobs()).rejects.toMatchObject({ code: 'MR_ERR_JOBMANAGER_API', transient: true });
  });
});
