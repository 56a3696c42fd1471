// Prometheus series of the connectors, registered in the TaskManager's registry next to the
// millrace_task_* gauges and with the same labels (job_id, vertex_id, subtask), plus `operator`
// and `connector`. Values come from the slot workers' latest task snapshots, so every series is
// computed at scrape time; the record and byte counts are counters (`_total`) that restart at 0
// with a new attempt of the job, which Prometheus' rate() treats as a counter reset.
// Flink's equivalents: numRecordsIn/numBytesIn of sources, numRecordsOut/numBytesOut of sinks,
// the Kafka consumer's records-lag per partition, and Flink CDC's currentEmitEventTimeLag.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConnectorMetricsSnapshot } from '../../metrics/connector-metric-group.ts';

/** The connector snapshots of one running subtask. */
export interface SubtaskConnectors {
  readonly jobId: string;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly connectors: readonly ConnectorMetricsSnapshot[];
}

type Labels = Record<string, string>;
type Point = { labels: Labels; value: number };

const LABELS = ['job_id', 'vertex_id', 'subtask', 'operator', 'connector'] as const;

/** Every series of every connector, by metric name (pure: unit-tested without a registry). */
export function connectorSeries(subtasks: Iterable<SubtaskConnectors>): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  const add = (name: string, labels: Labels, value: number | undefined) => {
    if (value === undefined || !Number.isFinite(value)) return;
    let list = out.get(name);
    if (!list) out.set(name, (list = []));
    list.push({ labels, value });
  };
  for (const s of subtasks) {
    for (const c of s.connectors) {
      const labels: Labels = { job_id: s.jobId, vertex_id: s.vertexId, subtask: String(s.subtaskIndex), operator: c.operator, connector: c.connector };
      if (c.kind === 'source') {
        add('millrace_connector_records_in_total', labels, c.recordsIn);
        add('millrace_connector_bytes_in_total', labels, c.bytesIn);
      } else {
        add('millrace_connector_records_out_total', labels, c.recordsOut);
        add('millrace_connector_bytes_out_total', labels, c.bytesOut);
      }
      for (const p of c.partitionLag ?? []) add('millrace_connector_kafka_records_lag', { ...labels, topic: p.topic, partition: String(p.partition) }, p.lag);
      add('millrace_connector_kafka_pending_transactions', labels, c.pendingTransactions);
      add('millrace_connector_cdc_replication_lag_bytes', labels, c.replicationLagBytes);
      add('millrace_connector_cdc_emit_lag_seconds', labels, c.emitLagSeconds);
    }
  }
  return out;
}

const METRICS: ReadonlyArray<{ name: string; help: string; type: 'counter' | 'gauge'; extra?: readonly string[] }> = [
  { name: 'millrace_connector_records_in_total', help: 'Records a source connector read from the external system (Flink numRecordsIn of sources)', type: 'counter' },
  { name: 'millrace_connector_bytes_in_total', help: 'Bytes a source connector read from the external system (Flink numBytesIn)', type: 'counter' },
  { name: 'millrace_connector_records_out_total', help: 'Records a sink connector sent to the external system (Flink numRecordsOut of sinks)', type: 'counter' },
  { name: 'millrace_connector_bytes_out_total', help: 'Bytes a sink connector sent to the external system (Flink numBytesOut)', type: 'counter' },
  { name: 'millrace_connector_kafka_records_lag', help: 'Kafka source: records between the partition end (last stable offset under read_committed) and the position read (Kafka records-lag)', type: 'gauge', extra: ['topic', 'partition'] },
  { name: 'millrace_connector_kafka_pending_transactions', help: 'Kafka exactly-once sink: transactions pre-committed at a checkpoint and not yet committed', type: 'gauge' },
  { name: 'millrace_connector_cdc_replication_lag_bytes', help: 'PostgreSQL CDC source: WAL bytes between the server\'s end of WAL and the position emitted', type: 'gauge' },
  { name: 'millrace_connector_cdc_emit_lag_seconds', help: 'PostgreSQL CDC source: emit time minus commit time of the last transaction emitted (Flink currentEmitEventTimeLag)', type: 'gauge' },
];

/** Registers the connector metrics in `registry`; `subtasks` is read at every scrape. */
export function registerConnectorMetrics(registry: Registry, subtasks: () => Iterable<SubtaskConnectors>): void {
  // one computation per scrape: the registry collects its metrics in registration order, so the
  // first one computes the series and the others read them
  let cached: Map<string, Point[]> | undefined;
  const seriesOf = (name: string, first: boolean): Point[] => {
    if (first || !cached) cached = connectorSeries(subtasks());
    return cached.get(name) ?? [];
  };
  METRICS.forEach((m, i) => {
    const labelNames = [...LABELS, ...(m.extra ?? [])];
    if (m.type === 'counter') {
      new Counter({
        name: m.name, help: m.help, labelNames, registers: [registry],
        collect() {
          this.reset();
          for (const p of seriesOf(m.name, i === 0)) this.inc(p.labels, p.value);
        },
      });
    } else {
      new Gauge({
        name: m.name, help: m.help, labelNames, registers: [registry],
        collect() {
          this.reset();
          for (const p of seriesOf(m.name, i === 0)) this.set(p.labels, p.value);
        },
      });
    }
  });
}
