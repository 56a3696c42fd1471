// Request authentication for the fastify servers of the JobManager and the TaskManager. With a
// Deployment key every request must be signed (request-signing.ts), except GET /healthz, which
// tells nothing but "up" (kubelet probes cannot sign), and GET /metrics, which Prometheus scrapes
// (it cannot sign either): counters and gauges of this Deployment's job, no credential, reachable
// only where the Deployment's NetworkPolicy lets a peer in — its own pods, the operator, and the
// API server's proxy, which RBAC decides (docs/security.md); /internal/* routes also need the caller
// to be one of the Deployment's own processes. Without a key (local mode on loopback) requests
// are accepted as today. The raw body is kept so its hash can be checked.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RuntimeError } from '../errors/runtime-error.ts';
import type { Clock } from '../time/clock.ts';
import type { DeploymentKey } from './deployment-key.ts';
import { RequestVerifier, type Principal } from './request-signing.ts';

export const UNAUTHENTICATED_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/metrics']);
const INTERNAL_CALLERS: ReadonlySet<Principal> = new Set(['jobmanager', 'taskmanager']);

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

export interface RequestAuthOptions {
  readonly key: DeploymentKey | undefined;
  readonly clock?: Clock;
  readonly bodyLimit: number;
}

export function installRequestAuth(app: FastifyInstance, o: RequestAuthOptions): RequestVerifier | undefined {
  // JSON bodies are parsed here (not by fastify's parser) so the exact bytes stay available
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: o.bodyLimit }, (req, body, done) => {
    const buf = body as Buffer;
    rawBodies.set(req, buf);
    if (buf.length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(buf.toString('utf8')));
    } catch (err) {
      done(new RuntimeError('MR_ERR_REQUEST_INVALID', `the body is not JSON: ${(err as Error).message}`), undefined);
    }
  });
  app.get('/healthz', async () => ({ ok: true }));
  if (!o.key) return undefined;
  const verifier = new RequestVerifier(o.key, o.clock ?? { now: () => Date.now() });
  const path = (req: FastifyRequest) => req.url.split('?')[0]!;
  app.addHook('onRequest', async (req) => {
    if (UNAUTHENTICATED_ROUTES.has(path(req)) && req.method === 'GET') return;
    // refuse early, before reading a body, what cannot pass
    const principal = verifier.checkHeaders(req.headers);
    if (path(req).startsWith('/internal/') && !INTERNAL_CALLERS.has(principal)) {
      throw new RuntimeError('MR_ERR_AUTH_FORBIDDEN', `${req.method} ${path(req)} is internal: only this Deployment's JobManager and TaskManagers may call it, not '${principal}'`);
    }
  });
  app.addHook('preHandler', async (req) => {
    if (UNAUTHENTICATED_ROUTES.has(path(req)) && req.method === 'GET') return;
    verifier.verify(req.headers, { method: req.method, path: req.url, body: rawBodies.get(req) });
  });
  return verifier;
}
