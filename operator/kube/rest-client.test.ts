// The client against a real HTTP server standing in for the API server's answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeApiError, KubeRest } from './rest-client.ts';

/** A server answering each request with the next of `answers` (the last one repeats). */
async function serve(answers: Array<{ status: number; headers?: Record<string, string> }>): Promise<{ rest: KubeRest; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = http.createServer((_req, res) => {
    const answer = answers[Math.min(count++, answers.length - 1)]!;
    const body = answer.status === 200
      ? { kind: 'List', items: [] }
      : { kind: 'Status', reason: 'TooManyRequests', message: 'storage is (re)initializing' };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rest = new KubeRest({ getCurrentCluster: () => ({ server: url }), applyToHTTPSOptions: async () => undefined });
  return { rest, requests: () => count, close: () => new Promise((r) => server.close(() => r())) };
}

describe('KubeRest', () => {
  test('a 429 with Retry-After is sent again after that delay, as client-go does', async () => {
    const s = await serve([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    try {
      const started = Date.now();
      await expect(s.rest.request('GET', '/apis/millrace.dev/v1alpha1/workspaces')).resolves.toEqual({ kind: 'List', items: [] });
      expect(s.requests()).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      await s.close();
    }
  });

  test('a lasting 429 reaches the caller after a bounded number of tries; a 429 without Retry-After at once', async () => {
    const lasting = await serve([{ status: 429, headers: { 'retry-after': '0' } }]);
    try {
      const e = await lasting.rest.request('GET', '/api/v1/pods').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KubeApiError);
      expect(e).toMatchObject({ status: 429, retryAfterSeconds: 0, message: expect.stringContaining('storage is (re)initializing') });
      expect(lasting.requests()).toBe(6);
    } finally {
      await lasting.close();
    }
    const plain = await serve([{ status: 429 }]);
    try {
      await expect(plain.rest.request('GET', '/api/v1/pods')).rejects.toMatchObject({ status: 429, retryAfterSeconds: undefined });
      expect(plain.requests()).toBe(1);
    } finally {
      await plain.close();
    }
  });
});
