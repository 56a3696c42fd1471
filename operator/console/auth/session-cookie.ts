// Console sessions that survive a restart: the session is the cookie itself, sealed with the
// console's session key (JWE, `dir` + A256GCM, by the `jose` library: encrypted so the browser
// cannot read the Kubernetes token inside, authenticated so it cannot be forged or changed).
// Any console replica holding the same key (from a Secret) opens it, so a restart or a second
// replica signs nobody out. Sessions end after an idle time (the cookie is re-sealed at most once
// a minute while used) and an absolute lifetime. Sign-out revokes the session id in this
// process's memory until the session could have expired anyway; a cookie copied before sign-out
// and replayed after a restart is accepted until its idle or absolute limit (docs/architecture.md).
import { hkdfSync, randomBytes } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { ConsoleError } from '../errors.ts';
import type { Identity } from './identity.ts';

export interface SessionLimits { idleMs: number; maxAgeMs: number }
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3600_000 };

/** How the console acts for the session: with the user's own bearer token, or by impersonating an OIDC identity. */
export type SessionGrant = { kind: 'token'; token: string } | { kind: 'oidc' };

export interface Session {
  /** Random id of the session (not secret: for the revocation list and per-session caches). */
  sid: string;
  identity: Identity;
  grant: SessionGrant;
  createdAt: number;
  lastSeenAt: number;
}

/** Shortest key material accepted: 32 bytes (256 bits) of randomness, for example `openssl rand -base64 48`. */
export const MIN_KEY_BYTES = 32;
const REFRESH_AFTER_MS = 60_000;
/** Browsers keep cookies up to about 4 KiB; a session larger than this is refused at sign-in. */
export const MAX_COOKIE_CHARS = 3_800;

/** The 256-bit encryption key derived (HKDF-SHA256) from the configured key material; purposes get distinct keys. */
export function deriveKey(material: Uint8Array | string, purpose: string): Uint8Array {
  const bytes = typeof material === 'string' ? Buffer.from(material.trim(), 'utf8') : material;
  if (bytes.length < MIN_KEY_BYTES) throw new Error(`MR_ERR_CONSOLE_SESSION_KEY: the session key has ${bytes.length} bytes, at least ${MIN_KEY_BYTES} are needed; make one with \`openssl rand -base64 48\``);
  return new Uint8Array(hkdfSync('sha256', bytes, 'millrace-console', purpose, 32));
}

/** Seals and opens short JSON payloads for one purpose (sessions, a pending OIDC sign-in) with a manual clock. */
export class Sealer {
  private readonly key: Uint8Array;
  private readonly purpose: string;
  private readonly now: () => number;
  constructor(material: Uint8Array | string, purpose: string, now: () => number) {
    this.key = deriveKey(material, purpose);
    this.purpose = purpose;
    this.now = now;
  }

  async seal(payload: Record<string, unknown>, ttlMs: number): Promise<string> {
    const at = this.now();
    return new EncryptJWT({ ...payload, pur: this.purpose })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(Math.floor(at / 1000))
      .setExpirationTime(Math.floor((at + ttlMs) / 1000))
      .encrypt(this.key);
  }

  /** The payload, or undefined when the value is missing, forged, sealed with another key or purpose, or expired. */
  async open(value: string | undefined): Promise<Record<string, unknown> | undefined> {
    if (!value) return undefined;
    try {
      const { payload } = await jwtDecrypt(value, this.key, { currentDate: new Date(this.now()), keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      return payload.pur === this.purpose ? payload : undefined;
    } catch {
      return undefined;
    }
  }
}

export class SessionCookies {
  private readonly sealer: Sealer;
  private readonly now: () => number;
  private readonly limits: SessionLimits;
  /** Signed-out session ids → when they would have expired anyway (bounded, oldest dropped). */
  private readonly revoked = new Map<string, number>();

  constructor(material: Uint8Array | string, now: () => number, limits: SessionLimits = DEFAULT_SESSION_LIMITS) {
    this.sealer = new Sealer(material, 'session', now);
    this.now = now;
    this.limits = limits;
  }

  /** A new session and its cookie value. */
  async create(identity: Identity, grant: SessionGrant): Promise<{ session: Session; cookie: string }> {
    const at = this.now();
    const session: Session = { sid: randomBytes(16).toString('base64url'), identity, grant, createdAt: at, lastSeenAt: at };
    return { session, cookie: await this.seal(session) };
  }

  /**
   * The live session of a cookie, or undefined (missing, forged, revoked, idle too long, too old).
   * `refreshed` is a new cookie value when the idle clock should be moved on (at most once a minute).
   */
  async open(cookie: string | undefined): Promise<{ session: Session; refreshed?: string } | undefined> {
    const p = await this.sealer.open(cookie);
    if (!p || typeof p.sid !== 'string' || typeof p.created !== 'number' || typeof p.last !== 'number' || typeof p.name !== 'string') return undefined;
    const at = this.now();
    if (this.revoked.has(p.sid)) return undefined;
    if (at - p.last > this.limits.idleMs || at - p.created > this.limits.maxAgeMs) return undefined;
    const grant: SessionGrant = typeof p.tok === 'string' ? { kind: 'token', token: p.tok } : { kind: 'oidc' };
    const groups = Array.isArray(p.groups) ? p.groups.filter((g): g is string => typeof g === 'string') : [];
    const session: Session = { sid: p.sid, identity: { name: p.name, groups, ...(typeof p.uid === 'string' ? { uid: p.uid } : {}) }, grant, createdAt: p.created, lastSeenAt: p.last };
    if (at - p.last < REFRESH_AFTER_MS) return { session };
    const moved = { ...session, lastSeenAt: at };
    return { session: moved, refreshed: await this.seal(moved) };
  }

  /** Sign-out: this session id is refused from now on (in this process; see the header comment). */
  revoke(session: Session): void {
    const until = session.createdAt + this.limits.maxAgeMs;
    for (const [sid, expires] of this.revoked) if (expires < this.now() || this.revoked.size >= 100_000) this.revoked.delete(sid); else break;
    this.revoked.set(session.sid, until);
  }

  private async seal(s: Session): Promise<string> {
    const ttl = s.createdAt + this.limits.maxAgeMs - this.now();
    const cookie = await this.sealer.seal({
      sid: s.sid, name: s.identity.name, groups: s.identity.groups, ...(s.identity.uid ? { uid: s.identity.uid } : {}),
      ...(s.grant.kind === 'token' ? { tok: s.grant.token } : {}), created: s.createdAt, last: s.lastSeenAt,
    }, Math.max(ttl, 1000));
    if (cookie.length > MAX_COOKIE_CHARS) throw new ConsoleError('MR_ERR_CONSOLE_SESSION_TOO_LARGE', `the session of ${s.identity.name} needs a ${cookie.length}-character cookie (over ${MAX_COOKIE_CHARS}); too many groups or a very long token`);
    return cookie;
  }
}
