// Sealed session cookies (manual clock) and the OpenID claim mapping: a session survives a new
// SessionCookies with the same key (a console restart), is refused with another key, after a
// change of one character, after sign-out, when idle too long and when too old; its idle clock is
// moved on by a re-sealed cookie; a rotated key still opens what the previous one sealed; ID token
// claims map to prefixed Kubernetes names and groups.
import { ConsoleError } from '../errors.ts';
import { checkOidcOptions, DEFAULT_CLAIMS, DEFAULT_SCOPES, identityFromClaims, withinPrefixes, type OidcOptions } from './oidc.ts';
import { deriveKey, previousKeysFromText, Sealer, SessionCookies } from './session-cookie.ts';

const KEY = 'k'.repeat(40);
const alice = { name: 'alice', groups: ['team-a'] };
const limits = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3600_000 };

test('a session cookie opens in a restarted console with the same key, never with another key or after tampering', async () => {
  let now = Date.parse('2026-12-07T10:00:00Z');
  const before = new SessionCookies(KEY, () => now, limits);
  const { session, cookie } = await before.create(alice, { kind: 'token', token: 'the-users-token' });
  expect(cookie).not.toContain('the-users-token'); // encrypted, not only signed
  now += 10_000;
  const restarted = new SessionCookies(KEY, () => now, limits);
  const opened = await restarted.open(cookie);
  expect(opened?.session).toEqual({ ...session, lastSeenAt: session.createdAt });
  expect(opened?.session.grant).toEqual({ kind: 'token', token: 'the-users-token' });
  expect(await new SessionCookies('x'.repeat(40), () => now, limits).open(cookie)).toBeUndefined();
  const flipped = cookie.slice(0, 60) + (cookie[60] === 'A' ? 'B' : 'A') + cookie.slice(61);
  expect(await restarted.open(flipped)).toBeUndefined();
  expect(await restarted.open(undefined)).toBeUndefined();
  // a sealed value of another purpose (a pending OIDC sign-in) is no session
  const pending = await new Sealer(KEY, 'oidc-pending', () => now).seal({ sid: 's', name: 'mallory', created: now, last: now }, 60_000);
  expect(await restarted.open(pending)).toBeUndefined();
});

test('a session ends after its idle time and after its absolute lifetime; use moves the idle clock on by a new cookie', async () => {
  let now = Date.parse('2026-12-07T10:00:00Z');
  const cookies = new SessionCookies(KEY, () => now, { idleMs: 10 * 60_000, maxAgeMs: 25 * 60_000 });
  const { cookie } = await cookies.create(alice, { kind: 'oidc', expiresAt: now + 60_000, refreshToken: 'the-refresh-token' });
  expect(cookie).not.toContain('the-refresh-token');
  now += 30_000;
  expect((await cookies.open(cookie))?.refreshed).toBeUndefined(); // used within a minute: no new cookie
  now += 9 * 60_000; // 9.5 min idle
  const used = await cookies.open(cookie);
  expect(used?.session.grant).toEqual({ kind: 'oidc', expiresAt: Date.parse('2026-12-07T10:01:00Z'), refreshToken: 'the-refresh-token' });
  expect(used?.refreshed).toEqual(expect.any(String));
  now += 9 * 60_000; // 18.5 min after creation, 9 min after the refresh
  expect(await cookies.open(cookie)).toBeUndefined(); // the old cookie: idle 18.5 min
  const again = await cookies.open(used!.refreshed);
  expect(again?.session.identity).toEqual(alice);
  now += 7 * 60_000; // 25.5 min after creation: past the absolute lifetime though used recently
  expect(await cookies.open(again!.refreshed ?? used!.refreshed)).toBeUndefined();
});

test('sign-out revokes the session id: its cookie is refused even though still sealed and fresh', async () => {
  const now = Date.parse('2026-12-07T10:00:00Z');
  const cookies = new SessionCookies(KEY, () => now, limits);
  const { session, cookie } = await cookies.create(alice, { kind: 'oidc', expiresAt: now });
  const other = await cookies.create(alice, { kind: 'oidc', expiresAt: now });
  cookies.revoke(session);
  expect(await cookies.open(cookie)).toBeUndefined();
  expect((await cookies.open(other.cookie))?.session.sid).toBe(other.session.sid);
});

test('session keys: too short key material is refused naming the fix; purposes derive different keys', async () => {
  expect(() => deriveKey('short', 'session')).toThrow(/MR_ERR_CONSOLE_SESSION_KEY: the session key has 5 bytes, at least 32.*openssl rand -base64 48/);
  expect(Buffer.from(deriveKey(KEY, 'session')).equals(Buffer.from(deriveKey(KEY, 'oidc-pending')))).toBe(false);
  const tooMany = { name: 'oidc:bob', groups: Array.from({ length: 400 }, (_, i) => `oidc:group-${i}`) };
  const err = await new SessionCookies(KEY, Date.now, limits).create(tooMany, { kind: 'oidc', expiresAt: Date.now() }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConsoleError);
  expect((err as ConsoleError).code).toBe('MR_ERR_CONSOLE_SESSION_TOO_LARGE');
});

