// A real OpenID Connect provider for the console's sign-in tests: the `oidc-provider` package
// (an OpenID Certified implementation) on 127.0.0.1, below the ephemeral port range. Its
// development login page accepts any login with any password; the account's `groups` claim comes
// from `groups` here. Consent is granted up front (a first-party client), so the browser goes
// login page → console. The console is a public client: PKCE is required, no client secret.
// Refresh tokens are issued to the console without offline_access, so they end with the
// provider's session: signing out at the provider (/session/end) revokes them.
import type { Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface TestOidcProvider {
  issuer: string; clientId: string;
  /** refresh grants the provider answered so far */ refreshes(): number;
  /** grants revoked so far (a refresh token revoked at /token/revocation, or sign-out at the provider) */ revokedGrants(): number;
  close(): Promise<void>;
}

/** A loopback port that was free just now, in 20000-31999 (below Linux's ephemeral range, above the test services'). */
export async function freeLowPort(): Promise<number> {
  const { createServer } = await import('node:net');
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('MR_ERR_TEST_PORT: no free port in 20000-31999 after 50 tries');
}

export async function startOidcProvider(o: { port: number; redirectUri: string; groups: Record<string, string[]>; idTokenTtlSeconds?: number }): Promise<TestOidcProvider> {
  const issuer = `http://127.0.0.1:${o.port}`;
  const clientId = 'millrace-console';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, token_endpoint_auth_method: 'none', redirect_uris: [o.redirectUri], response_types: ['code'], grant_types: ['authorization_code', 'refresh_token'] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' }] },
    cookies: { keys: ['millrace-console-oidc-test'] },
    claims: { openid: ['sub'], groups: ['groups'] },
    scopes: ['openid', 'groups'],
    // the groups claim in the ID token itself (as Kubernetes' own OIDC authenticator reads it)
    conformIdTokenClaims: false,
    ttl: { IdToken: o.idTokenTtlSeconds ?? 3600, AccessToken: 600, Interaction: 600, Grant: 600, Session: 600 },
    pkce: { required: () => true },
    features: { revocation: { enabled: true } },
    // refresh tokens bound to the provider's session (no offline_access): they stop at sign-out there
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, groups: o.groups[sub] ?? [] }) }),
    // first-party client: consent granted without asking (the pattern from the provider's docs)
    loadExistingGrant: async (ctx) => {
      const session = ctx.oidc.session!;
      const client = ctx.oidc.client!;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId! });
      grant.addOIDCScope('openid groups');
      await grant.save();
      return grant;
    },
  });
  let refreshes = 0;
  provider.on('grant.success', (ctx) => { if (ctx.oidc.params?.grant_type === 'refresh_token') refreshes++; });
  let revokedGrants = 0;
  provider.on('grant.revoked', () => { revokedGrants++; });
  const server: Server = provider.listen(o.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { server.once('listening', resolve); server.once('error', reject); });
  return {
    issuer, clientId,
    refreshes: () => refreshes,
    revokedGrants: () => revokedGrants,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
