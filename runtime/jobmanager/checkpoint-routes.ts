// REST routes for checkpoints and savepoints, in the shapes of Flink's REST API (the operator's
// client speaks them): checkpoint statistics, savepoint trigger and status, stop-with-savepoint,
// cancel-with-savepoint, and savepoint disposal.

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { openSnapshot } from '../storage/open-snapshot.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { deleteSnapshotDirectory } from '../storage/snapshot-deletion.ts';
import { RuntimeError } from '../errors/runtime-error.ts';
import { parseRequest } from '../errors/http-errors.ts';
import { AsyncOperations } from './async-operations.ts';
import type { JobMaster } from './job-master.ts';
import { disposalBody, disposalIdParams, jobIdParams, requestIdParams, savepointBody, stopBody } from './routes/schemas.ts';

export interface CheckpointRouteDeps {
  readonly job: (id: string) => JobMaster;
  readonly log: Logger;
  readonly env?: Record<string, string | undefined>;
}

/** Deletes a savepoint's files (see snapshot-deletion.ts). */
async function disposeSavepoint(path: string, env?: Record<string, string | undefined>): Promise<undefined> {
  const snapshot = await openSnapshot(path.endsWith('/') ? path : `${path}/`, { verify: false, env });
  snapshot.store.close();
  if (snapshot.metadata.kind !== 'savepoint') throw new RuntimeError('MR_ERR_SAVEPOINT_DISPOSAL', `${path} holds a checkpoint, not a savepoint; checkpoints are removed by retention`);
  // a store never deletes its whole root: delete the savepoint directory from its parent
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  const parent = openObjectStore(trimmed.slice(0, cut + 1), { env });
  try {
    await deleteSnapshotDirectory(parent, `${trimmed.slice(cut + 1)}/`);
  } finally {
    parent.close();
  }
  return undefined;
}

export function registerCheckpointRoutes(app: FastifyInstance, deps: CheckpointRouteDeps): void {
  const savepointOps = new AsyncOperations();
  const disposalOps = new AsyncOperations();
  const running = (j: JobMaster): void => {
    if (!j.coordinator) throw new RuntimeError('MR_ERR_SAVEPOINT_NOT_RUNNING', `job ${j.id} has no checkpoint storage; start the JobManager with --checkpoint-storage`);
    if (j.state !== 'RUNNING') throw new RuntimeError('MR_ERR_SAVEPOINT_NOT_RUNNING', `job ${j.id} is ${j.state}; savepoints are taken of RUNNING jobs`);
  };
  const started = (j: JobMaster, work: Promise<{ path: string }>): string => savepointOps.start(work.then((c) => c.path, (err: Error) => {
    deps.log.warn({ jobId: j.id, err: err.message }, 'savepoint failed');
    throw err;
  }));

  app.get('/jobs/:id/checkpoints', async (req) => {
    const j = deps.job(parseRequest(jobIdParams, req.params, 'params').id);
    if (!j.coordinator) throw new RuntimeError('MR_ERR_CHECKPOINTING_DISABLED', `job ${j.id} runs without checkpoint storage`);
    return j.coordinator.stats.toRest();
  });

  app.post('/jobs/:id/savepoints', async (req, reply) => {
    const j = deps.job(parseRequest(jobIdParams, req.params, 'params').id);
    const b = parseRequest(savepointBody, req.body, 'body');
    running(j);
    const cancel = b['cancel-job'] === true;
    const id = started(j, j.savepoint({ targetDirectory: b['target-directory'], stopAfter: cancel, finalState: 'CANCELED' }));
    return reply.status(202).send({ 'request-id': id });
  });

  app.post('/jobs/:id/stop', async (req, reply) => {
    const j = deps.job(parseRequest(jobIdParams, req.params, 'params').id);
    const b = parseRequest(stopBody, req.body, 'body');
    running(j);
    const id = started(j, j.savepoint({ targetDirectory: b.targetDirectory, drain: b.drain === true, stopAfter: true, finalState: 'FINISHED' }));
    return reply.status(202).send({ 'request-id': id });
  });

  app.get('/jobs/:id/savepoints/:requestId', async (req) => {
    const { id, requestId } = parseRequest(requestIdParams, req.params, 'params');
    deps.job(id);
    const status = savepointOps.status(requestId);
    if (!status) throw new RuntimeError('MR_ERR_SAVEPOINT_REQUEST_NOT_FOUND', `no savepoint request ${requestId} for job ${id}`);
    return status;
  });

  app.post('/savepoint-disposal', async (req, reply) => {
    const path = parseRequest(disposalBody, req.body ?? {}, 'body')['savepoint-path'];
    return reply.status(202).send({ 'request-id': disposalOps.start(disposeSavepoint(path, deps.env)) });
  });

  app.get('/savepoint-disposal/:requestId', async (req) => {
    const { requestId } = parseRequest(disposalIdParams, req.params, 'params');
    const status = disposalOps.status(requestId);
    if (!status) throw new RuntimeError('MR_ERR_SAVEPOINT_REQUEST_NOT_FOUND', `no disposal request ${requestId}`);
    return status;
  });
}
