// Prometheus cannot sign requests: with a Deployment key, GET /metrics answers unsigned (it is
// reachable only where the Deployment's NetworkPolicy admits a peer: its own pods, the operator,
// the API server's proxy that RBAC decides), while every other route, and any other method on
// /metrics, still needs a signature.
import Fastify from 'fastify';
import { pino } from 'pino';
import { installErrorHandlers } from '../errors/http-errors.ts';
import { DeploymentKey } from './deployment-key.ts';
import { installRequestAuth } from './http-auth.ts';

test('with a key: GET /metrics is open to a scraper, POST /metrics and the job routes are not', async () => {
  const app = Fastify();
  installErrorHandlers(app, pino({ level: 'silent' }));
  installRequestAuth(app, { key: new DeploymentKey('m'.repeat(64), 'test'), bodyLimit: 1024 });
  app.get('/metrics', async () => 'millrace_up 1\n');
  app.post('/metrics', async () => ({ changed: true }));
  app.get('/jobs', async () => ({ jobs: [] }));
  await app.ready();
  const scrape = await app.inject({ method: 'GET', url: '/metrics' });
  expect([scrape.statusCode, scrape.body]).toEqual([200, 'millrace_up 1\n']);
  expect((await app.inject({ method: 'POST', url: '/metrics' })).json().error.code).toBe('MR_ERR_AUTH_MISSING');
  expect((await app.inject({ method: 'GET', url: '/jobs' })).json().error.code).toBe('MR_ERR_AUTH_MISSING');
  expect((await app.inject({ method: 'GET', url: '/metrics/../jobs' })).json().error?.code).toBe('MR_ERR_AUTH_MISSING');
  await app.close();
});
