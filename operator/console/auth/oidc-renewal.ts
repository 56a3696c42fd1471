// Keeping an OpenID Connect session in step with the provider: while the ID token holds, the
// session is used as sealed; once it expired, the refresh token renews it (a new ID token, the
// identity mapped again, a new refresh token when the provider rotates them) and the browser gets
// a re-sealed cookie. A refresh the provider refuses (the user signed out there, an administrator
// revoked the session, the refresh token expired) ends the console session; so does an expired ID
// token with no refresh token. One refresh per refresh token at a time: a page's parallel
// requests, all still carrying the old cookie, share the first one's result, because a provider
// that rotates refresh tokens treats a second use of the old one as theft and revokes the grant.
// (Replicas do not share this: two replicas renewing the same session at the same instant can
// trip that reuse detection; the console runs one replica, docs/architecture.md.)
import { createHash } from 'node:crypto';
import { ConsoleError } from '../errors.ts';
import type { Identity } from './identity.ts';
import type { OidcTokens } from './oidc.ts';
import type { Session, SessionCookies } from './session-cookie.ts';

/** The session to use now, with a new cookie when it was renewed; or why it ended. */
export type RenewalResult = { session: Session; cookie?: string } | { ended: ConsoleError };

/** How long a renewal's result answers requests that still carry the old cookie. */
const SHARED_FOR_MS = 2 * 60_000;
const MAX_SHARED = 10_000;

export class OidcRenewal {
  private readonly refresh: (refreshToken: string, user: Identity) => Promise<OidcTokens>;
  private readonly cookies: SessionCookies;
  private readonly now: () => number;
  private readonly providerName: string;
  /** sha256(refresh token) → the renewal that used it (never the token itself as a key). */
  private readonly shared = new Map<string, { at: number; result: Promise<RenewalResult> }>();

  constructor(o: { refresh: (refreshToken: string, user: Identity) => Promise<OidcTokens>; cookies: SessionCookies; now: () => number; providerName: string }) {
    this.refresh = o.refresh;
    this.cookies = o.cookies;
    this.now = o.now;
    this.providerName = o.providerName;
  }

  /** Throws MR_ERR_CONSOLE_OIDC_UNAVAILABLE when the provider cannot be reached (the session is kept). */
  async current(session: Session): Promise<RenewalResult> {
    const grant = session.grant;
    if (grant.kind !== 'oidc' || this.now() < grant.expiresAt) return { session };
    if (!grant.refreshToken) {
      this.cookies.revoke(session);
      return { ended: new ConsoleError('MR_ERR_CONSOLE_OIDC_SESSION_ENDED', `the ID token of ${session.identity.name} expired and ${this.providerName} gave no refresh token to renew it; sign in again (ask for the offline_access scope where the provider requires it for refresh tokens)`) };
    }
    const key = createHash('sha256').update(grant.refreshToken).digest('hex');
    const at = this.now();
    for (const [k, e] of this.shared) if (at - e.at > SHARED_FOR_MS || this.shared.size > MAX_SHARED) this.shared.delete(k); else break;
    const hit = this.shared.get(key);
    if (hit) return hit.result;
    const result = this.renew(session, grant.refreshToken);
    this.shared.set(key, { at, result });
    // an unreachable provider is not remembered: the next request asks again
    result.catch(() => this.shared.delete(key));
    return result;
  }

  private async renew(session: Session, refreshToken: string): Promise<RenewalResult> {
    let tokens: OidcTokens;
    try {
      tokens = await this.refresh(refreshToken, session.identity);
    } catch (err) {
      if (err instanceof ConsoleError && err.code === 'MR_ERR_CONSOLE_OIDC_SESSION_ENDED') {
        this.cookies.revoke(session);
        return { ended: err };
      }
      throw err;
    }
    return this.cookies.renew(session, tokens.identity, { kind: 'oidc', expiresAt: tokens.expiresAt, ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}) });
  }
}
