// Public job routes in the shapes of Flink's REST API: overview, list, submit, details, cancel.

import type { FastifyInstance } from 'fastify';
import { RuntimeError } from '../../errors/runtime-error.ts';
import { parseRequest } from '../../errors/http-errors.ts';
import { mergedP99 } from '../../metrics/latency-histogram.ts';
import { TERMINAL_STATES } from '../job-state.ts';
import { jobOf, type JobManagerRouteContext } from './context.ts';
import { jobIdParams, submitBody } from './schemas.ts';

export function registerJobRoutes(app: FastifyInstance, ctx: JobManagerRouteContext): void {
  const { jobs, rm } = ctx;
  const count = (s: string) => [...jobs.values()].filter((j) => j.state === s).length;

  app.get('/overview', async () => ({
    taskmanagers: rm.taskManagers.size,
    'slots-total': rm.allSlots().length,
    'slots-available': rm.freeSlots().length,
    // healthy TaskManagers with every slot free, and how many the JobManager keeps (--standby-taskmanagers)
    'taskmanagers-standby': rm.standbyTaskManagers(),
    'taskmanagers-standby-target': rm.standbyTarget,
    'jobs-running': [...jobs.values()].filter((j) => !TERMINAL_STATES.has(j.state)).length,
    'jobs-finished': count('FINISHED'),
    'jobs-cancelled': count('CANCELED'),
    'jobs-failed': count('FAILED'),
  }));

  app.get('/jobs', async () => ({ jobs: [...jobs.values()].map((j) => ({ id: j.id, status: j.state, name: j.name })) }));

  app.post('/jobs', async (req, reply) => {
    if (!ctx.submissionsAllowed) throw new RuntimeError('MR_ERR_SUBMIT_FORBIDDEN', 'this JobManager runs the job its Deployment configures (source.artifact, source.pipeline or source.sql); change the Deployment to run another job');
    const j = await ctx.submit(parseRequest(submitBody, req.body, 'body'));
    const r = j.restoredFrom;
    return reply.status(202).send({ jobid: j.id, id: j.id, restoredFrom: r ? { path: r.snapshot.path, checkpointId: r.snapshot.checkpointId, isSavepoint: r.isSavepoint } : null });
  });

  app.get('/jobs/:id', async (req) => {
    const j = jobOf(ctx, parseRequest(jobIdParams, req.params, 'params').id);
    const now = Date.now();
    return {
      jid: j.id, id: j.id, name: j.name, state: j.state, attempt: j.graph.attempt, restarts: j.restarts,
      'start-time': j.startTime, 'end-time': j.endTime || -1, duration: (j.endTime || now) - j.startTime,
      // from the moment all subtasks of the current attempt ran (processing, without deployment)
      runningSince: j.runningSince || null, processingDurationMs: j.runningSince ? (j.endTime || now) - j.runningSince : null,
      parallelism: j.spec.parallelism, maxParallelism: j.graph.jobGraph.maxParallelism, bounded: j.graph.jobGraph.bounded,
      vertices: j.graph.jobGraph.vertices.map((v) => {
        const s = j.graph.summarize(v);
        return { ...s, isSource: v.isSource, inputWatermark: s.inputWatermark, watermarkLagMs: s.inputWatermark === null ? null : now - s.inputWatermark };
      }),
      latencyP99Ms: mergedP99(j.graph.all().map((e) => e.metrics?.latencyHistogram)) ?? null,
      exceptions: j.exceptions,
      'failure-cause': j.failureCause ?? null,
      lastCheckpoint: j.coordinator?.latest ? { id: j.coordinator.latest.checkpointId, path: j.coordinator.latest.path, completedAt: j.coordinator.latestCompletedAt } : null,
    };
  });

  const cancel = async (req: { params: unknown }, reply: { status(n: number): { send(b: unknown): unknown } }) => {
    const j = jobOf(ctx, parseRequest(jobIdParams, req.params, 'params').id);
    j.cancel();
    return reply.status(202).send({ id: j.id, state: j.state });
  };
  app.post('/jobs/:id/cancel', cancel);
  app.patch('/jobs/:id', cancel);
}
