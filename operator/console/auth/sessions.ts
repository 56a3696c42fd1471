// Short-lived, bounded caches keyed by a secret's hash: identities of bearer-token API clients
// (and, in server.ts, each session's Kubernetes client by session id). Browser sessions themselves
// are sealed cookies (session-cookie.ts), so nothing here has to survive a restart.
import { createHash } from 'node:crypto';
import type { Identity } from './identity.ts';

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
