// The operator's /metrics is scraped by whoever runs Prometheus, often for all tenants: it must
// not carry tenant-specific values (namespace, deployment, job, bucket, path names) as labels.
import { createOperatorMetrics } from './metrics.ts';

const ALLOWED_LABELS = new Set(['controller', 'result', 'code', 'kind', 'phase', 'verb', 'resource', 'le', 'quantile']);

test('operator metrics are labelled only by controller, kind, phase, verb, resource, result and code', async () => {
  const m = createOperatorMetrics();
  m.reconciles.inc({ controller: 'deployment', result: 'success' });
  m.reconcileErrors.inc({ controller: 'deployment', code: 'MR_ERR_JOBMANAGER_API' });
  m.reconcileDuration.observe({ controller: 'deployment' }, 0.01);
  m.objectsByPhase.set({ kind: 'Deployment', phase: 'Running' }, 1);
  m.apiRequests.inc({ verb: 'PATCH', resource: 'pods', code: '200' });
  const metrics = await m.registry.getMetricsAsJSON();
  const labels = new Set(metrics.flatMap((x) => (x.values as Array<{ labels: Record<string, unknown> }>).flatMap((v) => Object.keys(v.labels))));
  expect([...labels].filter((l) => !ALLOWED_LABELS.has(l) && !['version', 'major', 'minor', 'patch', 'space', 'type', 'kind'].includes(l))).toEqual([]);
  expect(labels.has('controller')).toBe(true);
});
