// Sign-in with a Kubernetes bearer token (a ServiceAccount token from `kubectl create token`, or
// an OIDC ID token where the API server accepts them) and sign-out. The API server checks the
// token (SelfSubjectReview as that token); the console keeps it server-side and gives the
// browser only a random session id in an HttpOnly, SameSite=Strict cookie.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleRoutes } from '../context.ts';
import { reply303OrJson } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { html } from '../ui/html.ts';
import { page } from '../ui/layout.ts';

/** Only local paths are followed after sign-in (no open redirect). */
export const localPath = (next: unknown) => (typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/');

export const sessionRoutes: ConsoleRoutes = (app, ctx) => {
  app.get('/sign-in', async (request, reply) => {
    const q = request.query as { next?: string; error?: string };
    const oidc = ctx.sessions.oidc;
    const withProvider = oidc
      ? html`<p><a class="button" href="/oidc/login?next=${encodeURIComponent(localPath(q.next))}">Sign in with ${oidc.providerName}</a></p>
<p class="help">Or with a Kubernetes token:</p>`
      : html``;
    const body = html`${withProvider}<form method="post" action="/api/session" class="sign-in">
  <input type="hidden" name="next" value="${localPath(q.next)}">
  <p><label for="token">Kubernetes bearer token</label><br>
  <textarea id="token" name="token" rows="4" cols="60" required autocomplete="off" spellcheck="false" aria-describedby="token-help"></textarea></p>
  <p id="token-help" class="help">The console acts as you: what you see and may do is what Kubernetes RBAC grants this token. For a service account: <code>kubectl create token NAME -n NAMESPACE</code>.</p>
  <p><button type="submit">Sign in</button></p>
</form>`;
    return reply.type('text/html').send(page('Sign in', body, undefined, q.error ? { kind: 'error', text: q.error } : undefined));
  });

  app.post('/api/session', async (request, reply) => {
    const b = (request.body ?? {}) as { token?: unknown; next?: unknown };
    const token = typeof b.token === 'string' ? b.token.trim() : '';
    if (!token) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', 'body field token is required: a Kubernetes bearer token');
    let session: Awaited<ReturnType<typeof ctx.sessions.signIn>>;
    try {
      session = await ctx.sessions.signIn(token);
    } catch (err) {
      if (err instanceof ConsoleError && err.code === 'MR_ERR_CONSOLE_TOKEN_INVALID' && request.headers.accept?.includes('text/html')) {
        return reply.redirect(`/sign-in?error=${encodeURIComponent(err.message)}&next=${encodeURIComponent(localPath(b.next))}`, 303);
      }
      throw err;
    }
    reply.setCookie(ctx.sessions.cookieName, session.id, ctx.sessions.cookieOptions);
    return reply303OrJson(request, reply, localPath(b.next), { user: { name: session.identity.name, groups: session.identity.groups } });
  });

  app.get('/api/session', async (request) => {
    const user = await ctx.user(request);
    return { user: { name: user.name, groups: user.groups } };
  });

  const signOut = async (request: FastifyRequest, reply: FastifyReply) => {
    await ctx.sessions.signOut(request.cookies[ctx.sessions.cookieName]);
    reply.clearCookie(ctx.sessions.cookieName, { path: '/' });
    return reply303OrJson(request, reply, '/sign-in', { signedOut: true });
  };
  app.post('/sign-out', signOut);
  app.delete('/api/session', signOut);
};
