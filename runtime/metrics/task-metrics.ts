// What a task reports to its TaskManager (and on to the JobManager's REST API and /metrics).

import type { ConnectorMetricsSnapshot } from './connector-metric-group.ts';
import type { SparseHistogram } from './latency-histogram.ts';

export interface TaskMetrics {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly inputWatermark: number;
  readonly outputWatermark: number;
  /** share of wall time spent waiting for output capacity, 0..1 */
  readonly backpressureRatio: number;
  readonly busyRatio: number;
  readonly backpressuredMs: number;
  readonly outputBacklog: number;
  readonly latencyP99Ms: number | undefined;
  readonly latencySamples: number;
  readonly latencyHistogram?: SparseHistogram;
  /** records, bytes and lag of the task's source and sink connectors (runtime/connectors/metrics) */
  readonly connectors?: ConnectorMetricsSnapshot[];
}
