// Planted and malformed HA records against a JobManager with a Deployment key (real processes).
// Someone with write access to the deployment's storage writes ha/job.json naming attacker code;
// the JobManager refuses it naming the file, never imports it, and runs the configured job.

import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DeploymentKey } from '../../runtime/auth/deployment-key.ts';
import { canonicalJson } from '../../runtime/checkpoint/ha-store.ts';
import { SecureCluster, waitFor } from './support/runtime-cluster.ts';

jest.setTimeout(120_000);
const JOB = fileURLToPath(new URL('../runtime/fixtures/bid-counts.job.ts', import.meta.url));

const planted = (jobUrl: string) => ({
  formatVersion: 1, jobId: 'feedfacefeedfacefeedfacefeedface', name: 'evil', jobUrl, params: {}, parallelism: 1,
  batchMode: false, latencyTrackingIntervalMs: 0, attempt: 0, state: 'RUNNING', restarts: 0, updatedAt: Date.now(),
});

function plant(c: SecureCluster, content: string): string {
  const dir = path.join(c.storage, 'flink-jobs/sec/victim/ha');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'job.json'), content);
  return path.join(dir, 'job.json');
}

async function expectRefusedAndConfiguredJobRuns(c: SecureCluster, file: string): Promise<void> {
  await c.startTaskManagers();
  const id = await c.jobId();
  expect(id).not.toBe('feedfacefeedfacefeedfacefeedface');
  const j = await waitFor('the configured job running', async () => {
    const v = await c.job(id);
    return v.state === 'RUNNING' ? v : undefined;
  }, 60_000);
  expect(j.exceptions.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringContaining(file)]));
  expect(c.jobManagerLog()).toContain('MR_ERR_HA_RECORD_REFUSED');
  // the record is now the JobManager's own: signed, naming the configured job
  const rec = await waitFor('the JobManager\'s own HA record', async () => {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { jobUrl: string; jobId: string; signature?: string };
    return r.jobId === id ? r : undefined;
  }, 20_000);
  expect(rec.jobUrl).toBe(pathToFileURL(JOB).href);
  expect(rec.signature).toBe(c.key.mac('ha', canonicalJson({ ...rec, signature: undefined })));
}

describe('HA records of a Deployment with a key', () => {
  let c: SecureCluster | undefined;
  afterEach(() => c?.stop());
  const params = () => ({ events: '0', rate: '500', out: mkdtempSync(path.join(os.tmpdir(), 'sec-ha-out-')) });

  test('an unsigned record naming attacker code (data: URL) is refused naming the file; the configured job runs', async () => {
    c = new SecureCluster({ job: JOB, params: params() });
    const file = plant(c, JSON.stringify(planted('data:text/javascript,process.exit(42)')));
    await c.startJobManager();
    await expectRefusedAndConfiguredJobRuns(c, file);
  });

  test('a record signed with another Deployment\'s key is refused, even naming the configured job', async () => {
    c = new SecureCluster({ job: JOB, params: params() });
    const other = new DeploymentKey('e'.repeat(64), 'other deployment');
    const rec = planted(pathToFileURL(JOB).href);
    const file = plant(c, JSON.stringify({ ...rec, signature: other.mac('ha', canonicalJson(rec)) }));
    await c.startJobManager();
    await expectRefusedAndConfiguredJobRuns(c, file);
  });

  test('a malformed record stops the JobManager with MR_ERR_HA_RECORD_MALFORMED naming the file', async () => {
    c = new SecureCluster({ job: JOB, params: params() });
    const file = plant(c, '{"formatVersion": 1, "jobUrl": ');
    await expect(c.startJobManager()).rejects.toThrow(/exited with code 1/);
    expect(c.jobManagerLog()).toContain('MR_ERR_HA_RECORD_MALFORMED');
    expect(c.jobManagerLog()).toContain(file);
  });
});
