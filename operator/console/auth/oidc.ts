// Sign-in through an OpenID Connect provider: the authorization-code flow with PKCE (S256),
// state and nonce, done by the `openid-client` library (discovery, the token request, the ID
// token's signature, issuer, audience, expiry and nonce checks). The ID token's claims become a
// Kubernetes identity the same way the API server's own OIDC authenticator maps them
// (--oidc-username-claim/-prefix, --oidc-groups-claim/-prefix), so RoleBindings written for an
// API server that trusts the provider hold unchanged when the console impersonates instead.
// The prefixes are required and may not start with `system:`: no provider claim can ever name a
// Kubernetes system user or group (system:masters), whatever the provider puts in its tokens.
import * as oidc from 'openid-client';
import { ConsoleError } from '../errors.ts';
import type { Identity } from './identity.ts';

export interface ClaimMapping {
  /** ID token claim holding the user name; default `sub` (`email` requires `email_verified` not false). */
  usernameClaim: string;
  usernamePrefix: string;
  /** ID token claim holding the groups (array of strings or one string); default `groups`. */
  groupsClaim: string;
  groupsPrefix: string;
}

export interface OidcOptions extends ClaimMapping {
  /** The provider's issuer URL (discovery at <issuer>/.well-known/openid-configuration). https, or http on a loopback address only. */
  issuer: string;
  clientId: string;
  /** A confidential client's secret; without one the console is a public client (PKCE only). */
  clientSecret?: string;
  /** Where the provider sends the browser back: <console's public URL>/oidc/callback (registered at the provider). */
  redirectUri: string;
  scopes: string;
}

export const DEFAULT_CLAIMS: ClaimMapping = { usernameClaim: 'sub', usernamePrefix: 'oidc:', groupsClaim: 'groups', groupsPrefix: 'oidc:' };
export const DEFAULT_SCOPES = 'openid profile email';

/** Checks options before the console starts; the message names the option and the fix. */
export function checkOidcOptions(o: OidcOptions): void {
  for (const [flag, prefix] of [['--oidc-username-prefix', o.usernamePrefix], ['--oidc-groups-prefix', o.groupsPrefix]] as const) {
    if (!prefix || prefix.startsWith('system:')) throw new Error(`MR_ERR_CLI: ${flag} must be non-empty and must not start with "system:" (got '${prefix}'), so that no OpenID claim names a Kubernetes system user or group; the default is 'oidc:'`);
  }
  const issuer = parseUrl(o.issuer, '--oidc-issuer');
  if (issuer.protocol !== 'https:' && !isLoopback(issuer)) throw new Error(`MR_ERR_CLI: --oidc-issuer must be an https URL (http only on a loopback address, for tests), got '${o.issuer}'`);
  const redirect = parseUrl(o.redirectUri, '--public-url');
  if (!redirect.pathname.endsWith('/oidc/callback')) throw new Error(`MR_ERR_CLI: the OIDC redirect URI must end in /oidc/callback, got '${o.redirectUri}'`);
  if (!o.clientId) throw new Error('MR_ERR_CLI: --oidc-client-id is required with --oidc-issuer');
  if (!o.scopes.split(/\s+/).includes('openid')) throw new Error(`MR_ERR_CLI: --oidc-scopes must include openid, got '${o.scopes}'`);
}

function parseUrl(text: string, flag: string): URL {
  try { return new URL(text); } catch { throw new Error(`MR_ERR_CLI: ${flag} must be a URL, got '${text}'`); }
}
const isLoopback = (u: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);

/** The Kubernetes identity of an ID token's claims (pure). Throws MR_ERR_CONSOLE_OIDC_SIGN_IN naming a missing claim. */
export function identityFromClaims(claims: Record<string, unknown>, m: ClaimMapping): Identity {
  const user = claims[m.usernameClaim];
  if (typeof user !== 'string' || user === '') throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SIGN_IN', `the ID token has no string claim "${m.usernameClaim}" (the username claim); ask for a scope that includes it or set --oidc-username-claim`);
  if (m.usernameClaim === 'email' && claims.email_verified === false) throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SIGN_IN', `the provider says the email ${user} is not verified (email_verified: false); verify it at the provider`);
  const raw = claims[m.groupsClaim];
  const groups = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string' && g !== '') : [];
  return { name: m.usernamePrefix + user, groups: groups.map((g) => m.groupsPrefix + g) };
}

/** True when an identity carries the configured prefixes only (checked again on every session opened: a sealed cookie is impersonated only within them). */
export function withinPrefixes(identity: Identity, m: ClaimMapping): boolean {
  return identity.name.startsWith(m.usernamePrefix) && identity.groups.every((g) => g.startsWith(m.groupsPrefix));
}

/** What the console keeps (sealed in a short-lived cookie) between sending the browser to the provider and its return. */
export interface PendingSignIn { state: string; nonce: string; verifier: string; next: string }

/** A sign-in or refresh at the provider: who, until when the ID token holds, and the refresh token when the provider gave one. */
export interface OidcTokens {
  identity: Identity;
  /** The ID token's `exp` (ms): the console asks the provider again after this. */
  expiresAt: number;
  /** Kept in the sealed session to renew the ID token; without one the session ends with the ID token. */
  refreshToken?: string;
}

