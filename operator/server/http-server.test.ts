import { createHttpServer } from './http-server.ts';
import { createOperatorMetrics } from './metrics.ts';

describe('operator HTTP endpoints', () => {
  test('/healthz answers while /readyz reports why it is not ready', async () => {
    let reason: string | undefined = 'informer caches not synced';
    const metrics = createOperatorMetrics({ defaultMetrics: false });
    const app = createHttpServer({ registry: metrics.registry, notReadyReason: () => reason });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const notReady = await app.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ status: 'not ready', reason: 'informer caches not synced' });
    reason = undefined;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
  test('/metrics serves reconcile counters in Prometheus text format', async () => {
    const metrics = createOperatorMetrics({ defaultMetrics: false });
    metrics.reconciles.inc({ controller: 'deployment', result: 'success' }, 3);
    const app = createHttpServer({ registry: metrics.registry, notReadyReason: () => undefined });
    const res = await app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toContain('millrace_operator_reconciles_total{controller="deployment",result="success"} 3');
  });
});
