// Kafka's security properties (Flink spelling) → the client's tls/sasl settings, and the refusals
// of what would not work, each naming the option and the fix and never showing the password.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SecretResolver, createConnectorRegistry, type TableDescriptor } from '../factory/index.ts';
import { T } from '../../sql/types/data-type.ts';
import { parseJaasConfig } from './jaas-config.ts';
import { authenticationFailure } from './connection.ts';
import { kafkaConnectionSecurity, kafkaSecurity } from './security.ts';

// a self-signed CA certificate (public test data, no key)
const CA = `-----BEGIN CERTIFICATE-----
MIIBjTCCATOgAwIBAgIUDDxA3Tq5CJhLKy+xq36+8wNafX4wCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQbWlsbHJhY2UtdGVzdC1jYTAgFw0yNjEyMDcxMDUzMTNaGA8y
MTI2MTExMzEwNTMxM1owGzEZMBcGA1UEAwwQbWlsbHJhY2UtdGVzdC1jYTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABMoiecqOkRNDn4UYNbHEUCHSCwebKExaxQv8
edThNmRttkoA9m9o6oeBcuTQ3UuRaix7fcaRvP2jLXHP3EYn5gejUzBRMB0GA1Ud
DgQWBBTif0BXpytx4W3EeHrTOe100tpL1DAfBgNVHSMEGDAWgBTif0BXpytx4W3E
eHrTOe100tpL1DAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQDn
e8aeYSwW/sti2LOEeamPdu3ki3qBnlfhwZ5tG1+BRgIgLL5oc0ETSkMNweBrNRYQ
2VM3ms5AXLWnkP4hQw5Ttn0=
-----END CERTIFICATE-----
`;
const PASSWORD = 's3cr3t-Pa55';
const plain = (user = 'alice', password = PASSWORD) => `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${password}";`;
const scram = `org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="${PASSWORD}";`;
const where = { where: "table 't'", prefix: 'properties.' };
const refusal = (p: Record<string, string>) => {
  try {
    kafkaConnectionSecurity(p, where);
  } catch (err) {
    expect((err as { code?: string }).code).toBe('MR_ERR_CONNECTOR_OPTIONS');
    expect((err as Error).message).not.toContain(PASSWORD);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('sasl.jaas.config', () => {
  test('PLAIN and SCRAM login modules, quoted values with escapes, bare values, Flink shaded class names', () => {
    expect(parseJaasConfig(plain())).toMatchObject({ mechanisms: ['PLAIN'], options: { username: 'alice', password: PASSWORD } });
    expect(parseJaasConfig(scram).mechanisms).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    expect(parseJaasConfig('  org.apache.kafka.common.security.plain.PlainLoginModule  REQUIRED\n username=alice  password="a \\"quoted\\" ;pass" ; ').options).toEqual({ username: 'alice', password: 'a "quoted" ;pass' });
    expect(parseJaasConfig('org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";').mechanisms).toContain('SCRAM-SHA-256');
  });

  test('what does not parse is described without repeating the text', () => {
    expect(() => parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule username="a" password="b";')).toThrow("expected the control flag 'required'");
    expect(() => parseJaasConfig(plain().slice(0, -1))).toThrow("missing the closing ';'");
    expect(() => parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b')).toThrow("the quoted value of option 'password' is not closed");
    expect(() => parseJaasConfig('org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;')).toThrow('OAUTHBEARER is not supported');
    expect(() => parseJaasConfig(`${plain()} ${plain()}`)).toThrow('one login module only');
  });
});

describe('security properties', () => {
  test('PLAINTEXT (the default) needs nothing; SASL and TLS become the client settings', () => {
    expect(kafkaConnectionSecurity({}, where)).toBeUndefined();
    expect(kafkaConnectionSecurity({ 'security.protocol': 'plaintext' }, where)).toBeUndefined();
    const saslPlain = kafkaConnectionSecurity({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': plain() }, where)!;
    expect(saslPlain.tls).toBeUndefined();
    expect(saslPlain.sasl).toMatchObject({ mechanism: 'PLAIN', username: 'alice', password: PASSWORD });
    const saslSsl = kafkaConnectionSecurity({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.jaas.config': scram, 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': CA }, where)!;
    expect(saslSsl.sasl).toMatchObject({ mechanism: 'SCRAM-SHA-512', username: 'bob' });
    expect(saslSsl.tls!.ca).toEqual([CA.trim()]);
    expect(saslSsl.tls!.checkServerIdentity).toBeUndefined(); // host names are checked by default
    const dir = mkdtempSync(path.join(tmpdir(), 'kafka-sec-'));
    writeFileSync(path.join(dir, 'ca.pem'), CA + CA);
    const ssl = kafkaConnectionSecurity({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': path.join(dir, 'ca.pem'), 'ssl.endpoint.identification.algorithm': '' }, where)!;
    expect(ssl.tls!.ca).toHaveLength(2);
    expect(ssl.tls!.checkServerIdentity!('other-host', {} as never)).toBeUndefined();
    expect(ssl.sasl).toBeUndefined();
    expect(kafkaConnectionSecurity({ 'security.protocol': 'SSL' }, where)).toEqual({ tls: {} }); // the system's CAs
  });

  test('inconsistent or unsupported combinations are refused naming the option and the fix', () => {
    expect(refusal({ 'sasl.mechanism': 'PLAIN' })).toContain("'properties.sasl.mechanism' is set but 'properties.security.protocol' is not set (PLAINTEXT): SASL needs 'properties.security.protocol' = 'SASL_SSL'");
    expect(refusal({ 'security.protocol': 'SSL', 'sasl.jaas.config': plain() })).toContain("'properties.sasl.jaas.config' is set but 'properties.security.protocol' is 'SSL'");
    expect(refusal({ 'security.protocol': 'SASL_SSL', 'sasl.jaas.config': plain() })).toContain("needs 'properties.sasl.mechanism': one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (Kafka's default, GSSAPI/Kerberos, is not supported)");
    expect(refusal({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'GSSAPI', 'sasl.jaas.config': plain() })).toContain("'properties.sasl.mechanism' = 'GSSAPI' is not supported");
    expect(refusal({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN' })).toContain("needs 'properties.sasl.jaas.config', for example org.apache.kafka.common.security.plain.PlainLoginModule required");
    expect(refusal({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': plain() })).toContain("does not serve 'properties.sasl.mechanism' = 'SCRAM-SHA-256'; use org.apache.kafka.common.security.scram.ScramLoginModule");
    expect(refusal({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': `PlainLoginModule required password="${PASSWORD}";` })).toMatch(/'properties.sasl.jaas.config' does not parse: 'PlainLoginModule' is not a login module/);
    expect(refusal({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required password="${PASSWORD}"` })).toContain("does not parse: missing the closing ';'");
    expect(refusal({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required password="${PASSWORD}";` })).toContain('has no username="..."');
    expect(refusal({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'JKS', 'ssl.truststore.location': '/x.jks' })).toContain("'properties.ssl.truststore.type' = 'JKS' is not supported: Millrace reads PEM truststores only. Set it to 'PEM'");
    expect(refusal({ 'security.protocol': 'SSL', 'ssl.truststore.location': '/x.jks' })).toContain("without 'properties.ssl.truststore.type' is a JKS truststore to Kafka");
    expect(refusal({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': '/nonexistent/ca.pem' })).toContain("cannot read '/nonexistent/ca.pem' (no such file); mount the Secret");
    expect(refusal({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': 'not a pem' })).toContain('holds no PEM certificate');
    expect(refusal({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': CA.replace('MIIB', 'XXXX') })).toContain('certificate 1 is not a valid X.509 certificate');
    expect(refusal({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': CA, 'ssl.truststore.location': '/ca.pem' })).toContain('not both');
    expect(refusal({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': plain(), 'ssl.truststore.certificates': CA })).toContain("set 'properties.security.protocol' = 'SASL_SSL' or remove 'properties.ssl.truststore.certificates'");
    expect(refusal({ 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': 'ldap' })).toContain("use 'https' (the default");
    expect(refusal({ 'security.protocol': 'TLS' })).toContain("'properties.security.protocol' = 'TLS' is not a security protocol");
  });
});

describe('on kafka and upsert-kafka tables', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kafka-sec-secrets-'));
  mkdirSync(path.join(dir, 'kafka'));
  writeFileSync(path.join(dir, 'kafka', 'password'), PASSWORD);
  writeFileSync(path.join(dir, 'kafka', 'ca.pem'), CA);
  const registry = createConnectorRegistry({ secrets: new SecretResolver(dir) });
  const columns = [{ name: 'id', type: T.bigint(false) }, { name: 'v', type: T.string() }];
  const table = (connector: string, extra: Record<string, string>): TableDescriptor => ({
    name: 'orders', columns, primaryKey: ['id'],
    options: { connector, topic: 'orders', 'properties.bootstrap.servers': '127.0.0.1:1', ...(connector === 'kafka' ? { format: 'json' } : { 'key.format': 'json', 'value.format': 'json' }), ...extra },
  });

  test('the options are accepted with a password from a Secret and a truststore in a mounted Secret', () => {
    for (const connector of ['kafka', 'upsert-kafka']) {
      const t = table(connector, {
        'properties.security.protocol': 'SASL_SSL', 'properties.sasl.mechanism': 'SCRAM-SHA-256',
        'properties.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="${secret:kafka/password}";',
        'properties.ssl.truststore.type': 'PEM', 'properties.ssl.truststore.location': path.join(dir, 'kafka', 'ca.pem'),
      });
      expect(registry.createSource(t).bounded).toBe(false);
      expect(registry.createSink(t).createSink().name).toContain(':orders');
    }
  });

  test('a refused table names the option; a password read from a Secret or written inline never shows', () => {
    for (const connector of ['kafka', 'upsert-kafka']) {
      const bad = (jaas: string) => table(connector, { 'properties.security.protocol': 'SASL_PLAINTEXT', 'properties.sasl.mechanism': 'SCRAM-SHA-256', 'properties.sasl.jaas.config': jaas });
      for (const t of [bad('org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="${secret:kafka/password}"'), bad(`org.apache.kafka.common.security.plain.PlainLoginModule required username="bob" password="${PASSWORD}";`)]) {
        let message = '';
        try {
          registry.createSink(t);
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toMatch(/^MR_ERR_CONNECTOR_OPTIONS: table 'orders': 'properties.sasl.jaas.config' (does not parse|uses)/);
        expect(message).not.toContain(PASSWORD);
      }
      expect(() => registry.createSource(table(connector, { 'properties.sasl.mechanism': 'PLAIN' }))).toThrow("'properties.sasl.mechanism' is set but 'properties.security.protocol' is not set (PLAINTEXT)");
    }
  });

  test('DataStream code: kafkaSecurity() takes the Kafka names and resolves secret references', () => {
    const secrets = new SecretResolver(dir);
    const c = kafkaSecurity({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': plain('carol', '${secret:kafka/password}') }, { secrets })!;
    expect(c.sasl).toMatchObject({ mechanism: 'PLAIN', username: 'carol', password: PASSWORD });
    expect(() => kafkaSecurity({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': plain('carol', '${secret:kafka/password}').slice(0, -1) }, { secrets })).toThrow("'sasl.jaas.config' does not parse");
    expect(() => kafkaSecurity({ 'sasl.username': 'x' } as never)).toThrow("unsupported property 'sasl.username'");
  });
});

describe('authenticationFailure', () => {
  test('finds the explained SASL failure inside the client\'s wrappers (cause and aggregate errors)', () => {
    const auth = Object.assign(new Error("MR_ERR_KAFKA_AUTH: SASL PLAIN authentication of user 'alice' failed"), { code: 'MR_ERR_KAFKA_AUTH' });
    const network = new Error('Connection to 127.0.0.1:1 failed.', { cause: auth });
    const wrapped = new AggregateError([new AggregateError([network], 'Cannot connect to any broker.')], 'metadata failed 11 times.');
    expect(authenticationFailure(wrapped)).toBe(auth);
    expect(authenticationFailure(new AggregateError([new Error('Connection to 127.0.0.1:1 failed.', { cause: new Error('ECONNREFUSED') })], 'x'))).toBeUndefined();
  });
});

describe('client certificates (mutual TLS, keystore.ts)', () => {
  // test-only key of the CA certificate above (self-signed, trusted nowhere), and the two as a PKCS12 file
  const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJOrHFlCX4ROP31cj
z45hvirUAgsURh0f0jFCigQ/FRihRANCAATKInnKjpETQ5+FGDWxxFAh0gsHmyhM
WsUL/HnU4TZkbbZKAPZvaOqHgXLk0N1LkWose33Gkbz9oy1xz9xGJ+YH
-----END PRIVATE KEY-----
`;
  const P12 = Buffer.from('MIIEHAIBAzCCA9IGCSqGSIb3DQEHAaCCA8MEggO/MIIDuzCCAnIGCSqGSIb3DQEHBqCCAmMwggJfAgEAMIICWAYJKoZIhvcNAQcBMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhtF/FPU2zjowICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEELjMD7V3j7Tjl2hYRLOs77mAggHwbnEuZr1oJD5qGhAwdXfL+nj67Uv9FprEKrSTymUxo2rHqCIF6OrhAkwmj/DSNtAEv9f8U9yOtwsMNH1lYQTODxiNKyLLlGp0wUtJ4DiHxuTyH8ojtkPKdNy/1hEC4dNkI+CHBosjsMt1I7+IaLFH22zqgocVTfK2b7k2LQv1U0U563o4KS/rbHDHbF+/M0MIMuBMWwvTH0EVQ8FkNvSDzj5EKEdXiYeh74nPOIQXXcUWw7lymsszfptkZSGMVOeg7az2/D+JVwX74GzRtIW9NO73V/EloOlrNnQ5HJJLqa1XERHultfmBDhsKnmxFP8kTafxt3OHMiLLPCLaskvu9lAVkknw1Yb2l7WYatCkGTg2cTZFRtwtmKZEcFcmG/TpCkiuk1A+WnqdvqRWNbag1IuqNtSDAXXJ4if3TPFa0uTJ4xiykbXslm46mAVYG0aB2uiZ81pTPz1+ylQYOWperiRMEWlyhabswp+QMUKn9I1i9u50JDMTxQB2XshsQqM7yTEE8tlJvYRFprNHKqYtAImAdP6dLa5wLGDrfSpXJxhmkRdkDYa3L7UBtvmsgP07sFFeQLM1BUilEACJbhmcHg6fUADkxiUwReWiuLNMRnHKAqvWRhfHLy/HYvzTiU2/S9UZc4snH+6uAY2O9uI/NTCCAUEGCSqGSIb3DQEHAaCCATIEggEuMIIBKjCCASYGCyqGSIb3DQEMCgECoIHvMIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAh/0AXTw89XBAICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEHE2kvf02nuJ1ZnDLAykw9sEgZCXC1qQA9zZTO/H4uuJ7c7Z/QWIXatssgG/50UMRRNPGlFH7KatxgePCGQ/0JtuWyaRstDrBKfVdt0/SqPNQy7FFPL+FT8ziiPHE8KRpr1/xs7T3iVg2b4GlkE1ml+u07X+ZZ5FVAjg/ZBMWtxm8C0nvZJeZz6sNU9Ph+isUXImgHXtTDt0c+/EJDgQjO9jxWwxJTAjBgkqhkiG9w0BCRUxFgQUv+gLWFk5gcf16Hni6zjUlwQ7lNMwQTAxMA0GCWCGSAFlAwQCAQUABCCfvjpUGhq0Uc+P0z7TCWpKoPDHq44wnptzKyJwBvr7RAQI70sa3kJ+ogsCAggA', 'base64');
  const dir = mkdtempSync(path.join(tmpdir(), 'kafka-keystore-'));
  writeFileSync(path.join(dir, 'client.p12'), P12);
  writeFileSync(path.join(dir, 'client.pem'), KEY + CA);
  const ssl = { 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': CA };

  test('a PKCS12 keystore with its password, a PEM file, or inline PEM become the client certificate', () => {
    const p12 = kafkaConnectionSecurity({ ...ssl, 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': path.join(dir, 'client.p12'), 'ssl.keystore.password': 'p12-test-pass' }, where)!;
    expect(p12.tls).toMatchObject({ pfx: P12, passphrase: 'p12-test-pass', ca: [CA.trim()] });
    const pemFile = kafkaConnectionSecurity({ ...ssl, 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': path.join(dir, 'client.pem') }, where)!;
    expect(pemFile.tls).toMatchObject({ key: KEY.trim(), cert: CA.trim() });
    const inline = kafkaConnectionSecurity({ ...ssl, 'ssl.keystore.type': 'PEM', 'ssl.keystore.key': KEY, 'ssl.keystore.certificate.chain': CA }, where)!;
    expect(inline.tls).toMatchObject({ key: KEY.trim(), cert: CA.trim() });
  });

  test('a wrong password, a foreign key, JKS and half-given PEM are refused naming the option, without the password', () => {
    const wrong = refusal({ ...ssl, 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': path.join(dir, 'client.p12'), 'ssl.keystore.password': PASSWORD });
    expect(wrong).toContain("the client keystore ('properties.ssl.keystore.location') is refused: the password ('properties.ssl.keystore.password') does not open it");
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(refusal({ ...ssl, 'ssl.keystore.type': 'PEM', 'ssl.keystore.key': other, 'ssl.keystore.certificate.chain': CA })).toContain('the private key does not belong to the certificate');
    expect(refusal({ ...ssl, 'ssl.keystore.location': '/client.jks' })).toContain("without 'properties.ssl.keystore.type' is a JKS keystore to Kafka; Millrace reads PKCS12 and PEM keystores");
    expect(refusal({ ...ssl, 'ssl.keystore.type': 'PEM', 'ssl.keystore.key': KEY })).toContain("needs 'properties.ssl.keystore.location' (a PEM file with the private key and the certificate chain) or both");
    expect(refusal({ ...ssl, 'ssl.keystore.type': 'PEM', 'ssl.keystore.key': CA, 'ssl.keystore.certificate.chain': CA })).toContain("'properties.ssl.keystore.key' holds no PEM private key");
    expect(refusal({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': path.join(dir, 'client.p12') })).toContain("which does not use TLS; set 'properties.security.protocol' = 'SSL'");
  });
});