test('ID token claims map to prefixed Kubernetes user and groups, as the API server\'s OIDC authenticator maps them', () => {
  expect(identityFromClaims({ sub: 'u-1', groups: ['team-a', 'ops'] }, DEFAULT_CLAIMS)).toEqual({ name: 'oidc:u-1', groups: ['oidc:team-a', 'oidc:ops'] });
  const byEmail = { ...DEFAULT_CLAIMS, usernameClaim: 'email', usernamePrefix: 'corp:', groupsClaim: 'roles', groupsPrefix: 'corp-role:' };
  expect(identityFromClaims({ sub: 'u-1', email: 'ann@example.com', email_verified: true, roles: 'admins' }, byEmail)).toEqual({ name: 'corp:ann@example.com', groups: ['corp-role:admins'] });
  // a provider naming a system group gets it prefixed: never system:masters
  expect(identityFromClaims({ sub: 'system:admin', groups: ['system:masters'] }, DEFAULT_CLAIMS)).toEqual({ name: 'oidc:system:admin', groups: ['oidc:system:masters'] });
  const code = (f: () => unknown) => { try { f(); return 'none'; } catch (e) { return `${(e as ConsoleError).code}: ${(e as Error).message}`; } };
  expect(code(() => identityFromClaims({ groups: ['a'] }, DEFAULT_CLAIMS))).toMatch(/^MR_ERR_CONSOLE_OIDC_SIGN_IN: the ID token has no string claim "sub"/);
  expect(code(() => identityFromClaims({ email: 'ann@example.com', email_verified: false }, byEmail))).toMatch(/^MR_ERR_CONSOLE_OIDC_SIGN_IN: .*not verified/);
  // what a session may impersonate: only names and groups within the prefixes
  expect(withinPrefixes({ name: 'oidc:u-1', groups: ['oidc:a'] }, DEFAULT_CLAIMS)).toBe(true);
  expect(withinPrefixes({ name: 'system:admin', groups: [] }, DEFAULT_CLAIMS)).toBe(false);
  expect(withinPrefixes({ name: 'oidc:u-1', groups: ['system:masters'] }, DEFAULT_CLAIMS)).toBe(false);
});

test('OIDC options: system: or empty prefixes, plain-http issuers off loopback and a redirect elsewhere are refused naming the flag', () => {
  const ok: OidcOptions = { ...DEFAULT_CLAIMS, issuer: 'https://id.example.com', clientId: 'millrace-console', redirectUri: 'https://console.example.com/oidc/callback', scopes: DEFAULT_SCOPES };
  expect(() => checkOidcOptions(ok)).not.toThrow();
  expect(() => checkOidcOptions({ ...ok, issuer: 'http://127.0.0.1:14000' })).not.toThrow();
  expect(() => checkOidcOptions({ ...ok, groupsPrefix: 'system:' })).toThrow(/--oidc-groups-prefix must be non-empty and must not start with "system:"/);
  expect(() => checkOidcOptions({ ...ok, usernamePrefix: '' })).toThrow(/--oidc-username-prefix/);
  expect(() => checkOidcOptions({ ...ok, issuer: 'http://id.example.com' })).toThrow(/--oidc-issuer must be an https URL/);
  expect(() => checkOidcOptions({ ...ok, redirectUri: 'https://console.example.com/elsewhere' })).toThrow(/must end in \/oidc\/callback/);
  expect(() => checkOidcOptions({ ...ok, scopes: 'profile' })).toThrow(/--oidc-scopes must include openid/);
});

test('key rotation: the newest key seals, a previous key still opens its sessions (re-sealed with the newest at once) until they expire', async () => {
  let now = Date.parse('2026-12-07T10:00:00Z');
  const OLD = 'o'.repeat(40);
  const NEW = 'n'.repeat(40);
  const before = new SessionCookies(OLD, () => now, limits);
  const { session, cookie } = await before.create(alice, { kind: 'token', token: 't' });
  now += 10_000;
  const rotated = new SessionCookies({ current: NEW, previous: previousKeysFromText(`# retired after 12 h\n${OLD}\n\n`) }, () => now, limits);
  const opened = await rotated.open(cookie);
  expect(opened?.session.sid).toBe(session.sid);
  // re-sealed with the newest key right away (not only after a minute): a console that knows only NEW opens it
  const onlyNew = new SessionCookies(NEW, () => now, limits);
  expect(await onlyNew.open(cookie)).toBeUndefined();
  expect((await onlyNew.open(opened!.refreshed))?.session.sid).toBe(session.sid);
  // new sessions are sealed with the newest key
  const fresh = await rotated.create(alice, { kind: 'token', token: 't2' });
  expect(await new SessionCookies(OLD, () => now, limits).open(fresh.cookie)).toBeUndefined();
  expect((await onlyNew.open(fresh.cookie))?.session.sid).toBe(fresh.session.sid);
  // an old session still ends at its limits, whatever key opens it
  now += limits.maxAgeMs;
  expect(await rotated.open(cookie)).toBeUndefined();
  // a short previous key is refused naming which one
  expect(() => new SessionCookies({ current: NEW, previous: [OLD, 'short'] }, () => now)).toThrow(/MR_ERR_CONSOLE_SESSION_KEY: previous session key 2 has 5 bytes, at least 32/);
});
