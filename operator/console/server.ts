// The Millrace console: a fastify server that renders pages and answers a JSON API, acting as
// the signed-in user for every Kubernetes call. Layers, in the order a request passes them:
// authentication (session cookie or bearer token → identity by SelfSubjectReview), cross-site
// refusal for state changes, authorization (SelfSubjectAccessReview as the user, and the API
// server's own RBAC on every call made with the user's token), then the route's work.
// This file only assembles: each route group is one module under routes/.
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { Logger } from 'pino';
import type { KubeConnection } from '../kube/kube-connection.ts';
import { KubeRest } from '../kube/rest-client.ts';
import { deploymentKeys } from '../controllers/deployment/auth-secret.ts';
import { AccessCache, selfAccessReview, type AccessAttributes } from './auth/can-i.ts';
import { whoAmI } from './auth/identity.ts';
import { crossSiteRefusal } from './auth/same-origin.ts';
import { BearerCache, DEFAULT_SESSION_LIMITS, SessionStore, type SessionLimits } from './auth/sessions.ts';
import { userConnection } from './auth/user-connection.ts';
import type { ConsoleContext, ConsoleRoutes, ConsoleUser, SessionApi } from './context.ts';
import { wantsHtml } from './context.ts';
import type { DraftStore } from './drafts/draft-store.ts';
import { ConsoleError } from './errors.ts';
import { toConsoleError } from './error-mapping.ts';
import { jobManagerAccess, type JobManagerUrl } from './kube/jobmanager-access.ts';
import { page } from './ui/layout.ts';
import { html } from './ui/html.ts';
import { staticRoutes } from './routes/static.ts';
import { sessionRoutes } from './routes/session.ts';
import { artifactRoutes } from './routes/artifacts.ts';
import { logRoutes } from './routes/logs.ts';
import { namespaceRoutes } from './routes/namespaces.ts';
import { deploymentRoutes } from './routes/deployments.ts';
import { deploymentPageRoutes } from './routes/deployment-page.ts';
import { draftRoutes } from './routes/drafts.ts';

/** Every route group of the console, registered in this order. Add a module here to add routes. */
export const ROUTE_MODULES: ConsoleRoutes[] = [staticRoutes, sessionRoutes, namespaceRoutes, deploymentRoutes, deploymentPageRoutes, draftRoutes, artifactRoutes, logRoutes];

export const SESSION_COOKIE = 'millrace_session';

export interface ConsoleServerOptions {
  /** The console's own connection: the API server address and CA (and its service identity). */
  connection: KubeConnection;
  log: Logger;
  /** Where JobManagers answer; default their in-cluster Service. */
  jobManagerUrl?: JobManagerUrl;
  drafts?: DraftStore;
  now?: () => number;
  /** Mark the session cookie Secure (behind HTTPS). Default true; false for http://localhost. */
  secureCookies?: boolean;
  sessionLimits?: SessionLimits;
  /** Extra route groups (tests; other parts of the project add theirs to ROUTE_MODULES). */
  extraRoutes?: ConsoleRoutes[];
}

interface SessionData { kube: KubeRest; connection: KubeConnection; access: AccessCache }

function makeUser(identity: { name: string; groups: string[]; uid?: string }, data: SessionData): ConsoleUser {
  const canI = async (a: AccessAttributes) => {
    const cached = data.access.get(a);
    if (cached !== undefined) return cached;
    const allowed = await selfAccessReview(data.kube, a);
    data.access.set(a, allowed);
    return allowed;
  };
  return {
    ...identity,
    kube: data.kube,
    connection: data.connection,
    canI,
    async require(a) {
      if (await canI(a)) return;
      const what = `${a.verb} ${a.group ? `${a.resource}.${a.group}` : a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.name ? ` "${a.name}"` : ''}`;
      throw new ConsoleError('MR_ERR_CONSOLE_FORBIDDEN', `${identity.name} may not ${what}${a.namespace ? ` in namespace ${a.namespace}` : ''} (Kubernetes RBAC); ask an owner of the namespace for the role`);
    },
  };
}

