// The operator's Prometheus metrics, on a registry passed in (no global default registry).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  reconciles: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller' | 'code'>;
  reconcileDuration: Histogram<'controller'>;
  queueDepth: Gauge<'controller'>;
  objectsByPhase: Gauge<'kind' | 'phase'>;
  informerRestarts: Counter<'kind'>;
  isLeader: Gauge;
  apiRequests: Counter<'verb' | 'resource' | 'code'>;
  apiRequestDuration: Histogram<'verb'>;
  /** Writes left out because the API server already holds what they would write. */
  writesSkipped: Counter<'kind'>;
}

export function createOperatorMetrics(opts: { defaultMetrics?: boolean } = {}): OperatorMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'millrace_operator_' });
  return {
    registry,
    reconciles: new Counter({ name: 'millrace_operator_reconciles_total', help: 'Reconciles by controller and result (success, requeue, error).', labelNames: ['controller', 'result'], registers: [registry] }),
    reconcileErrors: new Counter({ name: 'millrace_operator_reconcile_errors_total', help: 'Failed reconciles by controller and error code.', labelNames: ['controller', 'code'], registers: [registry] }),
    reconcileDuration: new Histogram({ name: 'millrace_operator_reconcile_duration_seconds', help: 'Time spent in one reconcile.', labelNames: ['controller'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    queueDepth: new Gauge({ name: 'millrace_operator_queue_depth', help: 'Keys waiting in the work queue of each controller.', labelNames: ['controller'], registers: [registry] }),
    objectsByPhase: new Gauge({ name: 'millrace_operator_objects', help: 'Millrace objects by kind and status.phase.', labelNames: ['kind', 'phase'], registers: [registry] }),
    informerRestarts: new Counter({ name: 'millrace_operator_informer_restarts_total', help: 'Informer restarts after watch errors.', labelNames: ['kind'], registers: [registry] }),
    apiRequests: new Counter({ name: 'millrace_operator_api_requests_total', help: 'Requests to the Kubernetes API server by verb, resource and HTTP status (0: no answer); watches not included.', labelNames: ['verb', 'resource', 'code'], registers: [registry] }),
    apiRequestDuration: new Histogram({ name: 'millrace_operator_api_request_duration_seconds', help: 'Duration of requests to the Kubernetes API server.', labelNames: ['verb'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    writesSkipped: new Counter({ name: 'millrace_operator_writes_skipped_total', help: 'Server-side applies left out because the object already holds what they would write.', labelNames: ['kind'], registers: [registry] }),
    isLeader: new Gauge({ name: 'millrace_operator_is_leader', help: '1 while this replica holds the leader lease.', registers: [registry] }),
  };
}
