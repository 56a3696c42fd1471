// Console sessions that survive a restart: the session is the cookie itself, sealed with the
// console's session key (JWE, `dir` + A256GCM, by the `jose` library: encrypted so the browser
// cannot read the Kubernetes token inside, authenticated so it cannot be forged or changed).
// Any console replica holding the same key (from a Secret) opens it, so a restart or a second
// replica signs nobody out. Sessions end after an idle time (the cookie is re-sealed at most once
// a minute while used) and an absolute lifetime. Sign-out revokes the session id in this
// process's memory until the session could have expired anyway; a cookie copied before sign-out
// and replayed after a restart is accepted until its idle or absolute limit (docs/architecture.md).
// Key rotation: the newest key seals, previous keys still open what they sealed (until those
// sessions expire: at most the absolute lifetime), and a session opened with a previous key is
// re-sealed with the newest at once, so members move over without signing in again.
import { hkdfSync, randomBytes } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { ConsoleError } from '../errors.ts';
import type { Identity } from './identity.ts';

export interface SessionLimits { idleMs: number; maxAgeMs: number }
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3600_000 };

/**
 * How the console acts for the session: with the user's own bearer token, or by impersonating an
 * OIDC identity while its ID token holds (`expiresAt`), renewed with the refresh token when the
 * provider gave one (auth/oidc-renewal.ts).
 */
export type SessionGrant = { kind: 'token'; token: string } | { kind: 'oidc'; expiresAt: number; refreshToken?: string };

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

/** The key material that seals sessions: one key, or the newest plus previous keys that still open. */
export type SessionKeys = Uint8Array | string | { current: Uint8Array | string; previous: Array<Uint8Array | string> };

/** Previous keys from a file's text: one a line, blank lines and `#` comments skipped. */
export function previousKeysFromText(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

const keyList = (keys: SessionKeys): Array<Uint8Array | string> =>
  typeof keys === 'string' || keys instanceof Uint8Array ? [keys] : [keys.current, ...keys.previous];

/** The 256-bit encryption key derived (HKDF-SHA256) from the configured key material; purposes get distinct keys. */
export function deriveKey(material: Uint8Array | string, purpose: string): Uint8Array {
  const bytes = typeof material === 'string' ? Buffer.from(material.trim(), 'utf8') : material;
  if (bytes.length < MIN_KEY_BYTES) throw new Error(`MR_ERR_CONSOLE_SESSION_KEY: the session key has ${bytes.length} bytes, at least ${MIN_KEY_BYTES} are needed; make one with \`openssl rand -base64 48\``);
  return new Uint8Array(hkdfSync('sha256', bytes, 'millrace-console', purpose, 32));
}

/** Seals and opens short JSON payloads for one purpose (sessions, a pending OIDC sign-in) with a manual clock. */
export class Sealer {
  /** The newest key first: it seals; all of them open. */
  private readonly keys: Uint8Array[];
  private readonly purpose: string;
  private readonly now: () => number;
  constructor(material: SessionKeys, purpose: string, now: () => number) {
    this.keys = keyList(material).map((k, i) => {
      try {
        return deriveKey(k, purpose);
      } catch (err) {
        if (i === 0) throw err;
        throw new Error(`${(err as Error).message.replace('the session key', `previous session key ${i}`)}`, { cause: err });
      }
    });
    this.purpose = purpose;
    this.now = now;
  }

  async seal(payload: Record<string, unknown>, ttlMs: number): Promise<string> {
    const at = this.now();
    return new EncryptJWT({ ...payload, pur: this.purpose })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(Math.floor(at / 1000))
      .setExpirationTime(Math.floor((at + ttlMs) / 1000))
      .encrypt(this.keys[0]!);
  }

  /** The payload, or undefined when the value is missing, forged, sealed with another key or purpose, or expired. */
  async open(value: string | undefined): Promise<Record<string, unknown> | undefined> {
    return (await this.openWithKey(value))?.payload;
  }

  /** The payload and whether a previous key (not the newest) opened it. */
  async openWithKey(value: string | undefined): Promise<{ payload: Record<string, unknown>; previousKey: boolean } | undefined> {
    if (!value) return undefined;
    for (const [i, key] of this.keys.entries()) {
      try {
        const { payload } = await jwtDecrypt(value, key, { currentDate: new Date(this.now()), keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        return payload.pur === this.purpose ? { payload, previousKey: i > 0 } : undefined;
      } catch {
        // not this key (or forged, or expired): the next key, if any
      }
    }
    return undefined;
  }
}

export class SessionCookies {
  private readonly sealer: Sealer;
  private readonly now: () => number;
  private readonly limits: SessionLimits;
  /** Signed-out session ids → when they would have expired anyway (bounded, oldest dropped). */
  private readonly revoked = new Map<string, number>();

  constructor(material: SessionKeys, now: () => number, limits: SessionLimits = DEFAULT_SESSION_LIMITS) {
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
    const opened = await this.sealer.openWithKey(cookie);
    const p = opened?.payload;
    if (!opened || !p || typeof p.sid !== 'string' || typeof p.created !== 'number' || typeof p.last !== 'number' || typeof p.name !== 'string') return undefined;
    const at = this.now();
    if (this.revoked.has(p.sid)) return undefined;
    if (at - p.last > this.limits.idleMs || at - p.created > this.limits.maxAgeMs) return undefined;
    // an OIDC cookie without an ID token expiry (sealed before renewal existed) counts as expired with nothing to renew it
    const grant: SessionGrant = typeof p.tok === 'string' ? { kind: 'token', token: p.tok }
      : { kind: 'oidc', expiresAt: typeof p.ide === 'number' ? p.ide : 0, ...(typeof p.rt === 'string' ? { refreshToken: p.rt } : {}) };
    const groups = Array.isArray(p.groups) ? p.groups.filter((g): g is string => typeof g === 'string') : [];
    const session: Session = { sid: p.sid, identity: { name: p.name, groups, ...(typeof p.uid === 'string' ? { uid: p.uid } : {}) }, grant, createdAt: p.created, lastSeenAt: p.last };
    // sealed with a previous key: re-sealed with the newest now, so the old key can be retired
    if (at - p.last < REFRESH_AFTER_MS && !opened.previousKey) return { session };
    const moved = { ...session, lastSeenAt: at };
    return { session: moved, refreshed: await this.seal(moved) };
  }

  /** The same session (id, creation time) with a renewed identity and grant, used now, and its new cookie. */
  async renew(s: Session, identity: Identity, grant: SessionGrant): Promise<{ session: Session; cookie: string }> {
    const session: Session = { ...s, identity, grant, lastSeenAt: this.now() };
    return { session, cookie: await this.seal(session) };
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
      ...(s.grant.kind === 'token' ? { tok: s.grant.token } : { ide: s.grant.expiresAt, ...(s.grant.refreshToken ? { rt: s.grant.refreshToken } : {}) }),
      created: s.createdAt, last: s.lastSeenAt,
    }, Math.max(ttl, 1000));
    if (cookie.length > MAX_COOKIE_CHARS) throw new ConsoleError('MR_ERR_CONSOLE_SESSION_TOO_LARGE', `the session of ${s.identity.name} needs a ${cookie.length}-character cookie (over ${MAX_COOKIE_CHARS}); too many groups or a very long token`);
    return cookie;
  }
}
