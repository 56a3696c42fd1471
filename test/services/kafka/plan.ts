// Pure decisions of the local Kafka broker (paths, broker config, reuse or restart), kept apart
// from process handling so they are unit-tested.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Pinned Apache Kafka; keep in step with pom.xml beside this file. */
export const kafka = { version: '4.4.0' } as const;

// Below Linux's ephemeral range (32768-60999), so no outgoing connection can hold them (as with MinIO's).
export const defaults = { port: 19092, controllerPort: 19093, hostPort: 19094, hostSaslPort: 19095, heapMb: 512 } as const;

/**
 * The SASL mechanisms of the host address's SASL_PLAINTEXT listener. Its users are SCRAM
 * credentials a test creates in the cluster metadata when it needs one (scram-users.ts), with a
 * password of its own, so a leak of that password can be searched for.
 */
export const hostSaslMechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

export interface KafkaPaths {
  /** jars of the pinned version (cache, survives kafka:down) */
  lib: string;
  stateDir: string;
  dataDir: string;
  configFile: string;
  log4jFile: string;
  logFile: string;
  brokerFile: string;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.MILLRACE_CACHE_DIR ?? join(env.HOME ?? homedir(), '.cache', 'millrace');
}

export function kafkaPaths(env: NodeJS.ProcessEnv = process.env): KafkaPaths {
  const root = cacheRoot(env);
  const stateDir = join(root, 'run', 'kafka');
  return {
    lib: join(root, 'kafka', kafka.version, 'lib'),
    stateDir,
    dataDir: join(stateDir, 'data'),
    configFile: join(stateDir, 'server.properties'),
    log4jFile: join(stateDir, 'log4j2.properties'),
    logFile: join(stateDir, 'broker.log'),
    brokerFile: join(stateDir, 'broker.json'),
  };
}

/** What `kafka:down` and a test run's teardown need to stop exactly the process that was started. */
export interface BrokerRecord {
  pid: number;
  /** field 22 of /proc/<pid>/stat when started: a reused pid has another */
  startTicks: string;
  version: string;
  port: number;
  /** extra address (besides loopback) with its own listener, so pods reach the broker */
  hostAddress?: string;
  /** port of the SASL_PLAINTEXT (SCRAM) listener on the host address; absent on brokers started before it existed */
  hostSaslPort?: number;
  startedAt: string;
  /** `manual` for `npm run kafka:up`, a test run's id for a broker a test run started */
  owner: string;
}

export interface Wanted {
  version: string;
  port: number;
  hostAddress?: string;
}

export type BrokerAction =
  | { kind: 'start' }
  | { kind: 'reuse'; record: BrokerRecord }
  | { kind: 'restart'; record: BrokerRecord; reason: string };

/** A broker that listens on the wanted host address also serves loopback-only callers. */
export function decideBrokerAction(running: BrokerRecord | undefined, wanted: Wanted): BrokerAction {
  if (!running) return { kind: 'start' };
  if (running.version !== wanted.version) return { kind: 'restart', record: running, reason: `it runs Kafka ${running.version}, ${wanted.version} is pinned` };
  if (running.port !== wanted.port) return { kind: 'restart', record: running, reason: `it listens on port ${running.port}, ${wanted.port} is wanted` };
  if (wanted.hostAddress && running.hostAddress !== wanted.hostAddress) {
    return { kind: 'restart', record: running, reason: `it does not listen on ${wanted.hostAddress} yet` };
  }
  if (wanted.hostAddress && running.hostSaslPort === undefined) {
    return { kind: 'restart', record: running, reason: `it has no SASL listener on ${wanted.hostAddress} yet` };
  }
  return { kind: 'reuse', record: running };
}

export interface BrokerConfigInput {
  port: number;
  controllerPort: number;
  hostPort: number;
  /** with a host address: its SASL_PLAINTEXT (SCRAM) listener's port */
  hostSaslPort?: number;
  hostAddress?: string;
  dataDir: string;
  /** extra authenticated listeners (a private test broker's; the shared broker has none) */
  security?: BrokerSecurity;
}

/**
 * Listeners with authentication, for tests of the connectors' security options. SASL listeners
 * offer PLAIN (users from `plainUsers`, in the broker's JAAS config) and SCRAM-SHA-256/512
 * (users stored in the cluster metadata: `scramFormatArgs` at format time). TLS listeners use
 * the PKCS12 keystore. Inter-broker and controller traffic stay on the PLAINTEXT loopback ones.
 */
export interface BrokerSecurity {
  saslPlaintextPort?: number;
  saslSslPort?: number;
  sslPort?: number;
  plainUsers?: Readonly<Record<string, string>>;
  keystore?: { location: string; password: string };
  /** the SSL listener requires a client certificate issued by (or equal to) one in this PEM file */
  sslClientTruststore?: string;
}

