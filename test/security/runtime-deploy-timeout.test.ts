// A task deployment that never finishes (here: the job module's import hangs in the slot worker)
// fails that task with MR_ERR_DEPLOY_TIMEOUT after MILLRACE_DEPLOY_TIMEOUT_MS, so the job fails
// over by its restart strategy and ends FAILED with the cause, instead of staying DEPLOYING
// forever (issue 14 point 3: deployment of tasks has a timeout). Real JobManager and TaskManager
// processes with a Deployment key (test/security/support/runtime-cluster.ts).

import { jest } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { SecureCluster, waitFor } from './support/runtime-cluster.ts';

jest.setTimeout(120_000);
const JOB = fileURLToPath(new URL('./fixtures/runtime-hanging-deploy.job.ts', import.meta.url));
const TIMEOUT_MS = 2000;

test('a deployment that hangs fails with MR_ERR_DEPLOY_TIMEOUT, the job fails over, and ends FAILED with that cause', async () => {
  // The processes inherit this environment; the slot workers read it when they start.
  const before = process.env.MILLRACE_DEPLOY_TIMEOUT_MS;
  process.env.MILLRACE_DEPLOY_TIMEOUT_MS = String(TIMEOUT_MS);
  let c: SecureCluster | undefined;
  try {
    c = await new SecureCluster({ job: JOB, parallelism: 1, taskManagers: 1, restartStrategy: 'fixed-delay:attempts=1,delayMs=200' }).start();
    const id = await c.jobId();
    const ended = await waitFor('the job FAILED', async () => {
      const j = await c!.job(id);
      return j.state === 'FAILED' ? j : undefined;
    }, 90_000, 250);
    // One restart (the strategy's one attempt), each attempt ended by the timeout.
    expect(ended.restarts).toBe(1);
    const messages = ended.exceptions.map((e) => e.message).join('\n');
    expect(messages.match(/MR_ERR_DEPLOY_TIMEOUT/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(messages).toContain(`took longer than ${TIMEOUT_MS} ms`);
  } finally {
    if (before === undefined) delete process.env.MILLRACE_DEPLOY_TIMEOUT_MS;
    else process.env.MILLRACE_DEPLOY_TIMEOUT_MS = before;
    await c?.stop();
  }
});
