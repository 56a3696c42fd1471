// Attacks on a Deployment's control plane with real processes: a JobManager and TaskManagers
// holding a Deployment key and running the configured job. Unsigned, wrongly signed, replayed and
// misdirected requests are refused with their codes; jobs cannot be submitted or swapped (data:
// URLs included); the job keeps running throughout. A local JobManager without a key refuses
// data: URLs too.

import { jest } from '@jest/globals';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { DeploymentKey } from '../../runtime/auth/deployment-key.ts';
import { signRequest } from '../../runtime/auth/request-signing.ts';
import { signedFetcher } from '../../runtime/auth/signed-fetch.ts';
import { MILLRACE_BIN } from '../../runtime/local/process-cluster.ts';
import { SecureCluster, waitFor } from './support/runtime-cluster.ts';

jest.setTimeout(120_000);
const JOB = fileURLToPath(new URL('../runtime/fixtures/bid-counts.job.ts', import.meta.url));
const ATTACK = 'data:text/javascript,process.exit(42)';

describe('control plane of a Deployment with a key', () => {
  let c: SecureCluster;
  let jobId = '';
  beforeAll(async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'sec-out-'));
    c = await new SecureCluster({ job: JOB, params: { events: '0', rate: '2000', out } }).start();
    jobId = await c.jobId();
    await waitFor('the job running', async () => (await c.job(jobId)).state === 'RUNNING', 60_000);
  });
  afterAll(() => c?.stop());

  const raw = async (url: string, init: RequestInit = {}) => {
    const r = await fetch(url, init);
    return { status: r.status, body: (await r.json()) as { error?: { code: string; message: string } } };
  };

  test('an unsigned request is refused with MR_ERR_AUTH_MISSING, and the error carries no stack', async () => {
    const r = await raw(`${c.restUrl}/jobs`);
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe('MR_ERR_AUTH_MISSING');
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  test('a request signed with another key is refused with MR_ERR_AUTH_INVALID (savepoint write)', async () => {
    const other = signedFetcher(new DeploymentKey('x'.repeat(64), 'attacker'), 'operator');
    const r = await other(`${c.restUrl}/jobs/${jobId}/savepoints`, { body: { 'target-directory': '/tmp/stolen' } });
    expect(r.status).toBe(401);
    expect(r.error?.code).toBe('MR_ERR_AUTH_INVALID');
  });

  test('a replayed signed request is refused with MR_ERR_AUTH_REPLAYED; an altered body with MR_ERR_AUTH_INVALID', async () => {
    const p = `/jobs/${jobId}`;
    const headers = signRequest(c.key, 'operator', { method: 'GET', path: p, body: undefined }, Date.now());
    expect((await fetch(`${c.restUrl}${p}`, { headers })).status).toBe(200);
    const again = await raw(`${c.restUrl}${p}`, { headers });
    expect(again.body.error?.code).toBe('MR_ERR_AUTH_REPLAYED');
    const body = JSON.stringify({ 'cancel-job': false });
    const signed = signRequest(c.key, 'operator', { method: 'POST', path: `/jobs/${jobId}/savepoints`, body }, Date.now());
    const altered = await raw(`${c.restUrl}/jobs/${jobId}/savepoints`, { method: 'POST', headers: { ...signed, 'content-type': 'application/json' }, body: JSON.stringify({ 'cancel-job': true }) });
    expect(altered.body.error?.code).toBe('MR_ERR_AUTH_INVALID');
  });

  test('internal routes refuse the operator role (MR_ERR_AUTH_FORBIDDEN) and strangers (TaskManager registration)', async () => {
    const registration = { id: 'evil', restUrl: 'http://127.0.0.1:9', slots: [{ index: 0, address: '127.0.0.1:9' }], cpuCount: 1 };
    expect((await raw(`${c.restUrl}/internal/taskmanagers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration) })).body.error?.code).toBe('MR_ERR_AUTH_MISSING');
    const r = await c.call(`${c.restUrl}/internal/taskmanagers`, { body: registration });
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('MR_ERR_AUTH_FORBIDDEN');
    expect((await c.taskManagers()).map((t) => t.id)).not.toContain('evil');
  });

  test('POST /jobs is refused in a cluster (MR_ERR_SUBMIT_FORBIDDEN), even signed, even with a data: URL', async () => {
    const r = await c.call(`${c.restUrl}/jobs`, { body: { jobUrl: ATTACK } });
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('MR_ERR_SUBMIT_FORBIDDEN');
    expect((await c.get<{ jobs: unknown[] }>('/jobs')).jobs).toHaveLength(1);
  });

  test('a TaskManager refuses unsigned deployments, and signed ones of another job module (MR_ERR_JOB_URL_REFUSED)', async () => {
    const [tm] = await c.taskManagers();
    const [slot] = await c.slotAddresses();
    const tdd = { jobId: 'evil', attempt: 0, jobUrl: ATTACK, params: {}, parallelism: 1, vertexId: 'v', subtaskIndex: 0, locations: { v: [slot] }, batchMode: false, latencyTrackingIntervalMs: 0, startTime: Date.now() };
    expect((await raw(`${tm!.restUrl}/internal/deploy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tdd) })).body.error?.code).toBe('MR_ERR_AUTH_MISSING');
    const asJm = signedFetcher(c.key, 'jobmanager');
    const r = await asJm(`${tm!.restUrl}/internal/deploy`, { body: tdd });
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe('MR_ERR_JOB_URL_REFUSED');
    const other = await asJm(`${tm!.restUrl}/internal/deploy`, { body: { ...tdd, jobUrl: 'file:///tmp/other-job.js' } });
    expect(other.error?.code).toBe('MR_ERR_JOB_URL_REFUSED');
    const malformed = await asJm(`${tm!.restUrl}/internal/deploy`, { body: { ...tdd, locations: { v: ['not an address'] } } });
    expect(malformed.error?.code).toBe('MR_ERR_REQUEST_INVALID');
  });

  test('the health endpoint answers without credentials and tells nothing else; the job is still running, never restarted', async () => {
    expect((await fetch(`${c.restUrl}/healthz`)).status).toBe(200);
    const j = await c.job(jobId);
    expect(j.state).toBe('RUNNING');
    expect(j.restarts).toBe(0);
  });
});

