// A slot worker that dies (here: job code ends its worker thread) is reported, replaced, and the
// job fails over to a new attempt instead of hanging on a slot that no longer runs anything
// (before, the TaskManager kept advertising the dead slot and the job stayed DEPLOYING).

import { jest } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecureCluster, waitFor } from './support/runtime-cluster.ts';

jest.setTimeout(120_000);
const JOB = fileURLToPath(new URL('./fixtures/runtime-exit-worker.job.ts', import.meta.url));

test('a dead slot worker is reported with MR_ERR_SLOT_DEAD, replaced, and the job runs again as a new attempt', async () => {
  const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'sec-slot-')), 'exited');
  const c = await new SecureCluster({ job: JOB, params: { marker } }).start();
  try {
    const id = await c.jobId();
    await waitFor('the worker exit', async () => existsSync(marker), 60_000);
    const again = await waitFor('the job running again after a failover', async () => {
      const j = await c.job(id);
      return j.state === 'RUNNING' && j.attempt >= 1 && j.vertices.every((v) => v.recordsIn > 0) ? j : undefined;
    }, 60_000, 250);
    expect(again.restarts).toBeGreaterThanOrEqual(1);
    expect(again.exceptions.map((e) => e.message).join('\n')).toMatch(/MR_ERR_SLOT_DEAD|MR_ERR_TASKMANAGER_LOST|MR_ERR_CHANNEL_FAILED/);
    const tmLogs = readdirSync(c.dir).filter((f) => f.startsWith('taskmanager-')).map((f) => readFileSync(path.join(c.dir, f), 'utf8')).join('\n');
    expect(tmLogs).toContain('MR_ERR_SLOT_DEAD');
    // both TaskManagers offer their one slot again
    expect(await c.slotAddresses()).toHaveLength(2);
  } finally {
    await c.stop();
  }
});
