import { pino } from 'pino';
import { ManualClock } from '../../runtime/time/clock.ts';
import type { Clock } from './clock.ts';
import { LeaderElector } from './leader-election.ts';
import { LeaseObservation } from './lease-observation.ts';
import { KubeApiError } from './rest-client.ts';
import type { KubeObject } from './rest-client.ts';

/** A manual clock: timers fire only when the test advances time (promises settle after each). */
function manualClock() {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  return { clock, advance: (ms: number) => clock.advanceAsync(ms) };
}

type Spec = { holderIdentity?: string | null; renewTime?: string; leaseDurationSeconds?: number; leaseTransitions?: number; acquireTime?: string };

/** The API server's Lease, in memory; `hang` makes every request wait forever (a partition). */
function leaseStore(initial?: Spec) {
  let lease: (KubeObject & { spec?: Spec }) | undefined = initial ? { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'n', resourceVersion: '1' }, spec: initial } : undefined;
  const state = { hang: false };
  const pending = () => new Promise<never>(() => undefined);
  const rest = {
    get: async <T>() => { if (state.hang) return pending(); if (!lease) throw new KubeApiError(404, 'NotFound', 'not found'); return structuredClone(lease) as T; },
    create: async <T>(obj: KubeObject) => { if (state.hang) return pending(); if (lease) throw new KubeApiError(409, 'AlreadyExists', 'exists'); lease = { ...obj, metadata: { ...obj.metadata, resourceVersion: '1' } }; return lease as T; },
    request: async <T>(_m: string, _p: string, opts: { body?: unknown } = {}) => {
      if (state.hang) return pending();
      const next = opts.body as KubeObject & { spec?: Spec };
      if (next.metadata.resourceVersion !== lease?.metadata.resourceVersion) throw new KubeApiError(409, 'Conflict', 'conflict');
      lease = { ...next, metadata: { ...next.metadata, resourceVersion: String(Number(next.metadata.resourceVersion) + 1) } };
      return lease as T;
    },
  };
  return { rest, state, holder: () => lease?.spec?.holderIdentity };
}

function elector(store: ReturnType<typeof leaseStore>, clock: Clock, events: string[], identity = 'me') {
  return new LeaderElector({
    rest: store.rest, namespace: 'n', name: 'l', identity, clock, logger: pino({ level: 'silent' }),
    leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000,
    onStartedLeading: () => events.push('started'), onStoppedLeading: () => events.push('stopped'),
  });
}

describe('lease observation', () => {
  test('expiry counts from when this process saw the record change, not from the renewTime written in it', () => {
    const o = new LeaseObservation();
    // A renewTime an hour in the past (the other replica's clock is behind): still not expired.
    o.observe({ holderIdentity: 'other', renewTime: '2000-01-01T00:00:00.000000Z', leaseDurationSeconds: 15 }, 1000);
    expect(o.expired(1000)).toBe(false);
    expect(o.expired(15_999)).toBe(false);
    o.observe({ holderIdentity: 'other', renewTime: '2000-01-01T00:00:00.000000Z', leaseDurationSeconds: 15 }, 10_000);
    expect(o.expired(16_000)).toBe(true);
    // A renewal (a changed record) starts the count again.
    o.observe({ holderIdentity: 'other', renewTime: '2000-01-01T00:00:02.000000Z', leaseDurationSeconds: 15 }, 16_000);
    expect(o.expired(30_999)).toBe(false);
  });
});

describe('leader election (manual clock, in-memory lease)', () => {
  test('a lease held by another replica with a renewTime far in the future (clock skew) is taken once it stops changing for a lease duration', async () => {
    const { clock, advance } = manualClock();
    const store = leaseStore({ holderIdentity: 'other', renewTime: '2999-01-01T00:00:00.000000Z', leaseDurationSeconds: 15, leaseTransitions: 0 });
    const events: string[] = [];
    const e = elector(store, clock, events);
    e.start();
    await advance(14_000);
    expect(events).toEqual([]);
    await advance(4_000);
    expect(events).toEqual(['started']);
    expect(store.holder()).toBe('me');
    await e.stop();
  });

  test('a lease renewed by its holder is never taken, even with a renewTime far in the past', async () => {
    const { clock, advance } = manualClock();
    const store = leaseStore({ holderIdentity: 'other', renewTime: '2000-01-01T00:00:00.000000Z', leaseDurationSeconds: 15, leaseTransitions: 0 });
    const events: string[] = [];
    const e = elector(store, clock, events);
    e.start();
    for (let i = 0; i < 20; i++) {
      await advance(2_000);
      // the holder renews (its clock is behind: the written time stays in the past)
      const got = await store.rest.get<KubeObject & { spec: Spec }>();
      await store.rest.request('PUT', '', { body: { ...got, spec: { ...got.spec, renewTime: `2000-01-01T00:00:${String(i + 1).padStart(2, '0')}.000000Z` } } });
    }
    expect(events).toEqual([]);
    await e.stop();
  });

  test('a leader whose requests hang steps down within the renew deadline, though no request has failed', async () => {
    const { clock, advance } = manualClock();
    const store = leaseStore();
    const events: string[] = [];
    const e = elector(store, clock, events);
    e.start();
    await advance(0);
    expect(events).toEqual(['started']);
    await advance(2_000); // one more renewal at t+2s
    store.state.hang = true; // the API server stops answering (the client would wait 30 s)
    await advance(9_999);
    expect(events).toEqual(['started']);
    await advance(1);
    expect(events).toEqual(['started', 'stopped']);
    await e.stop();
  });

  test('a leader renews every retry period and keeps leading', async () => {
    const { clock, advance } = manualClock();
    const store = leaseStore();
    const events: string[] = [];
    const e = elector(store, clock, events);
    e.start();
    await advance(60_000);
    expect(events).toEqual(['started']);
    expect(e.isLeader).toBe(true);
    await e.stop();
    expect(events).toEqual(['started', 'stopped']);
    expect(store.holder()).toBeNull();
  });
});
