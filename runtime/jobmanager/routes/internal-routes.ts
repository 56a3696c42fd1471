// The TaskManager protocol (/internal/*): registration, heartbeats with task metrics, task state
// changes and checkpoint acknowledgements. With a Deployment key only the Deployment's own
// processes reach these (auth/http-auth.ts); every body is parsed with its schema.

import type { FastifyInstance } from 'fastify';
import { RuntimeError } from '../../errors/runtime-error.ts';
import { parseRequest } from '../../errors/http-errors.ts';
import type { TaskMetrics } from '../../metrics/task-metrics.ts';
import { TERMINAL_STATES } from '../job-state.ts';
import type { JobManagerRouteContext } from './context.ts';
import { checkpointAckBody, checkpointDeclineBody, heartbeatBody, jobIdParams, registerBody, taskStateBody } from './schemas.ts';

export function registerInternalRoutes(app: FastifyInstance, ctx: JobManagerRouteContext): void {
  const { jobs, rm, log } = ctx;

  app.post('/internal/taskmanagers', async (req) => {
    const b = parseRequest(registerBody, req.body, 'body');
    rm.register(b.id, b.restUrl, b.slots, b.cpuCount);
    log.info({ taskManagerId: b.id, slots: b.slots.length, restUrl: b.restUrl }, 'TaskManager registered');
    // a TaskManager that joins a running job (a new standby) imports its module ahead of any deployment
    for (const j of jobs.values()) {
      if (TERMINAL_STATES.has(j.state)) continue;
      void ctx.call(`${b.restUrl}/internal/prepare`, { body: { jobUrl: j.spec.jobUrl, params: j.spec.params, parallelism: j.spec.parallelism }, timeoutMs: 5000 }).catch(() => undefined);
    }
    return { heartbeatIntervalMs: 1000 };
  });

  app.post('/internal/taskmanagers/:id/heartbeat', async (req) => {
    const { id } = parseRequest(jobIdParams, req.params, 'params');
    const b = parseRequest(heartbeatBody, req.body, 'body');
    if (!rm.heartbeat(id, b.cpu)) throw new RuntimeError('MR_ERR_UNKNOWN_TASKMANAGER', `TaskManager ${id} is not registered; register again`);
    for (const m of b.jobs) jobs.get(m.jobId)?.onMetrics(m.attempt, m.tasks as unknown as TaskMetrics[]);
    return { ok: true };
  });

  app.post('/internal/taskmanagers/:id/task-state', async (req) => {
    parseRequest(jobIdParams, req.params, 'params');
    const b = parseRequest(taskStateBody, req.body, 'body');
    jobs.get(b.jobId)?.onTaskState({ ...b, metrics: b.metrics as unknown as TaskMetrics | undefined });
    return { ok: true };
  });

  app.post('/internal/jobs/:id/checkpoints/ack', async (req) => {
    const { id } = parseRequest(jobIdParams, req.params, 'params');
    // parsed first: also refused when the job is unknown or has no coordinator
    const ack = parseRequest(checkpointAckBody, req.body, 'body');
    jobs.get(id)?.coordinator?.acknowledge(ack);
    return { ok: true };
  });

  app.post('/internal/jobs/:id/checkpoints/decline', async (req) => {
    const { id } = parseRequest(jobIdParams, req.params, 'params');
    const decline = parseRequest(checkpointDeclineBody, req.body, 'body');
    jobs.get(id)?.coordinator?.decline(decline);
    return { ok: true };
  });
}
