// Signed-in users, kept in the console's memory: a random session id (the cookie) maps to the
// user's identity and token. The token never goes back to the browser after sign-in. Sessions
// end after an idle time and an absolute lifetime, and the store is bounded (oldest evicted),
// so a flood of sign-ins cannot grow memory. One console replica: a restart signs everyone out.
import { createHash, randomBytes } from 'node:crypto';
import type { Identity } from './identity.ts';

export interface Session<T> {
  id: string;
  identity: Identity;
  token: string;
  /** per-session state the server attaches (the user's Kubernetes client, the access-review cache) */
  data: T;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionLimits { idleMs: number; maxAgeMs: number; maxSessions: number }
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3600_000, maxSessions: 10_000 };

export class SessionStore<T> {
  // Map keeps insertion order: the first entry is the oldest session.
  private readonly sessions = new Map<string, Session<T>>();
  private readonly now: () => number;
  private readonly limits: SessionLimits;
  private readonly newId: () => string;

  constructor(now: () => number, limits: SessionLimits = DEFAULT_SESSION_LIMITS, newId = () => randomBytes(32).toString('base64url')) {
    this.now = now;
    this.limits = limits;
    this.newId = newId;
  }

  create(identity: Identity, token: string, data: T): Session<T> {
    const at = this.now();
    while (this.sessions.size >= this.limits.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const session: Session<T> = { id: this.newId(), identity, token, data, createdAt: at, lastSeenAt: at };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id (and marks it used), or undefined when unknown or expired. */
  get(id: string | undefined): Session<T> | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const at = this.now();
    if (at - s.lastSeenAt > this.limits.idleMs || at - s.createdAt > this.limits.maxAgeMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeenAt = at;
    return s;
  }

  delete(id: string | undefined): void { if (id) this.sessions.delete(id); }

  get size(): number { return this.sessions.size; }
}

/**
 * Identities of bearer-token API clients, kept briefly so each request does not ask the API
 * server again: keyed by the token's sha256 (the token itself is not a key), bounded, short TTL.
 */
export class BearerCache<T> {
  private readonly entries = new Map<string, { identity: Identity; data: T; at: number }>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly max: number;
  constructor(now: () => number, ttlMs = 60_000, max = 1_000) { this.now = now; this.ttlMs = ttlMs; this.max = max; }

  private static key(token: string): string { return createHash('sha256').update(token).digest('hex'); }

  get(token: string): { identity: Identity; data: T } | undefined {
    const k = BearerCache.key(token);
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) { this.entries.delete(k); return undefined; }
    return e;
  }

  create(identity: Identity, token: string, data: T): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(BearerCache.key(token), { identity, data, at: this.now() });
  }
}
