// Issue 12, Kafka security: SQL jobs (run in this process as `millrace sql -f` runs them) write and
// read a topic through SASL PLAIN and SCRAM, with the password read from a secrets directory
// (`${secret:kafka/...}`, as a Deployment's mounted Secrets), and over TLS (SASL_SSL) trusting the
// broker's self-signed certificate from a PEM file. A wrong password fails the job with an
// authentication error naming the mechanism and the user, never the password.
// A PRIVATE broker (own ports and state; the shared one is never touched) has a SASL_PLAINTEXT and
// a SASL_SSL listener offering PLAIN (users in its JAAS config) and SCRAM-SHA-256/512 (users
// added when its storage is formatted); it is stopped in afterAll, also when a test fails.

import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import path from 'node:path';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { SecretResolver } from '../../../runtime/connectors/factory/index.ts';
import { kafkaSecurity } from '../../../runtime/connectors/kafka/security.ts';
import { kafkaSink } from '../../../runtime/connectors/kafka/sink.ts';
import { kafkaSource } from '../../../runtime/connectors/kafka/source.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { findRunningBroker, startBroker, stopBroker } from '../../services/kafka/broker.ts';
import { ensureKafkaJars } from '../../services/kafka/install.ts';
import { kafka, kafkaPaths, scramFormatArgs, type KafkaPaths } from '../../services/kafka/plan.ts';
import { createTopic, readCommitted, uniqueTopic } from './kafka-admin.ts';

jest.setTimeout(120_000);

// below the ephemeral range, away from the shared broker (19092-19094) and the broker-restart test (19192-19193)
const PORT = 19292; // PLAINTEXT (admin), controller on 19293
const SASL_PORT = 19294;
const SASL_SSL_PORT = 19295;
const SSL_PORT = 19296; // SSL with a required client certificate (mutual TLS)
const PLAIN_PASSWORD = `alice-${Math.random().toString(36).slice(2)}`;
const SCRAM_PASSWORD = `bob-${Math.random().toString(36).slice(2)}`;
const WRONG_PASSWORD = `wrong-${Math.random().toString(36).slice(2)}`;
const KEYSTORE_PASSWORD = `ks-${Math.random().toString(36).slice(2)}`;

const keytool = () => (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'keytool') : 'keytool');