export class OidcLogin {
  readonly options: OidcOptions;
  private readonly now: () => number;
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(options: OidcOptions, now: () => number) {
    this.options = options;
    this.now = now;
  }

  /** The issuer's host, shown on the sign-in button. */
  get providerName(): string { return new URL(this.options.issuer).host; }

  /** The provider's authorization URL for a new sign-in, and what to keep until the browser returns. */
  async start(next: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const config = await this.config();
    const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), next };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri, scope: this.options.scopes, response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier), code_challenge_method: 'S256',
      state: pending.state, nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** The browser came back with `query`: redeem the code (with the PKCE verifier), check the ID token, map its claims. */
  async finish(query: string, pending: PendingSignIn): Promise<OidcTokens> {
    const config = await this.clocked();
    const callback = new URL(this.options.redirectUri);
    callback.search = query;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (err) {
      throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SIGN_IN', `the sign-in at ${this.providerName} did not complete: ${describe(err)}`, { cause: err });
    }
    const claims = tokens.claims();
    if (!claims) throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SIGN_IN', `${this.providerName} returned no ID token`);
    return { identity: identityFromClaims(claims, this.options), expiresAt: claims.exp * 1000, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}) };
  }

  /**
   * Renews an expired ID token with the refresh grant. The provider refusing it (signed out there,
   * session or grant revoked, refresh token expired or reused) is MR_ERR_CONSOLE_OIDC_SESSION_ENDED;
   * a provider that cannot be reached is MR_ERR_CONSOLE_OIDC_UNAVAILABLE (the session is kept: ask again later).
   */
  async refresh(refreshToken: string, user: Identity): Promise<OidcTokens> {
    const config = await this.clocked();
    let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
    try {
      tokens = await oidc.refreshTokenGrant(config, refreshToken);
    } catch (err) {
      if (err instanceof oidc.ResponseBodyError) throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SESSION_ENDED', `${this.providerName} no longer renews the session of ${user.name} (${describe(err)}): signed out or revoked at the provider; sign in again`, { cause: err });
      throw new ConsoleError('MR_ERR_CONSOLE_OIDC_UNAVAILABLE', `the OpenID provider ${this.providerName} could not renew the session of ${user.name}: ${describe(err)}; try again when it answers`, { cause: err });
    }
    const claims = tokens.claims();
    const next = tokens.refresh_token ?? refreshToken; // providers that do not rotate keep the old one valid
    // no new ID token (allowed on refresh): the identity stands, until the access token's expiry
    if (!claims) return { identity: user, expiresAt: this.now() + (tokens.expiresIn() ?? 300) * 1000, refreshToken: next };
    let identity: Identity;
    try {
      identity = identityFromClaims(claims, this.options);
    } catch (err) {
      throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SESSION_ENDED', `${this.providerName} renewed the session of ${user.name} with an ID token the console cannot map: ${(err as Error).message}`, { cause: err });
    }
    if (identity.name !== user.name) throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SESSION_ENDED', `${this.providerName} renewed the session of ${user.name} for another user (${identity.name}); sign in again`);
    return { identity, expiresAt: claims.exp * 1000, refreshToken: next };
  }

  /** Console sign-out: the refresh token is revoked at the provider (RFC 7009) when it has a revocation endpoint; false when it has none. */
  async revoke(refreshToken: string): Promise<boolean> {
    const config = await this.config();
    if (!config.serverMetadata().revocation_endpoint) return false;
    await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    return true;
  }

  /** The provider's configuration with the library's clock following the console's (a manual clock in tests): skew = console time - real time. */
  private async clocked(): Promise<oidc.Configuration> {
    const base = await this.config();
    const config = new oidc.Configuration(base.serverMetadata(), this.options.clientId, { ...this.clientMetadata(), [oidc.clockSkew]: Math.round((this.now() - Date.now()) / 1000) }, this.clientAuth());
    if (this.insecure) oidc.allowInsecureRequests(config);
    return config;
  }

  private get insecure(): boolean { return new URL(this.options.issuer).protocol === 'http:'; }
  private clientMetadata(): Partial<oidc.ClientMetadata> { return this.options.clientSecret ? { client_secret: this.options.clientSecret } : {}; }
  private clientAuth(): oidc.ClientAuth { return this.options.clientSecret ? oidc.ClientSecretBasic(this.options.clientSecret) : oidc.None(); }

  /** Discovery once (retried on the next sign-in when the provider could not be reached). */
  private config(): Promise<oidc.Configuration> {
    this.discovered ??= oidc.discovery(new URL(this.options.issuer), this.options.clientId, this.clientMetadata(), this.clientAuth(), { execute: this.insecure ? [oidc.allowInsecureRequests] : [] })
      .catch((err: unknown) => {
        this.discovered = undefined;
        throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SIGN_IN', `the OpenID provider ${this.options.issuer} could not be discovered: ${describe(err)}`, { cause: err });
      });
    return this.discovered;
  }
}

function describe(err: unknown): string {
  if (err instanceof oidc.AuthorizationResponseError) return `the provider answered ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (err instanceof oidc.ResponseBodyError) return `the provider refused: ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (!(err instanceof Error)) return String(err);
  // openid-client wraps the precise check that failed (which claim, which value) as the cause
  return err.cause instanceof Error && err.cause.message !== err.message ? `${err.message}: ${err.cause.message}` : err.message;
}
