// Connection settings shared by the Kafka source and sink, and the clients made from them
// (@platformatic/kafka; docs/architecture.md says why that client).

import { Admin, type ConnectionOptions } from '@platformatic/kafka';

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

/**
 * The connector's explained SASL failure (MR_ERR_KAFKA_AUTH, security.ts) when it is inside a
 * client error: the client wraps it in "Connection to host:port failed." and retry aggregates.
 * A refused login is not transient, so sources and sinks fail with it instead of retrying.
 */
export function authenticationFailure(error: unknown): Error | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown, depth: number): Error | undefined => {
    if (!(e instanceof Error) || depth > 8 || seen.has(e)) return undefined;
    seen.add(e);
    if ((e as Error & { code?: unknown }).code === 'MR_ERR_KAFKA_AUTH') return e;
    for (const inner of (e as AggregateError).errors ?? []) {
      const hit = walk(inner, depth + 1);
      if (hit) return hit;
    }
    return walk(e.cause, depth + 1);
  };
  return walk(error, 0);
}

/**
 * One login to the brokers without retries: a refused login throws the connector's MR_ERR_KAFKA_AUTH
 * at once. The client treats a refused login like a network error (its connection error is marked
 * retriable whatever the cause), so a producer with `retries: 10` would try it 11 times over about
 * 13 s before failing. Other errors (a broker still starting) are left to the caller's retries.
 */
export async function checkLogin(base: ReturnType<typeof clientBase>): Promise<void> {
  const admin = new Admin({ ...base, clientId: `${base.clientId}-login`, retries: 0 });
  try {
    await admin.metadata({ topics: [] });
  } catch (error) {
    const refused = authenticationFailure(error);
    if (refused) throw refused;
  } finally {
    await admin.close().catch(() => {});
  }
}
