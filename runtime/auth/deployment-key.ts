// The per-Deployment key: the operator creates it in a Secret (operator/controllers/deployment/
// auth-secret.ts) and mounts it into the JobManager and TaskManager pods; the file it names in
// MILLRACE_AUTH_KEY_FILE holds it as text. Everything authenticated in the runtime (REST requests,
// HA records, data-plane handshakes) uses keys derived from it, one per purpose, so a signature
// made for one purpose is never accepted for another.

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RuntimeError } from '../errors/runtime-error.ts';

export const AUTH_KEY_FILE_ENV = 'MILLRACE_AUTH_KEY_FILE';
/** 32 bytes of entropy as hex is 64 characters; shorter keys are refused. */
export const MIN_KEY_LENGTH = 32;

export type KeyPurpose = 'rest' | 'ha' | 'data';

export class DeploymentKey {
  private readonly derived = new Map<KeyPurpose, Buffer>();
  /** where it came from, for messages (never the key itself) */
  readonly source: string;
  readonly #secret: string;
  constructor(secret: string, source: string) {
    if (secret.length < MIN_KEY_LENGTH) throw new RuntimeError('MR_ERR_AUTH_KEY', `the Deployment key from ${source} has ${secret.length} characters; it needs at least ${MIN_KEY_LENGTH} (the operator writes 64 hex characters)`);
    this.source = source;
    this.#secret = secret;
    for (const p of ['rest', 'ha', 'data'] as const) this.derived.set(p, createHmac('sha256', secret).update(`millrace/v1/${p}`).digest());
  }
  /** HMAC-SHA256 of `data` with the key derived for `purpose`, hex. */
  mac(purpose: KeyPurpose, data: string | Buffer): string {
    return createHmac('sha256', this.derived.get(purpose)!).update(data).digest('hex');
  }
  /** The key derived for a purpose (for HMACs computed elsewhere, such as the data-plane handshake). */
  derive(purpose: KeyPurpose): Buffer {
    return this.derived.get(purpose)!;
  }
  /** The key's text, only to hand it to this process's slot worker threads. */
  secretForWorkers(): string {
    return this.#secret;
  }
  toJSON(): string {
    return `[DeploymentKey from ${this.source}]`;
  }
}

/** Reads the key named by MILLRACE_AUTH_KEY_FILE; undefined when the variable is unset (local mode). */
export function loadDeploymentKey(env: Record<string, string | undefined>, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): DeploymentKey | undefined {
  const file = env[AUTH_KEY_FILE_ENV];
  if (!file) return undefined;
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    throw new RuntimeError('MR_ERR_AUTH_KEY', `cannot read the Deployment key ${file} (${AUTH_KEY_FILE_ENV}): ${(err as Error).message}`, { subject: file, cause: err });
  }
  return new DeploymentKey(text.trim(), file);
}

/** True for addresses only this machine reaches; an unauthenticated process may bind only those. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** A process without a key refuses to listen where other machines reach it (unless told to). */
export function requireKeyForHost(key: DeploymentKey | undefined, host: string, allowUnauthenticated: boolean): void {
  if (key || allowUnauthenticated || isLoopback(host)) return;
  throw new RuntimeError('MR_ERR_AUTH_REQUIRED', `refusing to listen on ${host} without authentication: set ${AUTH_KEY_FILE_ENV} to a file with the Deployment key, bind 127.0.0.1, or pass --allow-unauthenticated on a trusted network`);
}
