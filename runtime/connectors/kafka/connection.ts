// Connection settings shared by the Kafka source and sink, and the clients made from them
// (@platformatic/kafka; docs/architecture.md says why that client).

import type { ConnectionOptions } from '@platformatic/kafka';

export interface KafkaConnectionOptions {
  /** `host:port`, one or several (a comma-separated string is split) */
  readonly bootstrapServers: string | readonly string[];
  /** prefix of the client ids the brokers see (logs, quotas); the subtask index is appended */
  readonly clientIdPrefix?: string;
  /** TLS and SASL settings passed to the client as they are (`tls`, `sasl`, ...) */
  readonly connection?: Partial<Pick<ConnectionOptions, 'tls' | 'tlsServerName' | 'sasl' | 'connectTimeout'>>;
}

export function bootstrapList(o: KafkaConnectionOptions, where: string): string[] {
  const list = (typeof o.bootstrapServers === 'string' ? o.bootstrapServers.split(',') : [...o.bootstrapServers]).map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: bootstrapServers is empty; give the brokers as 'host:port' (for the local test broker: 127.0.0.1:19092)`);
  for (const b of list) {
    if (!/^[^:\s]+:\d+$/.test(b) && !/^\[[^\]]+\]:\d+$/.test(b)) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: bootstrap server '${b}' is not 'host:port'`);
  }
  return list;
}

export function clientBase(o: KafkaConnectionOptions, where: string, suffix: string) {
  return {
    clientId: `${o.clientIdPrefix ?? 'millrace'}-${suffix}`,
    bootstrapBrokers: bootstrapList(o, where),
    ...(o.connection ?? {}),
  };
}
