// HMAC request signing between the operator, the JobManager and the TaskManagers of one
// Deployment. A signed request carries who signs (its role), a timestamp, a random nonce and
// the signature over role, method, path with query, timestamp, nonce and the sha256 of the body.
// The verifier accepts a timestamp inside the replay window and each nonce once inside it.
// Pure apart from the clock and randomness, which are injected.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RuntimeError } from '../errors/runtime-error.ts';
import type { Clock } from '../time/clock.ts';
import type { DeploymentKey } from './deployment-key.ts';

export type Principal = 'operator' | 'jobmanager' | 'taskmanager';
const PRINCIPALS: ReadonlySet<string> = new Set<Principal>(['operator', 'jobmanager', 'taskmanager']);

export const HEADER_PRINCIPAL = 'x-millrace-principal';
export const HEADER_TIMESTAMP = 'x-millrace-timestamp';
export const HEADER_NONCE = 'x-millrace-nonce';
export const HEADER_SIGNATURE = 'x-millrace-signature';

/** How far a request's timestamp may be from the verifier's clock, either way. */
export const REPLAY_WINDOW_MS = 30_000;
/** Nonces remembered at most; beyond it (a flood inside one window) requests are refused. */
export const MAX_REMEMBERED_NONCES = 200_000;

export interface SignedRequest {
  readonly method: string;
  /** path and query exactly as sent, e.g. `/jobs/abc?x=1` */
  readonly path: string;
  readonly body: Buffer | string | undefined;
}

const bodyHash = (body: Buffer | string | undefined): string => createHash('sha256').update(body ?? '').digest('hex');

export function canonicalRequest(principal: string, r: SignedRequest, timestamp: string, nonce: string): string {
  return ['millrace-v1', principal, r.method.toUpperCase(), r.path, timestamp, nonce, bodyHash(r.body)].join('\n');
}

export function signRequest(key: DeploymentKey, principal: Principal, r: SignedRequest, now: number, nonce = randomBytes(16).toString('hex')): Record<string, string> {
  const timestamp = String(now);
  return {
    [HEADER_PRINCIPAL]: principal,
    [HEADER_TIMESTAMP]: timestamp,
    [HEADER_NONCE]: nonce,
    [HEADER_SIGNATURE]: key.mac('rest', canonicalRequest(principal, r, timestamp, nonce)),
  };
}

type Headers = Record<string, string | string[] | undefined>;
const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

export class RequestVerifier {
  private readonly key: DeploymentKey;
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly maxNonces: number;
  /** nonce → the time it stops mattering (its timestamp + window) */
  private readonly seen = new Map<string, number>();

  constructor(key: DeploymentKey, clock: Clock, options: { windowMs?: number; maxNonces?: number } = {}) {
    this.key = key;
    this.now = () => clock.now();
    this.windowMs = options.windowMs ?? REPLAY_WINDOW_MS;
    this.maxNonces = options.maxNonces ?? MAX_REMEMBERED_NONCES;
  }

  /** Checks what can be checked before the body arrives; returns the claimed principal. */
  checkHeaders(headers: Headers): Principal {
    const principal = header(headers, HEADER_PRINCIPAL);
    const ts = header(headers, HEADER_TIMESTAMP);
    const nonce = header(headers, HEADER_NONCE);
    const sig = header(headers, HEADER_SIGNATURE);
    if (!principal || !ts || !nonce || !sig) throw new RuntimeError('MR_ERR_AUTH_MISSING', `this endpoint needs a request signed with the Deployment key (headers ${HEADER_PRINCIPAL}, ${HEADER_TIMESTAMP}, ${HEADER_NONCE}, ${HEADER_SIGNATURE})`);
    if (!PRINCIPALS.has(principal)) throw new RuntimeError('MR_ERR_AUTH_INVALID', `unknown principal '${principal}'`);
    if (!/^[0-9a-f]{16,64}$/.test(nonce)) throw new RuntimeError('MR_ERR_AUTH_INVALID', 'the nonce must be 16 to 64 hex characters');
    const t = Number(ts);
    if (!/^\d{1,16}$/.test(ts) || Math.abs(this.now() - t) > this.windowMs) throw new RuntimeError('MR_ERR_AUTH_EXPIRED', `the request timestamp ${ts} is more than ${this.windowMs / 1000} s from this server's clock; check clock sync, or the request was replayed`);
    return principal as Principal;
  }

  /** Verifies the whole request and remembers its nonce; returns the authenticated principal. */
  verify(headers: Headers, r: SignedRequest): Principal {
    const principal = this.checkHeaders(headers);
    const ts = header(headers, HEADER_TIMESTAMP)!;
    const nonce = header(headers, HEADER_NONCE)!;
    const given = Buffer.from(header(headers, HEADER_SIGNATURE)!, 'hex');
    const expected = Buffer.from(this.key.mac('rest', canonicalRequest(principal, r, ts, nonce)), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new RuntimeError('MR_ERR_AUTH_INVALID', 'the request signature does not verify with this Deployment\'s key');
    this.remember(nonce, Number(ts));
    return principal;
  }

  private remember(nonce: string, ts: number): void {
    const now = this.now();
    // insertion order is roughly time order: drop expired nonces from the front
    for (const [n, until] of this.seen) {
      if (until >= now) break;
      this.seen.delete(n);
    }
    if (this.seen.has(nonce)) throw new RuntimeError('MR_ERR_AUTH_REPLAYED', 'this signed request was already received (same nonce inside the replay window)');
    if (this.seen.size >= this.maxNonces) {
      for (const [n, until] of this.seen) if (until < now) this.seen.delete(n);
      if (this.seen.size >= this.maxNonces) throw new RuntimeError('MR_ERR_AUTH_REPLAYED', `more than ${this.maxNonces} signed requests inside the replay window; refusing until older ones expire`);
    }
    this.seen.set(nonce, ts + this.windowMs);
  }

  /** Nonces held (for tests and metrics). */
  get remembered(): number {
    return this.seen.size;
  }
}
