import { bootstrapFor, decideBrokerAction, kafka, kafkaPaths, renderBrokerConfig, saslBootstrapFor, scramFormatArgs } from './plan.ts';
import type { BrokerRecord } from './plan.ts';

const running: BrokerRecord = { pid: 42, startTicks: '100', version: kafka.version, port: 19092, startedAt: '2026-01-01T00:00:00Z', owner: 'manual' };

describe('local Kafka broker plan', () => {
  test('reuses a running broker of the pinned version on the wanted port', () => {
    expect(decideBrokerAction(running, { version: kafka.version, port: 19092 })).toEqual({ kind: 'reuse', record: running });
    expect(decideBrokerAction(undefined, { version: kafka.version, port: 19092 })).toEqual({ kind: 'start' });
  });

  test('restarts a broker that runs another version, port, or lacks the host address listener', () => {
    expect(decideBrokerAction({ ...running, version: '3.9.0' }, { version: kafka.version, port: 19092 })).toMatchObject({ kind: 'restart', reason: expect.stringContaining('3.9.0') });
    expect(decideBrokerAction(running, { version: kafka.version, port: 40000 })).toMatchObject({ kind: 'restart' });
    expect(decideBrokerAction(running, { version: kafka.version, port: 19092, hostAddress: '10.245.0.1' })).toMatchObject({ kind: 'restart', reason: expect.stringContaining('10.245.0.1') });
    // one with the host address also serves loopback-only callers
    expect(decideBrokerAction({ ...running, hostAddress: '10.245.0.1' }, { version: kafka.version, port: 19092 })).toMatchObject({ kind: 'reuse' });
    // one started before the host address had a SASL listener is restarted for pods, not for loopback callers
    expect(decideBrokerAction({ ...running, hostAddress: '10.245.0.1' }, { version: kafka.version, port: 19092, hostAddress: '10.245.0.1' })).toMatchObject({ kind: 'restart', reason: expect.stringContaining('SASL') });
    const current = { ...running, hostAddress: '10.245.0.1', hostSaslPort: 19095 };
    expect(decideBrokerAction(current, { version: kafka.version, port: 19092, hostAddress: '10.245.0.1' })).toEqual({ kind: 'reuse', record: current });
  });

  test('the config is a KRaft broker+controller on loopback, with a pod listener only when asked', () => {
    const loopback = renderBrokerConfig({ port: 19092, controllerPort: 19093, hostPort: 19094, dataDir: '/d' });
    expect(loopback).toContain('process.roles=broker,controller');
    expect(loopback).toContain('listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093\n');
    expect(loopback).toContain('transaction.state.log.replication.factor=1');
    expect(loopback).not.toContain('HOST://');
    const withHost = renderBrokerConfig({ port: 19092, controllerPort: 19093, hostPort: 19094, hostAddress: '10.245.0.1', dataDir: '/d' });
    expect(withHost).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:19092,HOST://10.245.0.1:19094\n');
    expect(bootstrapFor({ port: 19092, hostAddress: '10.245.0.1' }, true)).toBe('10.245.0.1:19094');
    expect(bootstrapFor({ port: 19092, hostAddress: '10.245.0.1' }, false)).toBe('127.0.0.1:19092');
  });

  test('with a host address pods also get a SASL_PLAINTEXT listener there, offering SCRAM only (users live in the cluster metadata)', () => {
    const config = renderBrokerConfig({ port: 19092, controllerPort: 19093, hostPort: 19094, hostSaslPort: 19095, hostAddress: '10.245.0.1', dataDir: '/d' });
    expect(config).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:19092,HOST://10.245.0.1:19094,HOST_SASL://10.245.0.1:19095\n');
    expect(config).toContain('listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT,HOST_SASL:SASL_PLAINTEXT\n');
    expect(config).toContain('listener.name.host_sasl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512\n');
    expect(config).toContain('listener.name.host_sasl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n');
    // inter-broker traffic stays plain on loopback; no PLAIN users in the config
    expect(config).toContain('inter.broker.listener.name=PLAINTEXT\n');
    expect(config).not.toContain('PlainLoginModule');
    expect(saslBootstrapFor({ hostAddress: '10.245.0.1', hostSaslPort: 19095 })).toBe('10.245.0.1:19095');
    expect(saslBootstrapFor({ hostAddress: '10.245.0.1' })).toBeUndefined();
    expect(saslBootstrapFor({})).toBeUndefined();
  });

  test('a private broker can add SASL and TLS listeners on loopback; the shared config has none there', () => {
    const shared = renderBrokerConfig({ port: 19092, controllerPort: 19093, hostPort: 19094, dataDir: '/d' });
    expect(shared).not.toMatch(/SASL|SSL|sasl|ssl/);
    const secure = renderBrokerConfig({
      port: 19292, controllerPort: 19293, hostPort: 19094, dataDir: '/d',
      security: { saslPlaintextPort: 19294, saslSslPort: 19295, plainUsers: { alice: 'pw' }, keystore: { location: '/k.p12', password: 'kp' } },
    });
    expect(secure).toContain('listeners=PLAINTEXT://127.0.0.1:19292,CONTROLLER://127.0.0.1:19293,SASL_PLAINTEXT://127.0.0.1:19294,SASL_SSL://127.0.0.1:19295\n');
    expect(secure).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:19292,SASL_PLAINTEXT://127.0.0.1:19294,SASL_SSL://127.0.0.1:19295\n');
    expect(secure).toContain('listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL\n');
    expect(secure).toContain('listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="pw";');
    expect(secure).toContain('sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    expect(secure).toContain('ssl.keystore.location=/k.p12');
    const mtls = renderBrokerConfig({ port: 19292, controllerPort: 19293, hostPort: 19094, dataDir: '/d', security: { sslPort: 19296, sslClientTruststore: '/clients.pem', keystore: { location: '/k.p12', password: 'kp' } } });
    expect(mtls).toContain('SSL://127.0.0.1:19296');
    expect(mtls).toContain('listener.name.ssl.ssl.client.auth=required\nlistener.name.ssl.ssl.truststore.type=PEM\nlistener.name.ssl.ssl.truststore.location=/clients.pem\n');
    expect(scramFormatArgs({ bob: 'x' })).toEqual(['--add-scram', 'SCRAM-SHA-256=[name=bob,password=x]', '--add-scram', 'SCRAM-SHA-512=[name=bob,password=x]']);
  });

  test('jars are cached by version, state lives in the run directory', () => {
    const paths = kafkaPaths({ MILLRACE_CACHE_DIR: '/c' });
    expect(paths.lib).toBe(`/c/kafka/${kafka.version}/lib`);
    expect(paths.stateDir).toBe('/c/run/kafka');
  });
});
