// Health and metrics endpoints: /healthz (process alive), /readyz (caches synced and, with
// leader election, either leading or standing by), /metrics (Prometheus text format).
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthSources {
  registry: Registry;
  /** Returns why the operator is not ready, or undefined when it is. */
  notReadyReason: () => string | undefined;
}

export function createHttpServer(sources: HealthSources): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const reason = sources.notReadyReason();
    if (reason) return reply.code(503).send({ status: 'not ready', reason });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', sources.registry.contentType);
    return sources.registry.metrics();
  });
  return app;
}
