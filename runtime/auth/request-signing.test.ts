// Request signing with a manual clock: what verifies, and each way a request is refused.
import { DeploymentKey } from './deployment-key.ts';
import { RequestVerifier, signRequest, REPLAY_WINDOW_MS } from './request-signing.ts';

const key = new DeploymentKey('k'.repeat(64), 'test');
const other = new DeploymentKey('o'.repeat(64), 'test');
const clock = { t: 1_800_000_000_000, now() { return this.t; } };
const req = { method: 'POST', path: '/jobs/abc/savepoints', body: '{"cancel-job":false}' };

let verifier: RequestVerifier;
beforeEach(() => {
  clock.t = 1_800_000_000_000;
  verifier = new RequestVerifier(key, clock);
});

test('a request signed with the Deployment key verifies once and names its principal', () => {
  const h = signRequest(key, 'operator', req, clock.now());
  expect(verifier.verify(h, req)).toBe('operator');
  expect(() => verifier.verify(h, req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_REPLAYED' }));
});

test('missing headers, another key, or an altered method, path or body are refused with their codes', () => {
  expect(() => verifier.verify({}, req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_MISSING' }));
  expect(() => verifier.verify(signRequest(other, 'operator', req, clock.now()), req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_INVALID' }));
  const h = signRequest(key, 'operator', req, clock.now());
  expect(() => verifier.verify(h, { ...req, body: '{"cancel-job":true}' })).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_INVALID' }));
  expect(() => verifier.verify(h, { ...req, path: '/jobs/xyz/savepoints' })).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_INVALID' }));
  expect(() => verifier.verify(h, { ...req, method: 'DELETE' })).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_INVALID' }));
  expect(() => verifier.verify({ ...h, 'x-millrace-principal': 'taskmanager' }, req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_INVALID' }));
  expect(() => verifier.verify({ ...h, 'x-millrace-principal': 'admin' }, req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_INVALID' }));
});

test('timestamps outside the replay window are refused, inside it accepted (either way of clock skew)', () => {
  const early = signRequest(key, 'jobmanager', req, clock.now() - REPLAY_WINDOW_MS - 1);
  expect(() => verifier.verify(early, req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_EXPIRED' }));
  const late = signRequest(key, 'jobmanager', req, clock.now() + REPLAY_WINDOW_MS + 1);
  expect(() => verifier.verify(late, req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_EXPIRED' }));
  expect(verifier.verify(signRequest(key, 'jobmanager', req, clock.now() - REPLAY_WINDOW_MS), req)).toBe('jobmanager');
  expect(verifier.verify(signRequest(key, 'jobmanager', req, clock.now() + REPLAY_WINDOW_MS), req)).toBe('jobmanager');
});

test('a replay after the window is refused as expired, and remembered nonces are forgotten then', () => {
  const h = signRequest(key, 'taskmanager', req, clock.now());
  verifier.verify(h, req);
  expect(verifier.remembered).toBe(1);
  clock.t += REPLAY_WINDOW_MS + 1;
  expect(() => verifier.verify(h, req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_EXPIRED' }));
  verifier.verify(signRequest(key, 'taskmanager', req, clock.now()), req);
  expect(verifier.remembered).toBe(1);
});

test('a flood inside one window is refused beyond the nonce limit instead of growing memory', () => {
  const small = new RequestVerifier(key, clock, { maxNonces: 3 });
  for (let i = 0; i < 3; i++) small.verify(signRequest(key, 'operator', req, clock.now()), req);
  expect(() => small.verify(signRequest(key, 'operator', req, clock.now()), req)).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_REPLAYED' }));
  clock.t += REPLAY_WINDOW_MS + 1;
  expect(small.verify(signRequest(key, 'operator', req, clock.now()), req)).toBe('operator');
});

test('keys are derived per purpose: a REST signature is no HA or data-plane MAC', () => {
  expect(key.mac('rest', 'x')).not.toBe(key.mac('ha', 'x'));
  expect(key.mac('ha', 'x')).not.toBe(key.mac('data', 'x'));
  expect(() => new DeploymentKey('short', 'test')).toThrow(expect.objectContaining({ code: 'MR_ERR_AUTH_KEY' }));
  expect(JSON.stringify({ key })).not.toContain('kkkk');
});
