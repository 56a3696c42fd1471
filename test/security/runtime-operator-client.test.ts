// The operator's JobManager client against a JobManager with a Deployment key (real processes):
// it signs its requests and drives a savepoint; without the key it gets the runtime's code; a
// JobManager that answers too much is cut off at the size limit instead of filling the operator.

import { jest } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpJobManagerClient } from '../../operator/jobmanager/client.ts';
import { SecureCluster, waitFor } from './support/runtime-cluster.ts';

jest.setTimeout(120_000);
const JOB = fileURLToPath(new URL('../runtime/fixtures/bid-counts.job.ts', import.meta.url));

test('the operator signs with the Deployment key; without it the JobManager answers MR_ERR_AUTH_MISSING', async () => {
  const c = await new SecureCluster({ job: JOB, params: { events: '0', rate: '500', out: mkdtempSync(path.join(os.tmpdir(), 'sec-client-')) } }).start();
  try {
    const client = httpJobManagerClient(c.restUrl, 5000, { key: async () => c.key });
    const id = await waitFor('a job', async () => (await client.listJobs())[0]?.id);
    await waitFor('RUNNING with a checkpoint', async () => {
      const j = await client.job(id);
      return j.state === 'RUNNING' && j.lastCheckpoint ? j : undefined;
    }, 60_000);
    const trigger = await client.triggerSavepoint(id, { formatType: 'canonical', cancelJob: false });
    const saved = await waitFor('savepoint', async () => {
      const s = await client.savepointStatus(id, trigger);
      return s.state === 'IN_PROGRESS' ? undefined : s;
    }, 60_000);
    expect(saved).toMatchObject({ state: 'COMPLETED', location: expect.stringContaining('flink-savepoints/sec/victim/savepoint-') });

    await expect(httpJobManagerClient(c.restUrl, 5000).listJobs()).rejects.toMatchObject({ code: 'MR_ERR_JOBMANAGER_API', message: expect.stringContaining('MR_ERR_AUTH_MISSING') });
  } finally {
    await c.stop();
  }
});

test('a response over the size limit is refused, not buffered; a missing route is a lasting error', async () => {
  const server = http.createServer((req, res) => {
    if (req.url === '/jobs') {
      res.writeHead(200, { 'content-type': 'application/json' });
      // 8 MiB streamed without a length: the limit applies while reading
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024 * 1024, 0x20));
      res.end('{}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'MR_ERR_ROUTE_NOT_FOUND', message: 'no route' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await expect(httpJobManagerClient(url, 5000, { maxResponseBytes: 1024 * 1024 }).listJobs()).rejects.toMatchObject({ code: 'MR_ERR_JOBMANAGER_API', message: expect.stringContaining('over the limit') });
    await expect(httpJobManagerClient(url).disposeSavepoint('/x')).rejects.toMatchObject({ code: 'MR_ERR_JOBMANAGER_API', transient: false, message: expect.stringContaining('no such endpoint') });
  } finally {
    server.close();
  }
});
