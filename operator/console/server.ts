// The Millrace console: a fastify server that renders pages and answers a JSON API, acting as
// the signed-in user for every Kubernetes call. Layers, in the order a request passes them:
// authentication (sealed session cookie, or bearer token → identity by SelfSubjectReview; an
// OpenID Connect sign-in maps the ID token to a user the console impersonates), cross-site
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
import { randomBytes } from 'node:crypto';
import { BearerCache } from './auth/sessions.ts';
import { DEFAULT_SESSION_LIMITS, SessionCookies, type Session, type SessionKeys, type SessionLimits } from './auth/session-cookie.ts';
import { OidcLogin, withinPrefixes, type OidcOptions, type OidcTokens } from './auth/oidc.ts';
import { OidcRenewal } from './auth/oidc-renewal.ts';
import type { Identity } from './auth/identity.ts';
import { impersonatingConnection, userConnection } from './auth/user-connection.ts';
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
import { oidcRoutes } from './routes/oidc.ts';
import { artifactRoutes } from './routes/artifacts.ts';
import { logRoutes } from './routes/logs.ts';
import { namespaceRoutes } from './routes/namespaces.ts';
import { deploymentRoutes } from './routes/deployments.ts';
import { deploymentPageRoutes } from './routes/deployment-page.ts';
import { draftRoutes } from './routes/drafts.ts';

