// Kafka's client security properties, spelled as Flink users write them (`properties.` + the
// Kafka client's name in SQL and pipelines, the bare Kafka name from DataStream code), turned into
// the `tls` and `sasl` connection settings of @platformatic/kafka:
//   security.protocol                      PLAINTEXT (default), SASL_PLAINTEXT, SASL_SSL, SSL
//   sasl.mechanism                         PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
//   sasl.jaas.config                       PlainLoginModule / ScramLoginModule with username and password
//   ssl.truststore.type                    PEM only (JKS and PKCS12 are refused with the conversion)
//   ssl.truststore.location                a PEM file of CA certificates (e.g. in a mounted Secret)
//   ssl.truststore.certificates            the same, inline
//   ssl.endpoint.identification.algorithm  https (default: the host name is checked) or '' (not checked)
//   ssl.keystore.* , ssl.key.password      the client certificate of mutual TLS (keystore.ts): PKCS12 or PEM
// Inconsistent combinations are refused naming the option and the fix. No message ever holds the
// JAAS text or the password; an authentication failure names the mechanism and the user.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { saslPlain, saslScramSha, type SASLCustomAuthenticator } from '@platformatic/kafka';
import { ConnectorError } from '../factory/errors.ts';
import { stringOption, enumOption } from '../factory/options.ts';
import { SecretResolver } from '../factory/secrets.ts';
import type { KafkaConnectionOptions } from './connection.ts';
import { clientCertificate, KEYSTORE_KEYS, type KeystoreProperties } from './keystore.ts';
import { JAAS_EXAMPLE, JaasSyntaxError, parseJaasConfig, type SaslMechanism } from './jaas-config.ts';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SASL_PLAINTEXT', 'SASL_SSL', 'SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** The security properties by their Kafka names (no `properties.` prefix). */
export interface KafkaSecurityProperties extends KeystoreProperties {
  readonly 'security.protocol'?: string;
  readonly 'sasl.mechanism'?: string;
  readonly 'sasl.jaas.config'?: string;
  readonly 'ssl.truststore.type'?: string;
  readonly 'ssl.truststore.location'?: string;
  readonly 'ssl.truststore.certificates'?: string;
  readonly 'ssl.endpoint.identification.algorithm'?: string;
}
const KEYS = ['security.protocol', 'sasl.mechanism', 'sasl.jaas.config', 'ssl.truststore.type', 'ssl.truststore.location', 'ssl.truststore.certificates', 'ssl.endpoint.identification.algorithm', ...KEYSTORE_KEYS] as const;

/** The table options (zod schemas) for a connector's `z.object({...})`: `properties.<key>` for each key. */
export const securityTableOptions = {
  'properties.security.protocol': enumOption(SECURITY_PROTOCOLS).optional(),
  'properties.sasl.mechanism': stringOption().optional(),
  'properties.sasl.jaas.config': stringOption().optional(),
  'properties.ssl.truststore.type': stringOption().optional(),
  'properties.ssl.truststore.location': stringOption().optional(),
  'properties.ssl.truststore.certificates': stringOption().optional(),
  'properties.ssl.endpoint.identification.algorithm': stringOption().optional(),
  'properties.ssl.keystore.type': stringOption().optional(),
  'properties.ssl.keystore.location': stringOption().optional(),
  'properties.ssl.keystore.password': stringOption().optional(),
  'properties.ssl.keystore.certificate.chain': stringOption().optional(),
  'properties.ssl.keystore.key': stringOption().optional(),
  'properties.ssl.key.password': stringOption().optional(),
};

