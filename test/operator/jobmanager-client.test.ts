// The operator's JobManager client against the real runtime: a local JobManager and
// TaskManager process (runtime/local/process-cluster.ts) running a real job.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProcessCluster } from '../../runtime/local/process-cluster.ts';
import { httpJobManagerClient } from '../../operator/jobmanager/client.ts';
import { waitFor } from './support/wait.ts';

const JOB = pathToFileURL(join(import.meta.dirname, 'fixtures', 'endless.job.ts')).href;
let cluster: ProcessCluster;
beforeAll(async () => {
  cluster = await new ProcessCluster({ taskManagers: 1, slotsPerTaskManager: 1, logDir: await mkdtemp(join(tmpdir(), 'millrace-jm-')), taskManagerStdout: 'ignore' }).start();
}, 60_000);
afterAll(async () => { await cluster?.stop(); });

describe('JobManager REST client on a real runtime JobManager', () => {
  test('follows a job from submission to RUNNING and cancels it', async () => {
    const res = await fetch(`${cluster.restUrl}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobUrl: JOB, parallelism: 1 }) });
    const { id } = (await res.json()) as { id: string };
    const client = httpJobManagerClient(cluster.restUrl);
    expect(await client.listJobs()).toEqual(expect.arrayContaining([expect.objectContaining({ id })]));
    const running = await waitFor('job RUNNING', async () => { const j = await client.job(id); return j.state === 'RUNNING' ? j : undefined; }, 30_000);
    expect(running.startTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(running.restarts).toBe(0);
    await client.cancel(id);
    await waitFor('job CANCELED', async () => (await client.job(id)).state === 'CANCELED', 30_000);
  }, 60_000);

  test('a savepoint request to a runtime without savepoints fails terminally with a clear message', async () => {
    const client = httpJobManagerClient(cluster.restUrl);
    await expect(client.triggerSavepoint('any', { formatType: 'canonical', cancelJob: false })).rejects.toMatchObject({
      code: 'MR_ERR_JOBMANAGER_API', transient: false, message: expect.stringMatching(/no such endpoint.*does not support it yet/),
    });
  });

  test('an unreachable JobManager is a transient error', async () => {
    await expect(httpJobManagerClient('http://127.0.0.1:9', 500).listJobs()).rejects.toMatchObject({ code: 'MR_ERR_JOBMANAGER_API', transient: true });
  });
});
