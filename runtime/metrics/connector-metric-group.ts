// The metrics one connector instance (a source reader or a sink writer of one subtask) reports,
// in the spirit of Flink's connector metrics (FLIP-33): records and bytes exchanged with the
// external system, plus a few connector-specific gauges (Kafka lag per partition, pending
// transactions, CDC replication lag). Plain numbers, so the slot worker can send a snapshot to
// its TaskManager, which turns it into Prometheus series (prometheus.ts).

export type ConnectorKind = 'source' | 'sink';

/** One Kafka partition's lag: records between the log end (read_committed: last stable offset) and the reader's position. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

export interface ConnectorMetricsSnapshot {
  readonly kind: ConnectorKind;
  /** the connector's name ('kafka', 'postgres-cdc', 'jdbc', ...) */
  readonly connector: string;
  /** the operator the connector runs in (the source or sink's name in the job graph) */
  readonly operator: string;
  /** records read from the external system (sources) */
  readonly recordsIn: number;
  /** records written to the external system (sinks) */
  readonly recordsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly partitionLag?: readonly PartitionLag[];
  /** exactly-once sinks: transactions pre-committed at a checkpoint and not yet committed */
  readonly pendingTransactions?: number;
  /** CDC: WAL bytes between the server's current end of WAL and the position the source has emitted */
  readonly replicationLagBytes?: number;
  /** CDC: emit time minus commit time of the last transaction emitted (Flink's currentEmitEventTimeLag), seconds */
  readonly emitLagSeconds?: number;
}

/** Connector-specific gauges, read when a snapshot is taken (so connectors keep no copies). */
export interface ConnectorGauges {
  partitionLag?(): readonly PartitionLag[];
  pendingTransactions?(): number;
  replicationLagBytes?(): number | undefined;
  emitLagSeconds?(): number | undefined;
}

export class ConnectorMetricGroup {
  readonly kind: ConnectorKind;
  readonly connector: string;
  readonly operator: string;
  private recordsIn = 0;
  private recordsOut = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private gauges: ConnectorGauges = {};

  constructor(kind: ConnectorKind, connector: string, operator: string) {
    this.kind = kind;
    this.connector = connector;
    this.operator = operator;
  }

  /** Records (and their size in bytes, as exchanged with the external system) read by a source. */
  read(records: number, bytes: number): void {
    this.recordsIn += records;
    this.bytesIn += bytes;
  }

  /** Records (and their size in bytes) a sink handed to the external system. */
  written(records: number, bytes: number): void {
    this.recordsOut += records;
    this.bytesOut += bytes;
  }

  /** Registers the connector's gauges (replaces earlier ones). */
  setGauges(gauges: ConnectorGauges): void {
    this.gauges = gauges;
  }

  snapshot(): ConnectorMetricsSnapshot {
    const g = this.gauges;
    const lag = g.partitionLag?.();
    const pending = g.pendingTransactions?.();
    const replication = g.replicationLagBytes?.();
    const emitLag = g.emitLagSeconds?.();
    return {
      kind: this.kind, connector: this.connector, operator: this.operator,
      recordsIn: this.recordsIn, recordsOut: this.recordsOut, bytesIn: this.bytesIn, bytesOut: this.bytesOut,
      ...(lag !== undefined ? { partitionLag: lag } : {}),
      ...(pending !== undefined ? { pendingTransactions: pending } : {}),
      ...(replication !== undefined ? { replicationLagBytes: replication } : {}),
      ...(emitLag !== undefined ? { emitLagSeconds: emitLag } : {}),
    };
  }
}
