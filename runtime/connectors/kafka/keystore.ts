// The client certificate of mutual TLS (Kafka's `ssl.keystore.*`): a PKCS12 keystore file with its
// password (Node's `pfx`), or PEM (a file holding the private key and the certificate chain, or both
// inline), the key optionally encrypted with `ssl.key.password`. Opened once while the options are
// checked, so a wrong password is refused naming the option before the job starts. JKS is refused
// with the keytool command that converts it. Messages never contain a password.

import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

export interface KeystoreProperties {
  readonly 'ssl.keystore.type'?: string;
  readonly 'ssl.keystore.location'?: string;
  readonly 'ssl.keystore.password'?: string;
  readonly 'ssl.keystore.certificate.chain'?: string;
  readonly 'ssl.keystore.key'?: string;
  readonly 'ssl.key.password'?: string;
}
export const KEYSTORE_KEYS = ['ssl.keystore.type', 'ssl.keystore.location', 'ssl.keystore.password', 'ssl.keystore.certificate.chain', 'ssl.keystore.key', 'ssl.key.password'] as const;

const PRIVATE_KEY = /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]*?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/;
const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The TLS options of the client certificate, or undefined when no keystore option is set.
 * `checkOnly` (the operator, away from the job's pods): the options are checked, the keystore's
 * file and contents are not (they are mounted where the job runs); an empty options object returns.
 */
export function clientCertificate(
  p: KeystoreProperties,
  name: (k: (typeof KEYSTORE_KEYS)[number]) => string,
  fail: (text: string) => never,
  read: (file: string) => Buffer = (f) => readFileSync(f),
  checkOnly = false,
): SecureContextOptions | undefined {
  if (KEYSTORE_KEYS.every((k) => p[k] === undefined)) return undefined;
  const type = (p['ssl.keystore.type'] ?? 'JKS').trim().toUpperCase();
  const location = p['ssl.keystore.location'];
  const load = (): Buffer => {
    try {
      return read(location!);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      return fail(`${name('ssl.keystore.location')}: cannot read '${location}' (${code === 'ENOENT' ? 'no such file' : code}); mount the Secret holding the client certificate and name that file`);
    }
  };
  let options: SecureContextOptions;
  if (type === 'PKCS12') {
    if (location === undefined) fail(`${name('ssl.keystore.type')} = 'PKCS12' needs ${name('ssl.keystore.location')} (the .p12 file)`);
    for (const k of ['ssl.keystore.certificate.chain', 'ssl.keystore.key', 'ssl.key.password'] as const) if (p[k] !== undefined) fail(`${name(k)} is for PEM keystores; a PKCS12 keystore takes ${name('ssl.keystore.password')}`);
    if (checkOnly) return {};
    options = { pfx: load(), ...(p['ssl.keystore.password'] !== undefined ? { passphrase: p['ssl.keystore.password'] } : {}) };
  } else if (type === 'PEM') {
    const inline = p['ssl.keystore.certificate.chain'] !== undefined || p['ssl.keystore.key'] !== undefined;
    if (location !== undefined && inline) fail(`give ${name('ssl.keystore.location')} or ${name('ssl.keystore.certificate.chain')} with ${name('ssl.keystore.key')}, not both`);
    if (location === undefined && (p['ssl.keystore.certificate.chain'] === undefined || p['ssl.keystore.key'] === undefined)) {
      fail(`${name('ssl.keystore.type')} = 'PEM' needs ${name('ssl.keystore.location')} (a PEM file with the private key and the certificate chain) or both ${name('ssl.keystore.certificate.chain')} and ${name('ssl.keystore.key')}`);
    }
    if (p['ssl.keystore.password'] !== undefined) fail(`${name('ssl.keystore.password')} is for PKCS12 keystores; an encrypted PEM key takes ${name('ssl.key.password')}`);
    if (checkOnly) return {};
    const text = location !== undefined ? load().toString('utf8') : `${p['ssl.keystore.key']}\n${p['ssl.keystore.certificate.chain']}`;
    const keyOption = location !== undefined ? name('ssl.keystore.location') : name('ssl.keystore.key');
    const chainOption = location !== undefined ? name('ssl.keystore.location') : name('ssl.keystore.certificate.chain');
    const key = PRIVATE_KEY.exec(text)?.[0];
    if (!key) fail(`${keyOption} holds no PEM private key (-----BEGIN PRIVATE KEY-----)`);
    const chain = text.match(CERTIFICATE) ?? [];
    if (chain.length === 0) fail(`${chainOption} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    options = { key, cert: chain.join('\n'), ...(p['ssl.key.password'] !== undefined ? { passphrase: p['ssl.key.password'] } : {}) };
  } else if (type === 'JKS') {
    return fail(`${p['ssl.keystore.type'] === undefined ? `${name('ssl.keystore.location')} without ${name('ssl.keystore.type')} is a JKS keystore to Kafka` : `${name('ssl.keystore.type')} = 'JKS' is not supported`}; Millrace reads PKCS12 and PEM keystores: set ${name('ssl.keystore.type')} = 'PKCS12' (convert with keytool -importkeystore -srckeystore client.jks -destkeystore client.p12 -deststoretype PKCS12) or 'PEM'`);
  } else {
    return fail(`${name('ssl.keystore.type')} = '${p['ssl.keystore.type']}' is not a keystore type; use 'PKCS12' or 'PEM'`);
  }
  try {
    createSecureContext(options); // opens the keystore: a wrong password or a key that does not match fails here
  } catch (err) {
    const why = String((err as Error).message ?? '').toLowerCase();
    const hint = /mac verify|bad decrypt|password|passphrase|decrypt/.test(why)
      ? `the password (${type === 'PKCS12' ? name('ssl.keystore.password') : name('ssl.key.password')}) does not open it`
      : /key values mismatch|does not match/.test(why) ? 'the private key does not belong to the certificate' : 'it cannot be read as a client certificate';
    fail(`the client keystore (${type === 'PKCS12' || location !== undefined ? name('ssl.keystore.location') : name('ssl.keystore.key')}) is refused: ${hint}`);
  }
  return options;
}