/** `kafka-storage format` arguments that create SCRAM users (`--add-scram`), one per user and mechanism. */
export function scramFormatArgs(users: Readonly<Record<string, string>>, mechanisms: readonly string[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512']): string[] {
  return Object.entries(users).flatMap(([name, password]) => mechanisms.flatMap((m) => ['--add-scram', `${m}=[name=${name},password=${password}]`]));
}

function securityConfig(s: BrokerSecurity | undefined): { listeners: string[]; protocols: string[]; lines: string[] } {
  if (!s) return { listeners: [], protocols: [], lines: [] };
  const listeners: string[] = [];
  const protocols: string[] = [];
  const lines: string[] = [];
  const sasl = (name: string) => {
    const users = Object.entries(s.plainUsers ?? {}).map(([u, p]) => ` user_${u}="${p}"`).join('');
    lines.push(
      `listener.name.${name}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required${users};`,
      `listener.name.${name}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
      `listener.name.${name}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    );
  };
  if (s.saslPlaintextPort !== undefined) {
    listeners.push(`SASL_PLAINTEXT://127.0.0.1:${s.saslPlaintextPort}`);
    protocols.push('SASL_PLAINTEXT:SASL_PLAINTEXT');
    sasl('sasl_plaintext');
  }
  if (s.saslSslPort !== undefined) {
    listeners.push(`SASL_SSL://127.0.0.1:${s.saslSslPort}`);
    protocols.push('SASL_SSL:SASL_SSL');
    sasl('sasl_ssl');
  }
  if (s.sslPort !== undefined) {
    listeners.push(`SSL://127.0.0.1:${s.sslPort}`);
    protocols.push('SSL:SSL');
    if (s.sslClientTruststore) lines.push('listener.name.ssl.ssl.client.auth=required', 'listener.name.ssl.ssl.truststore.type=PEM', `listener.name.ssl.ssl.truststore.location=${s.sslClientTruststore}`);
  }
  if (s.saslPlaintextPort !== undefined || s.saslSslPort !== undefined) lines.push('sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
  if (s.keystore) lines.push('ssl.keystore.type=PKCS12', `ssl.keystore.location=${s.keystore.location}`, `ssl.keystore.password=${s.keystore.password}`, `ssl.key.password=${s.keystore.password}`);
  return { listeners, protocols, lines };
}

/**
 * server.properties of a single-node KRaft broker that is its own controller. Loopback always;
 * with a host address two listeners there (advertised as such) for pods: HOST, plain, and
 * HOST_SASL, SASL_PLAINTEXT with SCRAM (`hostSaslMechanisms`). Replication factors are 1 (one
 * node) and the first group rebalance is not delayed, so tests do not wait 3 s.
 */
export function renderBrokerConfig(c: BrokerConfigInput): string {
  const listeners = [`PLAINTEXT://127.0.0.1:${c.port}`, `CONTROLLER://127.0.0.1:${c.controllerPort}`];
  const advertised = [`PLAINTEXT://127.0.0.1:${c.port}`];
  const protocols = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
  const hostLines: string[] = [];
  if (c.hostAddress) {
    listeners.push(`HOST://${formatHost(c.hostAddress)}:${c.hostPort}`);
    advertised.push(`HOST://${formatHost(c.hostAddress)}:${c.hostPort}`);
    protocols.push('HOST:PLAINTEXT');
    if (c.hostSaslPort !== undefined) {
      listeners.push(`HOST_SASL://${formatHost(c.hostAddress)}:${c.hostSaslPort}`);
      advertised.push(`HOST_SASL://${formatHost(c.hostAddress)}:${c.hostSaslPort}`);
      protocols.push('HOST_SASL:SASL_PLAINTEXT');
      hostLines.push(
        `listener.name.host_sasl.sasl.enabled.mechanisms=${hostSaslMechanisms.join(',')}`,
        ...hostSaslMechanisms.map((m) => `listener.name.host_sasl.${m.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`),
      );
    }
  }
  const security = securityConfig(c.security);
  listeners.push(...security.listeners);
  advertised.push(...security.listeners);
  protocols.push(...security.protocols);
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${c.controllerPort}`,
    `listeners=${listeners.join(',')}`,
    `advertised.listeners=${advertised.join(',')}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=${protocols.join(',')}`,
    `log.dirs=${c.dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'group.initial.rebalance.delay.ms=0',
    // topics are made by the tests and jobs that use them, never by a typo in a consumer
    'auto.create.topics.enable=false',
    // a deleted topic's files go a second after the deletion instead of a minute (the broker's
    // default of the topics' file.delete.delay.ms): a broker stopped soon after (bench:kafka
    // deletes its 15 GiB input) would otherwise leave them on the disk
    'log.segment.delete.delay.ms=1000',
    ...hostLines,
    ...security.lines,
    '',
  ].join('\n');
}

/** Quiet logs: warnings, plus the line that says the broker started (readiness). */
export const log4jConfig = [
  'rootLogger.level=WARN',
  'rootLogger.appenderRef.stdout.ref=STDOUT',
  'appender.stdout.type=Console',
  'appender.stdout.name=STDOUT',
  'appender.stdout.layout.type=PatternLayout',
  'appender.stdout.layout.pattern=[%d] %p %m (%c)%n',
  'logger.raftserver.name=kafka.server.KafkaRaftServer',
  'logger.raftserver.level=INFO',
  '',
].join('\n');

export const STARTED_LINE = 'Kafka Server started';

/** `host:port` clients bootstrap from: the host address listener when asked for and present. */
export function bootstrapFor(record: Pick<BrokerRecord, 'port' | 'hostAddress'>, useHostAddress: boolean): string {
  return useHostAddress && record.hostAddress ? `${formatHost(record.hostAddress)}:${defaults.hostPort}` : `127.0.0.1:${record.port}`;
}

/** `host:port` of the host address's SASL_PLAINTEXT listener, when the broker has one. */
export function saslBootstrapFor(record: Pick<BrokerRecord, 'hostAddress' | 'hostSaslPort'>): string | undefined {
  return record.hostAddress && record.hostSaslPort !== undefined ? `${formatHost(record.hostAddress)}:${record.hostSaslPort}` : undefined;
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
