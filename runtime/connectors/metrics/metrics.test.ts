import { Registry } from 'prom-client';
import { ConnectorMetricGroup } from '../../metrics/connector-metric-group.ts';
import { kafkaRecordsLag, pgTimestampToEpochMs, walLagBytes } from './lag.ts';
import { connectorSeries, registerConnectorMetrics, type SubtaskConnectors } from './prometheus.ts';
import { connectorGroup, TaskConnectorMetrics } from './task-connector-metrics.ts';

describe('connector metric groups', () => {
  test('count records and bytes read and written, and read gauges at snapshot time', () => {
    const g = new ConnectorMetricGroup('source', 'kafka', 'Source: orders');
    g.read(3, 120);
    g.read(2, 80);
    let lag = 7;
    g.setGauges({ partitionLag: () => [{ topic: 'orders', partition: 1, lag }] });
    expect(g.snapshot()).toEqual({ kind: 'source', connector: 'kafka', operator: 'Source: orders', recordsIn: 5, recordsOut: 0, bytesIn: 200, bytesOut: 0, partitionLag: [{ topic: 'orders', partition: 1, lag: 7 }] });
    lag = 0;
    expect(g.snapshot().partitionLag).toEqual([{ topic: 'orders', partition: 1, lag: 0 }]);
    const sink = new ConnectorMetricGroup('sink', 'kafka', 'Sink: out');
    sink.written(4, 40);
    sink.setGauges({ pendingTransactions: () => 2, replicationLagBytes: () => undefined });
    expect(sink.snapshot()).toEqual({ kind: 'sink', connector: 'kafka', operator: 'Sink: out', recordsIn: 0, recordsOut: 4, bytesIn: 0, bytesOut: 40, pendingTransactions: 2 });
  });

  test('a task collects the groups its operators create; outside a task a group is detached', () => {
    const task = new TaskConnectorMetrics();
    connectorGroup({ operatorName: 'Source: a', connectorMetrics: task }, 'source', 'kafka').read(1, 10);
    connectorGroup({ operatorName: 'Sink: b', connectorMetrics: task }, 'sink', 'jdbc').written(1, 5);
    expect(task.snapshot().map((s) => [s.kind, s.connector, s.operator, s.recordsIn + s.recordsOut])).toEqual([['source', 'kafka', 'Source: a', 1], ['sink', 'jdbc', 'Sink: b', 1]]);
    const detached = connectorGroup({ operatorName: 'x' }, 'sink', 'kafka');
    detached.written(1, 1);
    expect(task.snapshot()).toHaveLength(2);
  });
});

describe('lag arithmetic', () => {
  test('Kafka records-lag is log end minus position, never negative', () => {
    expect(kafkaRecordsLag(100, 40)).toBe(60);
    expect(kafkaRecordsLag(100, 100)).toBe(0);
    expect(kafkaRecordsLag(100, 101)).toBe(0);
  });
  test('WAL lag in bytes between two LSNs, 0 when caught up', () => {
    expect(walLagBytes(0x16b3748n, 0x16b3700n)).toBe(0x48);
    expect(walLagBytes(0x1_0000_0000n, 0xffff_fff0n)).toBe(16);
    expect(walLagBytes(5n, 9n)).toBe(0);
  });
  test('PostgreSQL protocol timestamps (µs since 2000) to epoch ms', () => {
    expect(pgTimestampToEpochMs(0n)).toBe(Date.UTC(2000, 0, 1));
    expect(pgTimestampToEpochMs(86_400_000_000n + 1_999n)).toBe(Date.UTC(2000, 0, 2) + 1);
  });
});

const subtasks: SubtaskConnectors[] = [
  { jobId: 'j1', vertexId: 'v0', subtaskIndex: 0, connectors: [{ kind: 'source', connector: 'kafka', operator: 'Source: in', recordsIn: 10, recordsOut: 0, bytesIn: 300, bytesOut: 0, partitionLag: [{ topic: 'in', partition: 0, lag: 4 }, { topic: 'in', partition: 1, lag: 0 }] }] },
  { jobId: 'j1', vertexId: 'v1', subtaskIndex: 1, connectors: [{ kind: 'sink', connector: 'kafka', operator: 'Sink: out', recordsIn: 0, recordsOut: 6, bytesIn: 0, bytesOut: 120, pendingTransactions: 1 }] },
  { jobId: 'j1', vertexId: 'v2', subtaskIndex: 0, connectors: [{ kind: 'source', connector: 'postgres-cdc', operator: 'Source: cdc', recordsIn: 2, recordsOut: 0, bytesIn: 50, bytesOut: 0, replicationLagBytes: 0, emitLagSeconds: 0.25 }] },
];

describe('Prometheus series of the connectors', () => {
  test('sources report records/bytes in, sinks out, with the task labels plus operator and connector', () => {
    const s = connectorSeries(subtasks);
    expect(s.get('millrace_connector_records_in_total')).toEqual([
      { labels: { job_id: 'j1', vertex_id: 'v0', subtask: '0', operator: 'Source: in', connector: 'kafka' }, value: 10 },
      { labels: { job_id: 'j1', vertex_id: 'v2', subtask: '0', operator: 'Source: cdc', connector: 'postgres-cdc' }, value: 2 },
    ]);
    expect(s.get('millrace_connector_bytes_out_total')).toEqual([{ labels: { job_id: 'j1', vertex_id: 'v1', subtask: '1', operator: 'Sink: out', connector: 'kafka' }, value: 120 }]);
    expect(s.get('millrace_connector_kafka_records_lag')?.map((p) => [p.labels.topic, p.labels.partition, p.value])).toEqual([['in', '0', 4], ['in', '1', 0]]);
    expect(s.get('millrace_connector_kafka_pending_transactions')?.map((p) => p.value)).toEqual([1]);
    expect(s.get('millrace_connector_cdc_emit_lag_seconds')?.map((p) => p.value)).toEqual([0.25]);
  });

  test('a real prom-client registry renders them as counters and gauges in the text format', async () => {
    const registry = new Registry();
    let current = subtasks;
    registerConnectorMetrics(registry, () => current);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE millrace_connector_records_in_total counter');
    expect(text).toContain('millrace_connector_records_in_total{job_id="j1",vertex_id="v0",subtask="0",operator="Source: in",connector="kafka"} 10');
    expect(text).toContain('millrace_connector_records_out_total{job_id="j1",vertex_id="v1",subtask="1",operator="Sink: out",connector="kafka"} 6');
    expect(text).toContain('# TYPE millrace_connector_kafka_records_lag gauge');
    expect(text).toContain('millrace_connector_kafka_records_lag{job_id="j1",vertex_id="v0",subtask="0",operator="Source: in",connector="kafka",topic="in",partition="0"} 4');
    expect(text).toContain('millrace_connector_cdc_replication_lag_bytes{job_id="j1",vertex_id="v2",subtask="0",operator="Source: cdc",connector="postgres-cdc"} 0');
    // a finished task leaves no series behind at the next scrape
    current = [];
    expect(await registry.metrics()).not.toContain('millrace_connector_records_in_total{');
  });
});