describe('a local JobManager (no key, loopback)', () => {
  test('binds only loopback without a key, and refuses data: and unpinned http(s) job URLs with MR_ERR_JOB_URL_REFUSED', async () => {
    const refused = fork(MILLRACE_BIN, ['jobmanager', '--host', '0.0.0.0', '--port', '0', '--checkpoint-storage', mkdtempSync(path.join(os.tmpdir(), 'sec-local-'))], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, MILLRACE_AUTH_KEY_FILE: '' } });
    let stderr = '';
    refused.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise((r) => refused.once('exit', r))).toBe(1);
    expect(stderr).toContain('MR_ERR_AUTH_REQUIRED');

    const jm = fork(MILLRACE_BIN, ['jobmanager', '--port', '0', '--checkpoint-storage', mkdtempSync(path.join(os.tmpdir(), 'sec-local-'))], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env: { ...process.env, MILLRACE_AUTH_KEY_FILE: '' } });
    try {
      const url = await new Promise<string>((resolve) => jm.on('message', (m: { type: string; url: string }) => m.type === 'listening' && resolve(m.url)));
      expect(new URL(url).hostname).toBe('127.0.0.1');
      for (const jobUrl of [ATTACK, 'http://127.0.0.1:9/job.js']) {
        const r = await fetch(`${url}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobUrl }) });
        expect(r.status).toBe(400);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('MR_ERR_JOB_URL_REFUSED');
      }
      // and stays as easy as before for local files
      const ok = await fetch(`${url}/overview`);
      expect(ok.status).toBe(200);
    } finally {
      jm.kill('SIGKILL');
    }
  });
});
