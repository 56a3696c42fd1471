// Every JobManager route that takes input (path parameters or a body), public and /internal/*,
// parses it with its schema before anything reaches the job: a malformed request is refused with
// 400 MR_ERR_REQUEST_INVALID naming the field, and the job is unchanged (issue 14 point 9). The
// route table is read from the server itself, so a route added without a case here fails this test.
// In-process JobManager (local mode, no key: signatures are runtime-control-plane.test.ts's
// subject), one job waiting for slots.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createJobManager, type JobManager } from '../../runtime/jobmanager/jobmanager.ts';
import { openObjectStore } from '../../runtime/storage/open-object-store.ts';

const JOB = new URL('../runtime/fixtures/bid-counts.job.ts', import.meta.url).href;

let jm: JobManager;
let jobId = '';
const dir = mkdtempSync(path.join(os.tmpdir(), 'sec-routes-'));
beforeAll(async () => {
  // Checkpoint storage, so the job has a checkpoint coordinator (the ack/decline routes' target).
  const storageUri = pathToFileURL(dir).href;
  jm = await createJobManager({
    host: '127.0.0.1', port: 0, log: pino({ level: 'silent' }), slotTimeoutMs: 600_000,
    checkpointing: { storageUri, store: openObjectStore(storageUri), namespace: 'sec', settings: { intervalMs: 0, timeoutMs: 600_000, minPauseMs: 0, tolerableFailures: 0 }, retained: 1 },
  });
  jobId = (await jm.submit({ jobUrl: JOB, parallelism: 1, params: { events: '0' } })).id;
});
afterAll(async () => {
  await jm?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `METHOD /path` of every route, from fastify's route tree (HEAD is GET's). */
function routeTable(): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of jm.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push(`${method} ${stack.join('')}`);
  }
  return out.sort();
}

const BAD_ID = 'a b';
// [route, request path, body, the field the refusal names]
const CASES: Array<[string, string, unknown, string]> = [
  ['POST /jobs', '/jobs', { jobUrl: 5 }, 'body.jobUrl'],
  ['GET /jobs/:id', `/jobs/${BAD_ID}`, undefined, 'params.id'],
  ['PATCH /jobs/:id', `/jobs/${BAD_ID}`, {}, 'params.id'],
  ['POST /jobs/:id/cancel', `/jobs/${BAD_ID}/cancel`, {}, 'params.id'],
  ['GET /jobs/:id/checkpoints', `/jobs/${BAD_ID}/checkpoints`, undefined, 'params.id'],
  ['POST /jobs/:id/savepoints', '/jobs/JOB/savepoints', { 'cancel-job': 'yes' }, 'body.cancel-job'],
  ['GET /jobs/:id/savepoints/:requestId', `/jobs/JOB/savepoints/${BAD_ID}`, undefined, 'params.requestId'],
  ['POST /jobs/:id/stop', '/jobs/JOB/stop', { drain: 'yes' }, 'body.drain'],
  ['POST /savepoint-disposal', '/savepoint-disposal', {}, 'body.savepoint-path'],
  ['GET /savepoint-disposal/:requestId', `/savepoint-disposal/${BAD_ID}`, undefined, 'params.requestId'],
  ['POST /internal/taskmanagers', '/internal/taskmanagers', { id: 'tm-x', restUrl: 'ftp://127.0.0.1:1', slots: [{ index: 0, address: '127.0.0.1:1' }], cpuCount: 1 }, 'body.restUrl'],
  ['POST /internal/taskmanagers/:id/heartbeat', '/internal/taskmanagers/tm-x/heartbeat', { cpu: { user: -1, system: 0 }, jobs: [] }, 'body.cpu.user'],
  ['POST /internal/taskmanagers/:id/task-state', '/internal/taskmanagers/tm-x/task-state', { jobId: 'JOB', attempt: 0, vertexId: 'v', subtaskIndex: 0, state: 'EXPLODED' }, 'body.state'],
  ['POST /internal/jobs/:id/checkpoints/ack', '/internal/jobs/JOB/checkpoints/ack', { checkpointId: 'one' }, 'body.'],
  ['POST /internal/jobs/:id/checkpoints/decline', '/internal/jobs/JOB/checkpoints/decline', { checkpointId: 'one' }, 'body.'],
];
// Routes without parameters or a body: nothing to validate.
const NO_INPUT = ['GET /healthz', 'GET /overview', 'GET /jobs', 'GET /taskmanagers', 'GET /metrics', 'GET /cluster/cpu'];

test('the route table is exactly the routes checked here (a new route needs a case)', () => {
  expect(routeTable()).toEqual([...CASES.map((c) => c[0]), ...NO_INPUT].sort());
});

test.each(CASES)('%s refuses a malformed request with MR_ERR_REQUEST_INVALID naming the field', async (_route, path, body, field) => {
  const [method] = _route.split(' ') as ['GET' | 'POST' | 'PATCH'];
  const url = path.replace('JOB', jobId).replace(BAD_ID, encodeURIComponent(BAD_ID));
  const r = await jm.app.inject({ method, url, ...(body !== undefined ? { payload: body as object } : {}) });
  expect(r.statusCode).toBe(400);
  const error = (r.json() as { error?: { code: string; message: string } }).error;
  expect(error?.code).toBe('MR_ERR_REQUEST_INVALID');
  expect(error?.message.startsWith(field)).toBe(true);
  expect(JSON.stringify(r.json())).not.toMatch(/at .*\.ts:\d+/);
  // Nothing reached the job: it still waits for slots, not cancelled, failed or restarted.
  const job = (await jm.app.inject({ method: 'GET', url: `/jobs/${jobId}` })).json() as { state: string; restarts: number };
  expect(job).toMatchObject({ restarts: 0 });
  expect(['CANCELED', 'CANCELLING', 'FAILED', 'FINISHED']).not.toContain(job.state);
});

test('checkpoint acknowledgements are parsed even for a job without a coordinator or an unknown job', async () => {
  const plain = await createJobManager({ host: '127.0.0.1', port: 0, log: pino({ level: 'silent' }) });
  try {
    for (const route of ['ack', 'decline']) {
      const r = await plain.app.inject({ method: 'POST', url: `/internal/jobs/unknown-job/checkpoints/${route}`, payload: { checkpointId: 'one' } });
      expect([route, r.statusCode, (r.json() as { error?: { code: string } }).error?.code]).toEqual([route, 400, 'MR_ERR_REQUEST_INVALID']);
    }
  } finally {
    await plain.close();
  }
});
