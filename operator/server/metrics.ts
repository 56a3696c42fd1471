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
    isLeader: new Gauge({ name: 'millrace_operator_is_leader', help: '1 while this replica holds the leader lease.', registers: [registry] }),
  };
}