describe('Kafka security options against a real broker', () => {
  let dir: string;
  let paths: KafkaPaths;
  let secretsDir: string;
  let caFile: string;
  const savedSecretsDir = process.env.MILLRACE_SECRETS_DIR;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-security-'));
    const state = path.join(dir, 'broker');
    paths = { ...kafkaPaths(), stateDir: state, dataDir: path.join(state, 'data'), configFile: path.join(state, 'server.properties'), log4jFile: path.join(state, 'log4j2.properties'), logFile: path.join(state, 'broker.log'), brokerFile: path.join(state, 'broker.json') };
    // the broker's self-signed certificate (for 127.0.0.1, where it advertises itself) and that certificate as the client's PEM truststore
    const keystore = path.join(dir, 'broker.p12');
    execFileSync(keytool(), ['-genkeypair', '-alias', 'broker', '-keyalg', 'EC', '-groupname', 'secp256r1', '-validity', '2', '-dname', 'CN=127.0.0.1', '-ext', 'SAN=ip:127.0.0.1',
      '-keystore', keystore, '-storetype', 'PKCS12', '-storepass', KEYSTORE_PASSWORD, '-keypass', KEYSTORE_PASSWORD], { stdio: 'pipe' });
    // the Secret `kafka` as the operator mounts it: one file per key
    secretsDir = path.join(dir, 'secrets');
    mkdirSync(path.join(secretsDir, 'kafka'), { recursive: true });
    caFile = path.join(secretsDir, 'kafka', 'ca.pem');
    execFileSync(keytool(), ['-exportcert', '-rfc', '-alias', 'broker', '-keystore', keystore, '-storepass', KEYSTORE_PASSWORD, '-file', caFile], { stdio: 'pipe' });
    // a client certificate for mutual TLS, in a PKCS12 keystore in the Secret; the broker trusts that certificate
    const clientKeystore = path.join(secretsDir, 'kafka', 'client.p12');
    const clientCert = path.join(dir, 'client.pem');
    execFileSync(keytool(), ['-genkeypair', '-alias', 'client', '-keyalg', 'EC', '-groupname', 'secp256r1', '-validity', '2', '-dname', 'CN=orders-job',
      '-keystore', clientKeystore, '-storetype', 'PKCS12', '-storepass', KEYSTORE_PASSWORD, '-keypass', KEYSTORE_PASSWORD], { stdio: 'pipe' });
    execFileSync(keytool(), ['-exportcert', '-rfc', '-alias', 'client', '-keystore', clientKeystore, '-storepass', KEYSTORE_PASSWORD, '-file', clientCert], { stdio: 'pipe' });
    writeFileSync(path.join(secretsDir, 'kafka', 'keystore-password'), KEYSTORE_PASSWORD);
    writeFileSync(path.join(secretsDir, 'kafka', 'password'), PLAIN_PASSWORD);
    writeFileSync(path.join(secretsDir, 'kafka', 'scram-password'), SCRAM_PASSWORD);
    writeFileSync(path.join(secretsDir, 'kafka', 'wrong-password'), WRONG_PASSWORD);
    process.env.MILLRACE_SECRETS_DIR = secretsDir; // what runSqlFile's connector registry reads secrets from

    const lib = await ensureKafkaJars(kafkaPaths().lib);
    await startBroker({
      paths, lib, version: kafka.version, port: PORT, owner: 'kafka-security-test',
      security: { saslPlaintextPort: SASL_PORT, saslSslPort: SASL_SSL_PORT, sslPort: SSL_PORT, sslClientTruststore: clientCert, plainUsers: { alice: PLAIN_PASSWORD }, keystore: { location: keystore, password: KEYSTORE_PASSWORD } },
      formatArgs: scramFormatArgs({ bob: SCRAM_PASSWORD }),
    });
  });

  afterAll(async () => {
    if (savedSecretsDir === undefined) delete process.env.MILLRACE_SECRETS_DIR;
    else process.env.MILLRACE_SECRETS_DIR = savedSecretsDir;
    if (paths) {
      const running = await findRunningBroker(paths.brokerFile);
      if (running) await stopBroker(running, paths.brokerFile);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const jaas = (mechanism: 'PLAIN' | 'SCRAM', user: string, secretKey: string) =>
    `${mechanism === 'PLAIN' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule'} required username="${user}" password="\${secret:kafka/${secretKey}}";`;

  /** The WITH options of a kafka table on the topic, through the given listener and credentials. */
  const withOptions = (topic: string, security: Record<string, string>, extra: Record<string, string> = {}) =>
    Object.entries({ connector: 'kafka', topic, format: 'json', ...security, ...extra }).map(([k, v]) => `'${k}' = '${v.replace(/'/g, "''")}'`).join(',\n  ');

  /** Writes ids 1..n through the table's options with one SQL job, reads them back with another. */
  async function roundTrip(security: Record<string, string>, n: number): Promise<unknown[][]> {
    const topic = uniqueTopic('secure');
    await createTopic(`127.0.0.1:${PORT}`, topic, 2);
    const values = Array.from({ length: n }, (_, i) => `(${i + 1}, 'name ${i + 1}')`).join(', ');
    await runSqlFile(`
CREATE TABLE secure_out (id BIGINT, name STRING) WITH (
  ${withOptions(topic, security, { 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': `${topic}-tx` })}
);
INSERT INTO secure_out VALUES ${values};`);
    // what another application sees (the test's own client, on the broker's PLAINTEXT listener); this also waits until the
    // commit markers are written, so the bounded read below (read_committed, to the latest offset) sees the rows
    const committed = await readCommitted(`127.0.0.1:${PORT}`, topic, { count: n, timeoutMs: 15_000, idleMs: 300 });
    expect(committed.map((r) => JSON.parse(r.value) as { id: number }).map((v) => v.id).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const { sinks } = await runSqlFile(`
CREATE TABLE secure_in (id BIGINT, name STRING) WITH (
  ${withOptions(topic, security, { 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset', 'properties.isolation.level': 'read_committed' })}
);
CREATE TABLE seen (id BIGINT, name STRING) WITH ('connector' = 'blackhole');
INSERT INTO seen SELECT id, name FROM secure_in;`, { collectSinks: true });
    return sinks[0]!.changelog.map((r) => [...r.values]).sort((a, b) => Number(a[0]) - Number(b[0]));
  }

  const expected = (n: number) => Array.from({ length: n }, (_, i) => [i + 1, `name ${i + 1}`]);

  test('SASL_PLAINTEXT with PLAIN: a SQL job writes exactly-once and another reads the rows back, the password from the secrets directory', async () => {
    const rows = await roundTrip({
      'properties.bootstrap.servers': `127.0.0.1:${SASL_PORT}`, 'properties.security.protocol': 'SASL_PLAINTEXT',
      'properties.sasl.mechanism': 'PLAIN', 'properties.sasl.jaas.config': jaas('PLAIN', 'alice', 'password'),
    }, 20);
    expect(rows).toEqual(expected(20));
  });

  test('SASL_SSL with SCRAM-SHA-256 and the broker certificate as a PEM truststore (host name checked)', async () => {
    const rows = await roundTrip({
      'properties.bootstrap.servers': `127.0.0.1:${SASL_SSL_PORT}`, 'properties.security.protocol': 'SASL_SSL',
      'properties.sasl.mechanism': 'SCRAM-SHA-256', 'properties.sasl.jaas.config': jaas('SCRAM', 'bob', 'scram-password'),
      'properties.ssl.truststore.type': 'PEM', 'properties.ssl.truststore.location': caFile,
    }, 20);
    expect(rows).toEqual(expected(20));
  });

  test('SSL with a client certificate (mutual TLS): PKCS12 keystore in the Secret, its password a secret reference', async () => {
    const rows = await roundTrip({
      'properties.bootstrap.servers': `127.0.0.1:${SSL_PORT}`, 'properties.security.protocol': 'SSL',
      'properties.ssl.truststore.type': 'PEM', 'properties.ssl.truststore.location': caFile,
      'properties.ssl.keystore.type': 'PKCS12', 'properties.ssl.keystore.location': path.join(secretsDir, 'kafka', 'client.p12'),
      'properties.ssl.keystore.password': '${secret:kafka/keystore-password}',
    }, 10);
    expect(rows).toEqual(expected(10));
    // the listener really asks for the certificate: a TLS client without one is turned away
    const without = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: SSL_PORT, ca: readFileSync(caFile, 'utf8') });
      socket.on('error', (e) => resolve(`error: ${e.message}`));
      socket.on('close', () => resolve('closed'));
      setTimeout(() => resolve('still open'), 10_000).unref();
    });
    // nothing is sent: a listener that did not ask would keep the connection open
    expect(without).toMatch(/^error: .*certificate/); // here: 'ssl/tls alert bad certificate'
  });

  test('DataStream code: kafkaSecurity() with SCRAM-SHA-512 over TLS, inline PEM, host name check off for a bootstrap name the certificate lacks', async () => {
    const topic = uniqueTopic('secure-ds');
    await createTopic(`127.0.0.1:${PORT}`, topic, 1);
    // the certificate names 127.0.0.1 only; 'localhost' would fail the host name check that '' turns off
    const connection = kafkaSecurity({
      'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': jaas('SCRAM', 'bob', 'scram-password'),
      'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': readFileSync(caFile, 'utf8'), 'ssl.endpoint.identification.algorithm': '',
    }, { secrets: new SecretResolver(secretsDir) });
    const bootstrapServers = `localhost:${SASL_SSL_PORT}`;
    const ids = Array.from({ length: 10 }, (_, i) => ({ id: i }));
    await executeLocally(defineJob({ name: 'ds-write', build: (env) => env.fromElements(ids).sinkTo(kafkaSink<{ id: number }>({ bootstrapServers, topic, ...(connection ? { connection } : {}) })) }), { parallelism: 1 }).done;
    const back: number[] = [];
    await executeLocally(defineJob({
      name: 'ds-read',
      build: (env) => env.fromSource(kafkaSource<number>({ bootstrapServers, topics: [topic], startingOffsets: 'earliest', stoppingOffsets: 'latest', ...(connection ? { connection } : {}), deserializer: (r) => (JSON.parse(r.value!.toString('utf8')) as { id: number }).id })).sinkTo(collectSink(back)),
    }), { parallelism: 1 }).done;
    expect(back.sort((a, b) => a - b)).toEqual(ids.map((o) => o.id));
  });

  test('a wrong password fails the job with an authentication error naming the mechanism and user, not the password', async () => {
    const topic = uniqueTopic('secure-denied');
    await createTopic(`127.0.0.1:${PORT}`, topic, 1);
    const started = Date.now();
    const failure = await runSqlFile(`
CREATE TABLE denied (id BIGINT, name STRING) WITH (
  ${withOptions(topic, { 'properties.bootstrap.servers': `127.0.0.1:${SASL_PORT}`, 'properties.security.protocol': 'SASL_PLAINTEXT', 'properties.sasl.mechanism': 'SCRAM-SHA-256', 'properties.sasl.jaas.config': jaas('SCRAM', 'bob', 'wrong-password') })}
);
INSERT INTO denied VALUES (1, 'a');`).then(() => undefined, (error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    const text = `${failure!.message}\n${String((failure as Error & { cause?: unknown }).cause ?? '')}`;
    expect(text).toContain('MR_ERR_KAFKA_AUTH: SASL SCRAM-SHA-256 authentication of user \'bob\' failed');
    expect(text).toContain("check the username and password in 'properties.sasl.jaas.config'");
    expect(text).not.toContain(WRONG_PASSWORD);
    expect(text).not.toContain(SCRAM_PASSWORD);
    // one login, no retries (the client alone would try 11 times over about 13.5 s)
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
