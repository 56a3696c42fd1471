// Routes about the cluster rather than one job: TaskManagers, Prometheus metrics, CPU time.

import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { jobManagerMetrics } from '../metrics.ts';
import type { JobManagerRouteContext } from './context.ts';

export function registerClusterRoutes(app: FastifyInstance, ctx: JobManagerRouteContext): void {
  const { rm } = ctx;
  app.get('/taskmanagers', async () => ({
    taskmanagers: [...rm.taskManagers.values()].map((tm) => ({
      id: tm.id, restUrl: tm.restUrl, slotsNumber: tm.slots.length, freeSlots: tm.slots.filter((s) => !s.allocatedTo).length,
      timeSinceLastHeartbeat: Date.now() - tm.lastHeartbeat, cpuCount: tm.cpuCount,
    })),
  }));

  const registry = jobManagerMetrics(rm, () => ctx.jobs.values());
  app.get('/metrics', async (_req, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));

  /** CPU time of the JobManager and (asked now) of every TaskManager process, for benchmarks. */
  app.get('/cluster/cpu', async () => {
    const own = process.cpuUsage();
    const tms = await Promise.all([...rm.taskManagers.values()].map(async (tm) => {
      try {
        const r = await ctx.call(`${tm.restUrl}/status`, { timeoutMs: 2000 });
        const s = r.json<{ cpu: { user: number; system: number } }>();
        if (!r.ok || !s) throw new Error(`HTTP ${r.status}`);
        return { id: tm.id, userMs: s.cpu.user / 1000, systemMs: s.cpu.system / 1000 };
      } catch {
        return { id: tm.id, userMs: tm.cpu.user / 1000, systemMs: tm.cpu.system / 1000 };
      }
    }));
    return { jobmanager: { userMs: own.user / 1000, systemMs: own.system / 1000 }, taskmanagers: tms, cores: os.availableParallelism() };
  });
}