/** A table's validated options → the security properties by their Kafka names. */
export function securityPropertiesOf(options: Readonly<Record<string, unknown>>, prefix = 'properties.'): KafkaSecurityProperties {
  const out: Record<string, string> = {};
  for (const k of KEYS) {
    const v = options[`${prefix}${k}`];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export interface KafkaSecurityContext {
  /** for messages: `table 'orders'` or `kafka source 'x'` */
  readonly where: string;
  /** how options are named in messages: `properties.` for tables, '' for DataStream code */
  readonly prefix?: string;
  /** the values as written, before secret references were resolved: a user name read from a Secret is not shown */
  readonly written?: KafkaSecurityProperties;
  /** reads `ssl.truststore.location` (tests) */
  readonly readFile?: (file: string) => string;
  /** reads `ssl.keystore.location` (tests) */
  readonly readBinary?: (file: string) => Buffer;
  /** only checking, away from the job's pods: truststore and keystore files and Secret-held PEM are not opened (ConnectorContext.checkOnly) */
  readonly checkOnly?: boolean;
}

/**
 * The `connection` settings (`tls`, `sasl`) the Kafka source and sink take, from Kafka's security
 * properties; undefined for PLAINTEXT. Throws MR_ERR_CONNECTOR_OPTIONS naming the option and the fix.
 */
export function kafkaConnectionSecurity(p: KafkaSecurityProperties, c: KafkaSecurityContext): KafkaConnectionOptions['connection'] {
  const prefix = c.prefix ?? '';
  const name = (k: (typeof KEYS)[number]) => `'${prefix}${k}'`;
  const fail = (text: string): never => {
    throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `${c.where}: ${text}`);
  };
  const protocolText = p['security.protocol'] ?? 'PLAINTEXT';
  const protocol = SECURITY_PROTOCOLS.find((s) => s === protocolText.trim().toUpperCase());
  if (!protocol) fail(`${name('security.protocol')} = '${protocolText}' is not a security protocol; use one of ${SECURITY_PROTOCOLS.join(', ')}`);
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const stated = p['security.protocol'] === undefined ? `${name('security.protocol')} is not set (PLAINTEXT)` : `${name('security.protocol')} is '${protocol}'`;

  // SASL
  let saslOptions: NonNullable<KafkaConnectionOptions['connection']>['sasl'];
  if (!sasl) {
    for (const k of ['sasl.mechanism', 'sasl.jaas.config'] as const) {
      if (p[k] !== undefined) fail(`${name(k)} is set but ${stated}: SASL needs ${name('security.protocol')} = 'SASL_SSL' (or 'SASL_PLAINTEXT' on a trusted network)`);
    }
  } else {
    const mechanismText = p['sasl.mechanism'];
    if (mechanismText === undefined) fail(`${name('security.protocol')} = '${protocol}' needs ${name('sasl.mechanism')}: one of ${MECHANISMS.join(', ')} (Kafka's default, GSSAPI/Kerberos, is not supported)`);
    const mechanism = MECHANISMS.find((m) => m === mechanismText!.trim().toUpperCase());
    if (!mechanism) fail(`${name('sasl.mechanism')} = '${mechanismText}' is not supported; use one of ${MECHANISMS.join(', ')}`);
    const jaasText = p['sasl.jaas.config'];
    if (jaasText === undefined) fail(`${name('security.protocol')} = '${protocol}' needs ${name('sasl.jaas.config')}, for example ${JAAS_EXAMPLE}`);
    const jaas = parseJaas(jaasText!, name('sasl.jaas.config'), fail);
    if (!jaas.mechanisms.includes(mechanism!)) {
      fail(`${name('sasl.jaas.config')} uses ${jaas.loginModule}, which does not serve ${name('sasl.mechanism')} = '${mechanism}'; use ${mechanism === 'PLAIN' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule'}`);
    }
    const username = jaas.options.username;
    const password = jaas.options.password;
    if (username === undefined || username === '') fail(`${name('sasl.jaas.config')} has no username="..."; write ${JAAS_EXAMPLE}`);
    if (password === undefined) fail(`${name('sasl.jaas.config')} has no password="..."; write ${JAAS_EXAMPLE}`);
    let shownUser = `'${username}'`;
    const writtenJaas = c.written?.['sasl.jaas.config'];
    if (writtenJaas !== undefined && SecretResolver.references(writtenJaas)) {
      // show the user only when it was written in the table, not read from a Secret
      const written = safeParse(writtenJaas);
      if (written === undefined || SecretResolver.references(written.options.username ?? '${secret:')) shownUser = '(from a Secret)';
    }
    saslOptions = { mechanism: mechanism!, username: username!, password: password!, authenticate: explainingAuthenticator(shownUser, password!, name('sasl.jaas.config')) };
  }

  // TLS
  const trustKeys = ['ssl.truststore.type', 'ssl.truststore.location', 'ssl.truststore.certificates', 'ssl.endpoint.identification.algorithm', ...KEYSTORE_KEYS] as const;
  if (!tls) {
    for (const k of trustKeys) if (p[k] !== undefined) fail(`${name(k)} is set but ${stated}, which does not use TLS; set ${name('security.protocol')} = '${sasl ? 'SASL_SSL' : 'SSL'}' or remove ${name(k)}`);
    return saslOptions ? { sasl: saslOptions } : undefined;
  }
  const type = p['ssl.truststore.type']?.trim().toUpperCase();
  const location = p['ssl.truststore.location'];
  const inline = p['ssl.truststore.certificates'];
  if (type !== undefined && type !== 'PEM') {
    fail(`${name('ssl.truststore.type')} = '${p['ssl.truststore.type']}' is not supported: Millrace reads PEM truststores only. Set it to 'PEM' and give the CA certificates as PEM in ${name('ssl.truststore.location')} or ${name('ssl.truststore.certificates')} (from a JKS or PKCS12 truststore: keytool -exportcert -rfc -alias <ca> -keystore <truststore> -file ca.pem)`);
  }
  if (location !== undefined && inline !== undefined) fail(`give one of ${name('ssl.truststore.location')} and ${name('ssl.truststore.certificates')}, not both`);
  if (location !== undefined && type === undefined) {
    fail(`${name('ssl.truststore.location')} without ${name('ssl.truststore.type')} is a JKS truststore to Kafka; Millrace reads PEM only: set ${name('ssl.truststore.type')} = 'PEM' and point the location at a PEM file of CA certificates`);
  }
  if (type === 'PEM' && location === undefined && inline === undefined) fail(`${name('ssl.truststore.type')} = 'PEM' needs ${name('ssl.truststore.location')} (a PEM file) or ${name('ssl.truststore.certificates')} (inline PEM)`);
  let ca: string[] | undefined;
  const inlineFromSecret = SecretResolver.references(c.written?.['ssl.truststore.certificates'] ?? '');
  if (c.checkOnly && (location !== undefined || inlineFromSecret)) {
    // the file or the Secret is mounted in the job's pods, not here: its certificates are checked there
  } else if (location !== undefined) {
    let text: string;
    try {
      text = (c.readFile ?? ((f: string) => readFileSync(f, 'utf8')))(location);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      return fail(`${name('ssl.truststore.location')}: cannot read '${location}' (${code === 'ENOENT' ? 'no such file' : code}); mount the Secret holding the CA certificate (the Deployment's spec.secrets, at /etc/millrace/secrets/<name>/<key>) and name that file`);
    }
    ca = pemCertificates(text, name('ssl.truststore.location'), fail);
  } else if (inline !== undefined) {
    ca = pemCertificates(inline, name('ssl.truststore.certificates'), fail);
  }
  const algorithm = p['ssl.endpoint.identification.algorithm'];
  if (algorithm !== undefined && algorithm.trim() !== '' && algorithm.trim().toLowerCase() !== 'https') {
    fail(`${name('ssl.endpoint.identification.algorithm')} = '${algorithm}' is not supported; use 'https' (the default: the broker's certificate must name its host) or '' (no host name check)`);
  }
  const checkHost = algorithm === undefined || algorithm.trim() !== '';
  const client = clientCertificate(p, name, fail, c.readBinary, c.checkOnly); // mutual TLS (keystore.ts)
  return {
    tls: { ...(ca ? { ca } : {}), ...(checkHost ? {} : { checkServerIdentity: () => undefined }), ...(client ?? {}) },
    ...(saslOptions ? { sasl: saslOptions } : {}),
  };
}

/**
 * From DataStream code: the `connection` of `kafkaSource`/`kafkaSink` from Kafka's property names,
 * `${secret:<name>/<key>}` references resolved (MILLRACE_SECRETS_DIR or the pod mount).
 *
 *   kafkaSource({ bootstrapServers, topics, connection: kafkaSecurity({ 'security.protocol': 'SASL_SSL',
 *     'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': '... password="${secret:kafka/password}";', ... }) })
 */
export function kafkaSecurity(properties: KafkaSecurityProperties, options: { secrets?: SecretResolver; where?: string } = {}): KafkaConnectionOptions['connection'] {
  const unknown = Object.keys(properties).filter((k) => !(KEYS as readonly string[]).includes(k));
  const where = options.where ?? 'kafka security';
  if (unknown.length > 0) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `${where}: unsupported propert${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((k) => `'${k}'`).join(', ')}; supported: ${KEYS.join(', ')}`);
  const secrets = options.secrets ?? new SecretResolver();
  const resolved: Record<string, string> = {};
  try {
    for (const [k, v] of Object.entries(properties)) if (typeof v === 'string') resolved[k] = secrets.resolve(v, `${where}, property '${k}'`);
    return kafkaConnectionSecurity(resolved, { where, written: properties });
  } catch (err) {
    if (err instanceof Error) err.message = secrets.redact(err.message);
    throw err;
  }
}

