// Lag arithmetic of the connectors' gauges, kept pure.

/** Kafka records-lag of a partition: log end (or last stable offset) minus the next offset to read; never negative. */
export function kafkaRecordsLag(logEndOffset: number, position: number): number {
  return Math.max(0, logEndOffset - position);
}

/**
 * WAL bytes between the server's end of WAL and the position a CDC reader has emitted up to
 * (both LSNs as bigints); 0 when the reader is at or past it. A Number is exact up to 8 PiB of lag.
 */
export function walLagBytes(serverWalEnd: bigint, position: bigint): number {
  return serverWalEnd > position ? Number(serverWalEnd - position) : 0;
}

/** Microseconds since 2000-01-01 UTC (PostgreSQL's timestamps in the replication protocol) to epoch ms. */
export function pgTimestampToEpochMs(microsSince2000: bigint): number {
  return Number(microsSince2000 / 1000n) + Date.UTC(2000, 0, 1);
}