/** Every route group of the console, registered in this order. Add a module here to add routes. */
export const ROUTE_MODULES: ConsoleRoutes[] = [staticRoutes, sessionRoutes, oidcRoutes, namespaceRoutes, deploymentRoutes, deploymentPageRoutes, draftRoutes, artifactRoutes, logRoutes];

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
  /**
   * Key material (at least 32 bytes) that seals session cookies; give the same key (a Secret) to
   * every replica and restart and sessions survive. Default: random per process (a restart signs everyone out).
   * With `{ current, previous }` the newest key seals and previous keys still open (key rotation).
   */
  sessionKey?: SessionKeys;
  /** OpenID Connect sign-in; the console impersonates the mapped identity (needs `impersonate`, rbac.ts). */
  oidc?: OidcOptions;
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
  if (!o.sessionKey) o.log.warn('no session key given (--session-key-file): sessions end when this console stops');
  const sessionKey = o.sessionKey ?? randomBytes(48);
  const sessions = new SessionCookies(sessionKey, now, o.sessionLimits ?? DEFAULT_SESSION_LIMITS);
  const oidc = o.oidc ? new OidcLogin(o.oidc, now) : undefined;
  const renewal = oidc ? new OidcRenewal({ refresh: (rt, user) => oidc.refresh(rt, user), cookies: sessions, now, providerName: oidc.providerName }) : undefined;
  // bearer-token clients: the identity is kept a minute, keyed by the token's hash, never the token
  const bearers = new BearerCache<SessionData>(now);
  // per-session clients and access caches, rebuilt from the cookie when missing (after a restart)
  const sessionData = new BearerCache<SessionData>(now, 5 * 60_000, 10_000);
  const withConnection = (connection: KubeConnection): SessionData =>
    ({ kube: new KubeRest(connection, { timeoutMs: 15_000, maxConnections: 8 }), connection, access: new AccessCache(now) });
  const newData = (token: string): SessionData => withConnection(userConnection(o.connection, token));
  // keyed by session id and identity: a renewed OIDC session whose groups changed gets a new client
  const dataKey = (s: Session) => `${s.sid}\n${s.identity.name}\n${s.identity.groups.join('\n')}`;
  const dataOf = (s: Session): SessionData => {
    const hit = sessionData.get(dataKey(s));
    if (hit) return hit.data;
    const data = s.grant.kind === 'token' ? newData(s.grant.token) : withConnection(impersonatingConnection(o.connection, s.identity));
    sessionData.create(s.identity, dataKey(s), data);
    return data;
  };
  // a session whose idle clock moved on (or that was renewed at the provider) gets its re-sealed cookie with the response
  const refreshedCookies = new WeakMap<FastifyRequest, string>();
  // why a request's session ended at the provider: shown on the sign-in page it is sent to
  const endedSessions = new WeakMap<FastifyRequest, ConsoleError>();

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
    const opened = await sessions.open(request.cookies[SESSION_COOKIE]);
    if (!opened) return undefined;
    let session = opened.session;
    if (session.grant.kind === 'oidc') {
      if (!renewal) return undefined; // OIDC sessions only while OIDC is configured
      // an expired ID token: renewed with the refresh token, or the session ends (signed out at the provider)
      const current = await renewal.current(session);
      if ('ended' in current) {
        endedSessions.set(request, current.ended);
        return undefined;
      }
      session = current.session;
      if (current.cookie) refreshedCookies.set(request, current.cookie);
      else if (opened.refreshed) refreshedCookies.set(request, opened.refreshed);
      // impersonated only within the configured prefixes
      if (!withinPrefixes(session.identity, o.oidc!)) return undefined;
    } else if (opened.refreshed) refreshedCookies.set(request, opened.refreshed);
    return makeUser(session.identity, dataOf(session));
  }

  const sessionApi: SessionApi = {
    async signIn(token: string) {
      const data = newData(token);
      const identity = await whoAmI(data.kube);
      const { session, cookie } = await sessions.create(identity, { kind: 'token', token });
      sessionData.create(identity, dataKey(session), data);
      return { id: cookie, identity };
    },
    async signInAs(tokens: OidcTokens) {
      const mapped = tokens.identity;
      // the API server confirms the impersonated identity (and that the console may impersonate)
      const data = withConnection(impersonatingConnection(o.connection, mapped));
      let identity: Identity;
      try {
        identity = await whoAmI(data.kube);
      } catch (err) {
        const e = toConsoleError(err);
        if (e.code === 'MR_ERR_CONSOLE_FORBIDDEN') throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SIGN_IN', `the console may not impersonate ${mapped.name}: its ServiceAccount needs \`impersonate\` on users and groups (chart value console.oidc.enabled, operator/console/rbac.ts)`, { cause: err });
        throw err;
      }
      const { session, cookie } = await sessions.create({ name: mapped.name, groups: mapped.groups }, { kind: 'oidc', expiresAt: tokens.expiresAt, ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}) });
      sessionData.create(session.identity, dataKey(session), data);
      return { id: cookie, identity: { ...identity, name: mapped.name } };
    },
    async signOut(cookie: string | undefined) {
      const opened = await sessions.open(cookie);
      if (!opened) return;
      sessions.revoke(opened.session);
      // an OIDC session's refresh token is revoked at the provider too (best effort: sign-out here holds anyway)
      const grant = opened.session.grant;
      if (grant.kind === 'oidc' && grant.refreshToken && oidc) {
        await oidc.revoke(grant.refreshToken).catch((err: unknown) => o.log.warn({ err, user: opened.session.identity.name }, 'the OpenID provider did not revoke the refresh token at sign-out'));
      }
    },
    oidc,
    keyMaterial: sessionKey,
    cookieName: SESSION_COOKIE,
    cookieOptions: { path: '/', httpOnly: true, sameSite: 'strict', secure: o.secureCookies ?? true, maxAge: Math.floor((o.sessionLimits ?? DEFAULT_SESSION_LIMITS).maxAgeMs / 1000) },
  };

  const ctx: ConsoleContext = {
    sessions: sessionApi,
    optionalUser,
    async user(request) {
      const u = await optionalUser(request);
      if (!u) throw endedSessions.get(request) ?? new ConsoleError('MR_ERR_CONSOLE_UNAUTHENTICATED', 'sign in with a Kubernetes token first (POST /api/session, or the sign-in page)');
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
  app.addHook('onSend', async (request, reply, payload) => {
    const refreshed = refreshedCookies.get(request);
    if (refreshed && !reply.getHeader('set-cookie')) reply.setCookie(SESSION_COOKIE, refreshed, sessionApi.cookieOptions);
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
      if (e.code === 'MR_ERR_CONSOLE_OIDC_SESSION_ENDED') {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.redirect(`/sign-in?next=${encodeURIComponent(request.method === 'GET' ? request.url : '/')}&error=${encodeURIComponent(`${e.code}: ${e.message}`)}`, 303);
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
