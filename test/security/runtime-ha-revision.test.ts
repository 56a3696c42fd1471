// A stateless upgrade replaces a Deployment's pods; the old job's HA record may still say RUNNING
// (its cancellation never reached storage: the pod was deleted, or the JobManager was gone). The
// new JobManager runs another revision (the operator sets MILLRACE_DEPLOYMENT_REVISION to the
// pods' spec hash) and must start the new spec, never resume the old job; a JobManager of the same
// revision (a restarted container) still resumes it. Real JobManager and TaskManager processes.
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecureCluster, waitFor } from './support/runtime-cluster.ts';

jest.setTimeout(180_000);
const JOB = fileURLToPath(new URL('../runtime/fixtures/bid-counts.job.ts', import.meta.url));

describe('HA records are fenced by the Deployment revision', () => {
  const clusters: SecureCluster[] = [];
  const saved = process.env.MILLRACE_DEPLOYMENT_REVISION;
  afterEach(async () => { for (const c of clusters.splice(0)) await c.stop(); });
  afterAll(() => { if (saved === undefined) delete process.env.MILLRACE_DEPLOYMENT_REVISION; else process.env.MILLRACE_DEPLOYMENT_REVISION = saved; });

  /** A Deployment's processes at `revision` (the key and storage stay: same Deployment). */
  async function run(revision: string, storage: string, keyText: string | undefined): Promise<{ c: SecureCluster; id: string }> {
    process.env.MILLRACE_DEPLOYMENT_REVISION = revision; // inherited by the forked processes, as the pod env
    const c = new SecureCluster({ job: JOB, storage, ...(keyText ? { keyText } : {}), params: { events: '0', rate: '200', out: mkdtempSync(path.join(os.tmpdir(), 'sec-rev-out-')) } });
    clusters.push(c);
    await c.start();
    const id = await c.jobId();
    await waitFor(`job ${id} running`, async () => (await c.job(id)).state === 'RUNNING', 60_000);
    return { c, id };
  }

  test('the old job\'s RUNNING record is resumed by its own revision only; another revision starts the configured job', async () => {
    const storage = mkdtempSync(path.join(os.tmpdir(), 'sec-rev-storage-'));
    const first = await run('rev-a', storage, undefined);
    const record = path.join(storage, 'flink-jobs/sec/victim/ha/job.json');
    const written = await waitFor('the HA record of revision rev-a', async () => {
      try { const r = JSON.parse(readFileSync(record, 'utf8')) as { jobId: string; revision?: string; state: string }; return r.jobId === first.id ? r : undefined; } catch { return undefined; }
    });
    expect(written).toMatchObject({ revision: 'rev-a', state: 'RUNNING' });
    await first.c.stop(); // SIGKILL: the record still says RUNNING

    // The same revision (a restarted JobManager container) resumes the job.
    const again = await run('rev-a', storage, first.c.keyText);
    expect(again.id).toBe(first.id);
    await again.c.stop();

    // A replaced spec (stateless upgrade) never resumes the old job.
    const upgraded = await run('rev-b', storage, first.c.keyText);
    expect(upgraded.id).not.toBe(first.id);
    expect(upgraded.c.jobManagerLog()).toContain('MR_ERR_HA_RECORD_REFUSED');
    expect(upgraded.c.jobManagerLog()).toContain('revision rev-a, not of this revision rev-b');
    const now = await waitFor('the new job\'s record', async () => {
      const r = JSON.parse(readFileSync(record, 'utf8')) as { jobId: string; revision?: string };
      return r.jobId === upgraded.id ? r : undefined;
    });
    expect(now.revision).toBe('rev-b');
  });
});
