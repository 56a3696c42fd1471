// Renewing OIDC sessions (manual clock; the provider's refresh grant is a function here, the real
// provider's is in test/console/console-browser.test.ts): used as sealed while the ID token holds,
// renewed once it expired (parallel requests share one refresh), ended when the provider refuses
// or when there is no refresh token; an unreachable provider keeps the session.
import { ConsoleError } from '../errors.ts';
import type { Identity } from './identity.ts';
import type { OidcTokens } from './oidc.ts';
import { OidcRenewal } from './oidc-renewal.ts';
import { SessionCookies } from './session-cookie.ts';

const KEY = 'k'.repeat(40);
const ann: Identity = { name: 'oidc:ann', groups: ['oidc:team-a'] };

function world() {
  let now = Date.parse('2026-12-07T10:00:00Z');
  const clock = { advance: (ms: number) => { now += ms; }, now: () => now };
  const cookies = new SessionCookies(KEY, clock.now);
  const calls: string[] = [];
  let answer: (rt: string) => Promise<OidcTokens> = async (rt) => ({ identity: { ...ann, groups: ['oidc:team-a', 'oidc:ops'] }, expiresAt: now + 60_000, refreshToken: `${rt}+1` });
  const renewal = new OidcRenewal({ refresh: (rt) => { calls.push(rt); return answer(rt); }, cookies, now: clock.now, providerName: 'idp.example' });
  return { clock, cookies, calls, renewal, answer: (f: typeof answer) => { answer = f; } };
}

test('a session is used as sealed while its ID token holds, and renewed with the refresh token once it expired', async () => {
  const w = world();
  const { session } = await w.cookies.create(ann, { kind: 'oidc', expiresAt: w.clock.now() + 60_000, refreshToken: 'rt-1' });
  expect(await w.renewal.current(session)).toEqual({ session });
  w.clock.advance(61_000);
  const renewed = await w.renewal.current(session);
  if ('ended' in renewed) throw renewed.ended;
  expect(w.calls).toEqual(['rt-1']);
  expect(renewed.session).toEqual({ ...session, identity: { name: 'oidc:ann', groups: ['oidc:team-a', 'oidc:ops'] }, grant: { kind: 'oidc', expiresAt: w.clock.now() + 60_000, refreshToken: 'rt-1+1' }, lastSeenAt: w.clock.now() });
  // the new cookie carries the renewed session (same id), and opens
  expect((await w.cookies.open(renewed.cookie))?.session).toEqual(renewed.session);
});

test('parallel requests with the old cookie share one refresh (a rotated refresh token is never used twice)', async () => {
  const w = world();
  const { session } = await w.cookies.create(ann, { kind: 'oidc', expiresAt: w.clock.now(), refreshToken: 'rt-1' });
  const results = await Promise.all([w.renewal.current(session), w.renewal.current(session), w.renewal.current(session)]);
  expect(w.calls).toEqual(['rt-1']);
  expect(new Set(results.map((r) => ('cookie' in r ? r.cookie : 'ended'))).size).toBe(1);
  // a request arriving a minute later with the old cookie still gets the same renewal
  w.clock.advance(60_000);
  expect(await w.renewal.current(session)).toBe(await results[0]);
  expect(w.calls).toEqual(['rt-1']);
});

test('the provider refusing the refresh ends the session (revoked: its cookie no longer opens); no refresh token ends it at expiry', async () => {
  const w = world();
  const { session, cookie } = await w.cookies.create(ann, { kind: 'oidc', expiresAt: w.clock.now() + 60_000, refreshToken: 'rt-1' });
  w.answer(async () => { throw new ConsoleError('MR_ERR_CONSOLE_OIDC_SESSION_ENDED', 'idp.example no longer renews the session of oidc:ann (the provider refused: invalid_grant)'); });
  w.clock.advance(60_000);
  const ended = await w.renewal.current(session);
  expect('ended' in ended && ended.ended.code).toBe('MR_ERR_CONSOLE_OIDC_SESSION_ENDED');
  expect(await w.cookies.open(cookie)).toBeUndefined();

  const plain = await w.cookies.create(ann, { kind: 'oidc', expiresAt: w.clock.now() + 60_000 });
  w.clock.advance(59_000);
  expect(await w.renewal.current(plain.session)).toEqual({ session: plain.session });
  w.clock.advance(1_000);
  const over = await w.renewal.current(plain.session);
  expect('ended' in over && over.ended.message).toMatch(/ID token of oidc:ann expired and idp\.example gave no refresh token.*offline_access/);
  expect(w.calls).toEqual(['rt-1']);
});

test('an unreachable provider keeps the session and is asked again on the next request', async () => {
  const w = world();
  const { session, cookie } = await w.cookies.create(ann, { kind: 'oidc', expiresAt: w.clock.now(), refreshToken: 'rt-1' });
  w.answer(async () => { throw new ConsoleError('MR_ERR_CONSOLE_OIDC_UNAVAILABLE', 'the OpenID provider idp.example could not renew the session of oidc:ann: fetch failed'); });
  await expect(w.renewal.current(session)).rejects.toMatchObject({ code: 'MR_ERR_CONSOLE_OIDC_UNAVAILABLE' });
  expect((await w.cookies.open(cookie))?.session.sid).toBe(session.sid);
  w.answer(async (rt) => ({ identity: ann, expiresAt: w.clock.now() + 60_000, refreshToken: `${rt}+1` }));
  const renewed = await w.renewal.current(session);
  expect('cookie' in renewed && renewed.session.grant).toEqual({ kind: 'oidc', expiresAt: w.clock.now() + 60_000, refreshToken: 'rt-1+1' });
  expect(w.calls).toEqual(['rt-1', 'rt-1']);
});
