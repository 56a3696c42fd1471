// The HTTP edge of the registry: one error handler and one not-found handler for the fastify
// servers of the JobManager and the TaskManager, and request parsing with zod schemas. Responses
// carry `{ error: { code, message } }` and never a stack trace; unexpected errors are logged here
// with their stack and answered as MR_ERR_INTERNAL.

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { RuntimeError, errorCode, statusOf, toWire } from './runtime-error.ts';

export function installErrorHandlers(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (!errorCode(err) && err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      // fastify's own refusals (body too large, bad JSON, wrong content type): the client's fault
      void reply.status(err.statusCode).send({ error: { code: 'MR_ERR_REQUEST_INVALID', message: err.message } });
      return;
    }
    const status = statusOf(err);
    if (status >= 500 && !errorCode(err)) log.error({ err, method: req.method, url: req.url }, 'request failed');
    void reply.status(status).send({ error: toWire(err) });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { code: 'MR_ERR_ROUTE_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}

/** Parses a request part with its schema; the error names the first failing field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params' | 'query'): z.infer<S> {
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const field = [where, ...i.path.map(String)].join('.');
  throw new RuntimeError('MR_ERR_REQUEST_INVALID', `${field}: ${i.message}`);
}
