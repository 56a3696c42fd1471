// The HTTP edge on a real fastify server (inject): coded errors without stacks, schema errors
// naming the field, signatures required with a key, internal routes for the Deployment's own
// processes only, the health endpoint open.
import Fastify from 'fastify';
import { pino } from 'pino';
import { z } from 'zod';
import { installErrorHandlers, parseRequest } from '../errors/http-errors.ts';
import { DeploymentKey } from './deployment-key.ts';
import { installRequestAuth } from './http-auth.ts';
import { signRequest } from './request-signing.ts';

const key = new DeploymentKey('s'.repeat(64), 'test');

async function server(withKey: boolean) {
  const app = Fastify();
  installErrorHandlers(app, pino({ level: 'silent' }));
  installRequestAuth(app, { key: withKey ? key : undefined, bodyLimit: 1024 });
  app.post('/jobs', async (req) => parseRequest(z.object({ parallelism: z.number().int().min(1) }), req.body, 'body'));
  app.post('/internal/ping', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('secret detail');
  });
  await app.ready();
  return app;
}

const signed = (method: string, url: string, payload: string | undefined, principal: 'operator' | 'jobmanager' = 'operator') => ({
  ...signRequest(key, principal, { method, path: url, body: payload }, Date.now()), ...(payload ? { 'content-type': 'application/json' } : {}),
});

test('without a key: requests pass, schema errors name the field, unknown routes and crashes are coded without details', async () => {
  const app = await server(false);
  expect((await app.inject({ method: 'POST', url: '/jobs', payload: { parallelism: 0 } })).json()).toEqual({ error: { code: 'MR_ERR_REQUEST_INVALID', message: expect.stringMatching(/^body\.parallelism: /) } });
  expect((await app.inject({ method: 'GET', url: '/nope' })).json()).toEqual({ error: { code: 'MR_ERR_ROUTE_NOT_FOUND', message: 'no route GET /nope' } });
  const boom = await app.inject({ method: 'GET', url: '/boom' });
  expect(boom.statusCode).toBe(500);
  expect(boom.json()).toEqual({ error: { code: 'MR_ERR_INTERNAL', message: 'internal error; see the process log' } });
  const bad = await app.inject({ method: 'POST', url: '/jobs', headers: { 'content-type': 'application/json' }, payload: '{x' });
  expect(bad.json().error.code).toBe('MR_ERR_REQUEST_INVALID');
  expect((await app.inject({ method: 'POST', url: '/jobs', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ parallelism: 1, pad: 'x'.repeat(2000) }) })).json().error.code).toBe('MR_ERR_REQUEST_INVALID');
});

test('with a key: unsigned refused, signed accepted, internal routes only for JobManager and TaskManager roles, /healthz open', async () => {
  const app = await server(true);
  expect((await app.inject({ method: 'POST', url: '/jobs', payload: { parallelism: 1 } })).json().error.code).toBe('MR_ERR_AUTH_MISSING');
  const body = JSON.stringify({ parallelism: 2 });
  const ok = await app.inject({ method: 'POST', url: '/jobs', headers: signed('POST', '/jobs', body), payload: body });
  expect(ok.json()).toEqual({ parallelism: 2 });
  const forbidden = await app.inject({ method: 'POST', url: '/internal/ping', headers: signed('POST', '/internal/ping', undefined) });
  expect([forbidden.statusCode, forbidden.json().error.code]).toEqual([403, 'MR_ERR_AUTH_FORBIDDEN']);
  expect((await app.inject({ method: 'POST', url: '/internal/ping', headers: signed('POST', '/internal/ping', undefined, 'jobmanager') })).json()).toEqual({ ok: true });
  expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
  expect((await app.inject({ method: 'GET', url: '/nope' })).json().error.code).toBe('MR_ERR_AUTH_MISSING');
});