function safeParse(text: string) {
  try {
    return parseJaasConfig(text);
  } catch {
    return undefined;
  }
}

function parseJaas(text: string, option: string, fail: (text: string) => never) {
  try {
    return parseJaasConfig(text);
  } catch (err) {
    if (err instanceof JaasSyntaxError) return fail(`${option} does not parse: ${err.message}. Expected: ${JAAS_EXAMPLE}`);
    throw err;
  }
}

function pemCertificates(text: string, option: string, fail: (text: string) => never): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) fail(`${option} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA certificates in PEM`);
  blocks.forEach((b, i) => {
    try {
      new X509Certificate(b);
    } catch {
      fail(`${option}: certificate ${i + 1} is not a valid X.509 certificate`);
    }
  });
  return blocks;
}

/**
 * The client's own PLAIN and SCRAM exchanges, with a failure explained: which mechanism and user
 * the broker refused and what to check, never the password (removed from the broker's words too).
 */
function explainingAuthenticator(shownUser: string, password: string, jaasOption: string): SASLCustomAuthenticator {
  return (mechanism, connection, authenticateApi, username, pass, _token, callback) => {
    const done = (error: Error | null, response?: unknown) => {
      if (!error) return (callback as (e: null, r: unknown) => void)(null, response);
      const said = deepMessage(error);
      const clean = password === '' ? said : said.split(password).join('******');
      const where = connection.host ? ` at ${connection.host}:${connection.port}` : '';
      const explained = new Error(
        `MR_ERR_KAFKA_AUTH: SASL ${mechanism} authentication of user ${shownUser} failed${where} (${clean}); check the username and password in ${jaasOption} (the Secret's value) and that the broker has this user for ${mechanism}`,
      );
      (explained as Error & { code: string }).code = 'MR_ERR_KAFKA_AUTH';
      callback(explained, undefined as never);
    };
    if (mechanism === 'PLAIN') saslPlain.authenticate(authenticateApi, connection, username!, pass!, done as never);
    else saslScramSha.authenticate(authenticateApi, connection, mechanism === 'SCRAM-SHA-512' ? 'SHA-512' : 'SHA-256', username!, pass!, saslScramSha.defaultCrypto, done as never);
  };
}

/** The innermost useful message of a client error (protocol errors carry the broker's words). */
function deepMessage(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const err = e as { message?: string; errors?: Array<{ message?: string }>; cause?: unknown };
    if (err.message) parts.push(err.message);
    for (const inner of err.errors ?? []) if (inner.message) parts.push(inner.message);
    e = err.cause;
  }
  return [...new Set(parts)].join(': ') || 'refused';
}

/** For the `kafka` and `upsert-kafka` tables: `{ connection }` to spread into the source's or sink's options (empty for PLAINTEXT). */
export function tableConnection(table: { readonly name: string; readonly options: Readonly<Record<string, string>> }, options: Readonly<Record<string, unknown>>, checkOnly = false): Pick<KafkaConnectionOptions, 'connection'> {
  const connection = kafkaConnectionSecurity(securityPropertiesOf(options), { where: `table '${table.name}'`, prefix: 'properties.', written: securityPropertiesOf(table.options), checkOnly });
  return connection ? { connection } : {};
}
