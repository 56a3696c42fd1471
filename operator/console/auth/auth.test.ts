// The console's authentication pieces that need no API server: the bearer cache, the access-decision cache, the cross-site refusal and the user connection.
import { AccessCache } from './can-i.ts';
import { crossSiteRefusal } from './same-origin.ts';
import { BearerCache } from './sessions.ts';
import { userConnection } from './user-connection.ts';

const alice = { name: 'alice', groups: ['team-a'] };

test('bearer identities are cached for their TTL, keyed by the token', () => {
  let now = 0;
  const cache = new BearerCache<string>(() => now, 1_000, 10);
  cache.create(alice, 'tok-1', 'data');
  expect(cache.get('tok-1')?.identity.name).toBe('alice');
  expect(cache.get('tok-2')).toBeUndefined();
  now = 1_001;
  expect(cache.get('tok-1')).toBeUndefined();
});

test('access decisions are cached per attribute set until the TTL passes', () => {
  let now = 0;
  const cache = new AccessCache(() => now, 5_000);
  const patch = { verb: 'patch', group: 'millrace.dev', resource: 'deployments', namespace: 'team-a' };
  cache.set(patch, true);
  expect(cache.get(patch)).toBe(true);
  expect(cache.get({ ...patch, namespace: 'team-b' })).toBeUndefined();
  expect(cache.get({ ...patch, verb: 'delete' })).toBeUndefined();
  now = 5_001;
  expect(cache.get(patch)).toBeUndefined();
});

test('state changes from another origin are refused; same origin, reads and origin-less tools pass', () => {
  expect(crossSiteRefusal('POST', { host: 'console:8080', origin: 'http://console:8080' })).toBeUndefined();
  expect(crossSiteRefusal('POST', { host: 'console:8080', origin: 'http://evil.example' })).toMatch(/evil\.example is not this console/);
  expect(crossSiteRefusal('POST', { host: 'console:8080', origin: 'null' })).toMatch(/opaque/);
  expect(crossSiteRefusal('DELETE', { host: 'console:8080', 'sec-fetch-site': 'cross-site' })).toMatch(/cross-site/);
  expect(crossSiteRefusal('GET', { host: 'console:8080', origin: 'http://evil.example' })).toBeUndefined();
  expect(crossSiteRefusal('POST', { host: 'console:8080' })).toBeUndefined(); // curl: no ambient cookie from a browser
});

test("the user connection keeps the API server and CA but replaces the console's credentials by the user's token", async () => {
  const base = {
    getCurrentCluster: () => ({ server: 'https://10.0.0.1:6443' }),
    applyToHTTPSOptions: async (o: Record<string, unknown>) => { o.ca = 'CA'; o.cert = 'CERT'; o.key = 'KEY'; o.headers = { Authorization: 'Bearer console-sa', 'x-other': '1' }; },
  };
  const conn = userConnection(base, 'user-token');
  const opts: Record<string, unknown> = {};
  await conn.applyToHTTPSOptions(opts);
  expect(conn.getCurrentCluster()).toEqual({ server: 'https://10.0.0.1:6443' });
  expect(opts).toEqual({ ca: 'CA', headers: { 'x-other': '1', Authorization: 'Bearer user-token' } });
});
