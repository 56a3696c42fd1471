// The console's HTTP edge without an API server: pages and API answer unauthenticated requests
// with the coded refusal (a browser is sent to the sign-in page), cross-site posts are refused,
// security headers are set. Everything with a real token is in test/console/ (real kube-apiserver).
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createConsoleServer } from './server.ts';
import { SessionCookies } from './auth/session-cookie.ts';

let app: FastifyInstance;
beforeAll(async () => {
  const connection = { getCurrentCluster: () => ({ server: 'https://127.0.0.1:1' }), applyToHTTPSOptions: async () => {} };
  app = await createConsoleServer({ connection, log: pino({ level: 'silent' }), secureCookies: false });
});
afterAll(() => app.close());

test('an API call without a session is refused with MR_ERR_CONSOLE_UNAUTHENTICATED', async () => {
  const res = await app.inject({ method: 'GET', url: '/api/session' });
  expect(res.statusCode).toBe(401);
  expect(res.json().error.code).toBe('MR_ERR_CONSOLE_UNAUTHENTICATED');
});

test('a browser without a session is sent to the sign-in page, which has a labelled token field', async () => {
  const res = await app.inject({ method: 'GET', url: '/api/session', headers: { accept: 'text/html' } });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/sign-in?next=%2Fapi%2Fsession');
  const signIn = await app.inject({ method: 'GET', url: '/sign-in?next=/x' });
  expect(signIn.statusCode).toBe(200);
  expect(signIn.body).toContain('<label for="token">');
  expect(signIn.headers['content-security-policy']).toContain("default-src 'self'");
  expect(signIn.headers['x-frame-options']).toBe('DENY');
});

test('sign-in without a token names the field; a post from another site is refused', async () => {
  const empty = await app.inject({ method: 'POST', url: '/api/session', payload: {} });
  expect(empty.statusCode).toBe(400);
  expect(empty.json().error).toEqual({ code: 'MR_ERR_CONSOLE_REQUEST_INVALID', message: expect.stringContaining('token') });
  const cross = await app.inject({ method: 'POST', url: '/api/session', headers: { origin: 'http://evil.example', host: 'console' }, payload: { token: 'x' } });
  expect(cross.statusCode).toBe(403);
  expect(cross.json().error.code).toBe('MR_ERR_CONSOLE_CROSS_SITE');
});

test('unknown paths are coded 404s; static assets are served from the image', async () => {
  expect((await app.inject({ method: 'GET', url: '/nope' })).json().error.code).toBe('MR_ERR_CONSOLE_NOT_FOUND');
  const css = await app.inject({ method: 'GET', url: '/static/console.css' });
  expect(css.statusCode).toBe(200);
  expect(css.headers['content-type']).toContain('text/css');
  expect((await app.inject({ method: 'GET', url: '/static/other.js' })).statusCode).toBe(404);
});

test('a sealed session cookie is honoured by a restarted console with the same key, and its idle clock moves on with a new cookie', async () => {
  const key = 'k'.repeat(48);
  let now = Date.parse('2026-12-07T10:00:00Z');
  const connection = { getCurrentCluster: () => ({ server: 'https://127.0.0.1:1' }), applyToHTTPSOptions: async () => {} };
  const start = () => createConsoleServer({ connection, log: pino({ level: 'silent' }), secureCookies: false, sessionKey: key, now: () => now });
  const { cookie } = await new SessionCookies(key, () => now).create({ name: 'alice', groups: ['team-a'] }, { kind: 'token', token: 't' });
  const restarted = await start();
  try {
    const fresh = await restarted.inject({ method: 'GET', url: '/api/session', cookies: { millrace_session: cookie } });
    expect(fresh.json()).toEqual({ user: { name: 'alice', groups: ['team-a'] } });
    expect(fresh.headers['set-cookie']).toBeUndefined();
    now += 5 * 60_000;
    const later = await restarted.inject({ method: 'GET', url: '/api/session', cookies: { millrace_session: cookie } });
    expect(later.statusCode).toBe(200);
    expect(String(later.headers['set-cookie'])).toMatch(/^millrace_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);
    // an OIDC session is not honoured by a console without OIDC (it would impersonate)
    const oidcCookie = (await new SessionCookies(key, () => now).create({ name: 'oidc:ann', groups: [] }, { kind: 'oidc', expiresAt: now + 3600_000 })).cookie;
    expect((await restarted.inject({ method: 'GET', url: '/api/session', cookies: { millrace_session: oidcCookie } })).statusCode).toBe(401);
  } finally {
    await restarted.close();
  }
});