export async function createConsoleServer(o: ConsoleServerOptions): Promise<FastifyInstance> {
  const now = o.now ?? Date.now;
  const service = new KubeRest(o.connection);
  const sessions = new SessionStore<SessionData>(now, o.sessionLimits ?? DEFAULT_SESSION_LIMITS);
  // bearer-token clients: the identity is kept a minute, keyed by the token's hash, never the token
  const bearers = new BearerCache<SessionData>(now);
  const newData = (token: string): SessionData => {
    const connection = userConnection(o.connection, token);
    return { kube: new KubeRest(connection, { timeoutMs: 15_000, maxConnections: 8 }), connection, access: new AccessCache(now) };
  };

  async function optionalUser(request: FastifyRequest): Promise<ConsoleUser | undefined> {
    const auth = request.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      // API clients: the token itself, checked on every request (nothing is kept)
      const token = auth.slice(7).trim();
      const hit = bearers.get(token);
      if (hit) return makeUser(hit.identity, hit.data);
      const data = newData(token);
      const identity = await whoAmI(data.kube);
      bearers.create(identity, token, data);
      return makeUser(identity, data);
    }
    const s = sessions.get(request.cookies[SESSION_COOKIE]);
    return s ? makeUser(s.identity, s.data) : undefined;
  }

  const sessionApi: SessionApi = {
    async signIn(token: string) {
      const data = newData(token);
      const identity = await whoAmI(data.kube);
      return { id: sessions.create(identity, token, data).id, identity };
    },
    signOut: (id: string | undefined) => sessions.delete(id),
    cookieName: SESSION_COOKIE,
    cookieOptions: { path: '/', httpOnly: true, sameSite: 'strict', secure: o.secureCookies ?? true, maxAge: Math.floor((o.sessionLimits ?? DEFAULT_SESSION_LIMITS).maxAgeMs / 1000) },
  };

  const ctx: ConsoleContext = {
    sessions: sessionApi,
    optionalUser,
    async user(request) {
      const u = await optionalUser(request);
      if (!u) throw new ConsoleError('MR_ERR_CONSOLE_UNAUTHENTICATED', 'sign in with a Kubernetes token first (POST /api/session, or the sign-in page)');
      return u;
    },
    canI: (user, a) => user.canI(a),
    service,
    jobManagers: jobManagerAccess(deploymentKeys(service), o.jobManagerUrl),
    drafts: o.drafts,
    now,
    log: o.log,
  };

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false });
  await app.register(cookie);
  // HTML forms post urlencoded bodies; parsed with the platform's URLSearchParams
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization) return;
    const refusal = crossSiteRefusal(request.method, request.headers);
    if (refusal) throw new ConsoleError('MR_ERR_CONSOLE_CROSS_SITE', `cross-site request refused: ${refusal}`);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    // no framing by other sites, no sniffing, scripts only from this console
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'");
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });

  app.setErrorHandler(async (err, request, reply: FastifyReply) => {
    const e = toConsoleError(err);
    if (e.code === 'MR_ERR_CONSOLE_INTERNAL') o.log.error({ err, url: request.url }, 'console request failed');
    else o.log.debug({ code: e.code, url: request.url }, e.message);
    if (wantsHtml(request)) {
      if ((e.code === 'MR_ERR_CONSOLE_UNAUTHENTICATED' || e.code === 'MR_ERR_CONSOLE_TOKEN_INVALID') && request.method === 'GET') {
        return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
      }
      const user = await optionalUser(request).catch(() => undefined);
      return reply.code(e.statusCode).type('text/html').send(page(`Error ${e.statusCode}`, html`<p role="alert" class="flash error"><code>${e.code}</code>: ${e.message}</p><p><a href="/">Back to namespaces</a></p>`, user));
    }
    return reply.code(e.statusCode).send({ error: { code: e.code, message: e.message } });
  });
  app.setNotFoundHandler(async (request) => {
    throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `no such page or endpoint: ${request.method} ${request.url.split('?')[0]}`);
  });

  for (const routes of [...ROUTE_MODULES, ...(o.extraRoutes ?? [])]) {
    await app.register(async (child) => { await routes(child, ctx); });
  }
  return app;
}
