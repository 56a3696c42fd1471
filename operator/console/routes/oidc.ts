// Sign-in with an OpenID Connect provider (auth/oidc.ts does the protocol). /oidc/login sends the
// browser to the provider with PKCE, state and nonce sealed in a 10-minute cookie; /oidc/callback
// redeems the code, checks the ID token, maps it to a Kubernetes identity, lets the API server
// confirm it (SelfSubjectReview as the impersonated user) and opens a session.
import type { FastifyReply } from 'fastify';
import type { ConsoleRoutes } from '../context.ts';
import { wantsHtml } from '../context.ts';
import { ConsoleError } from '../errors.ts';
import { Sealer } from '../auth/session-cookie.ts';
import type { PendingSignIn } from '../auth/oidc.ts';
import { html } from '../ui/html.ts';
import { page } from '../ui/layout.ts';
import { localPath } from './session.ts';

const PENDING_COOKIE = 'millrace_oidc';
const PENDING_TTL_MS = 10 * 60_000;

export const oidcRoutes: ConsoleRoutes = (app, ctx) => {
  const oidc = ctx.sessions.oidc;
  if (!oidc) {
    app.get('/oidc/*', async () => { throw new ConsoleError('MR_ERR_CONSOLE_NOT_CONFIGURED', 'this console was started without OpenID Connect (--oidc-issuer); sign in with a Kubernetes token'); });
    return;
  }
  const sealer = new Sealer(ctx.sessions.keyMaterial, 'oidc-pending', ctx.now);
  // Lax, not Strict: the provider sends the browser back with a cross-site top-level GET, which must carry it
  const pendingCookie = { ...ctx.sessions.cookieOptions, sameSite: 'lax' as const, path: '/oidc/', maxAge: PENDING_TTL_MS / 1000 };

  app.get('/oidc/login', async (request, reply) => {
    const { next } = request.query as { next?: string };
    const { url, pending } = await oidc.start(localPath(next));
    reply.setCookie(PENDING_COOKIE, await sealer.seal({ ...pending }, PENDING_TTL_MS), pendingCookie);
    return reply.redirect(url.href, 303);
  });

  app.get('/oidc/callback', async (request, reply) => {
    reply.clearCookie(PENDING_COOKIE, { path: '/oidc/' });
    const fail = (err: unknown): FastifyReply => {
      if (!(err instanceof ConsoleError) || !wantsHtml(request)) throw err;
      ctx.log.info({ code: err.code }, err.message);
      return reply.redirect(`/sign-in?error=${encodeURIComponent(`${err.code}: ${err.message}`)}`, 303);
    };
    const p = await sealer.open(request.cookies[PENDING_COOKIE]);
    if (!p || typeof p.state !== 'string' || typeof p.nonce !== 'string' || typeof p.verifier !== 'string') {
      return fail(new ConsoleError('MR_ERR_CONSOLE_OIDC_SIGN_IN', 'no sign-in is pending in this browser (it took more than 10 minutes, or began elsewhere); sign in again'));
    }
    const pending: PendingSignIn = { state: p.state, nonce: p.nonce, verifier: p.verifier, next: localPath(p.next) };
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    let session: { id: string };
    try {
      session = await ctx.sessions.signInAs(await oidc.finish(query, pending));
    } catch (err) {
      return fail(err);
    }
    reply.setCookie(ctx.sessions.cookieName, session.id, ctx.sessions.cookieOptions);
    if (!wantsHtml(request)) return reply.redirect(pending.next, 303);
    // The session cookie is SameSite=Strict and this request began on the provider's site, so a
    // redirect would still be cross-site and arrive without it: continue from a page of our own.
    return reply.type('text/html').send(page('Signed in', html`<meta http-equiv="refresh" content="0;url=${pending.next}">
<p role="status" class="flash">Signed in. <a href="${pending.next}">Continue</a></p>`, undefined));
  });
};
