// Leader election on a coordination.k8s.io Lease, as client-go does it: acquire when the
// lease is free or expired — expired judged from this process's own observation of the record
// (lease-observation.ts), never from the renewTime another clock wrote — renew every retry
// period, and step down when no renewal succeeded within the renew deadline. The deadline is a
// timer of its own and every attempt is abandoned when it passes, so a request that hangs (the
// client's timeout is 30 s) never keeps a leader that the others may already consider gone.
// Optimistic concurrency (resourceVersion) arbitrates races.
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { LeaseObservation } from './lease-observation.ts';
import { isConflict, isNotFound } from './rest-client.ts';
import type { KubeObject, KubeRest } from './rest-client.ts';

export interface LeaderElectionOptions {
  rest: Pick<KubeRest, 'get' | 'create' | 'request'>;
  namespace: string;
  name: string;
  identity: string;
  clock: Clock;
  logger: Logger;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

const micro = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  private readonly o: Required<LeaderElectionOptions>;
  private leading = false;
  private lastRenew = 0;
  private timer: unknown;
  private deadlineTimer: unknown;
  private stopped = false;
  private readonly observation = new LeaseObservation();

  constructor(opts: LeaderElectionOptions) {
    this.o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
    if (!(this.o.renewDeadlineMs < this.o.leaseDurationMs)) throw new Error(`renewDeadlineMs (${this.o.renewDeadlineMs}) must be shorter than leaseDurationMs (${this.o.leaseDurationMs})`);
  }

  get isLeader(): boolean { return this.leading; }

  start(): void { this.stopped = false; void this.tick(); }

  /** Steps down and releases the lease so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
    this.o.clock.clearTimeout(this.deadlineTimer);
    if (this.leading) {
      this.leading = false;
      try {
        const lease = await this.o.rest.get<Lease>(this.ref());
        if (lease.spec?.holderIdentity === this.o.identity) {
          await this.o.rest.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases/${this.o.name}`, {
            body: { ...lease, spec: { ...lease.spec, holderIdentity: null, renewTime: micro(this.o.clock.now()), leaseDurationSeconds: 1 } },
          });
        }
      } catch (err) {
        this.o.logger.warn({ err: String(err) }, 'could not release the leader lease');
      }
      this.o.onStoppedLeading();
    }
  }

  private ref() { return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: this.o.namespace, name: this.o.name }; }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      // A leader's attempt may take only what is left of its renew deadline; a follower's, one deadline.
      const budget = this.leading ? this.lastRenew + this.o.renewDeadlineMs - this.o.clock.now() : this.o.renewDeadlineMs;
      ok = await this.withinMs(Math.max(0, budget), this.tryAcquireOrRenew());
    } catch (err) {
      this.o.logger.warn({ err: String(err) }, 'leader election attempt failed');
    }
    if (this.stopped) return;
    const now = this.o.clock.now();
    if (ok) {
      this.lastRenew = now;
      this.armDeadline();
      if (!this.leading) {
        this.leading = true;
        this.o.logger.info({ identity: this.o.identity }, 'became leader');
        this.o.onStartedLeading();
      }
    } else if (this.leading && this.deadlinePassed(now)) {
      this.stepDown();
    }
    this.timer = this.o.clock.setTimeout(() => { void this.tick(); }, this.o.retryPeriodMs);
  }

  private deadlinePassed(now: number): boolean { return now - this.lastRenew >= this.o.renewDeadlineMs; }

  /** Steps down when the renew deadline passes without a renewal, whatever requests are in flight. */
  private armDeadline(): void {
    this.o.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = this.o.clock.setTimeout(() => {
      if (this.leading && !this.stopped && this.deadlinePassed(this.o.clock.now())) this.stepDown();
    }, this.o.renewDeadlineMs);
  }

  private stepDown(): void {
    this.leading = false;
    this.o.clock.clearTimeout(this.deadlineTimer);
    this.o.logger.error({ identity: this.o.identity }, 'lost leadership: no renewal within the renew deadline');
    this.o.onStoppedLeading();
  }

  /** Resolves false when `attempt` takes longer than `ms` (the attempt itself is left to finish or fail). */
  private withinMs(ms: number, attempt: Promise<boolean>): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const t = this.o.clock.setTimeout(() => { this.o.logger.warn({ ms }, 'leader election attempt abandoned: no answer in time'); resolve(false); }, ms);
      attempt.then((v) => { this.o.clock.clearTimeout(t); resolve(v); }, (e: unknown) => { this.o.clock.clearTimeout(t); reject(e as Error); });
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.clock.now();
    const spec = { holderIdentity: this.o.identity, leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000), renewTime: micro(now) };
    let lease: Lease;
    try {
      lease = await this.o.rest.get<Lease>(this.ref());
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.o.rest.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.name, namespace: this.o.namespace }, spec: { ...spec, acquireTime: micro(now), leaseTransitions: 0 } });
        return true;
      } catch (e) { if (isConflict(e)) return false; throw e; }
    }
    const holder = lease.spec?.holderIdentity;
    this.observation.observe(lease.spec, now);
    const mine = holder === this.o.identity;
    if (!mine && holder && !this.observation.expired(now)) return false;
    const next = {
      ...lease,
      spec: {
        ...lease.spec, ...spec,
        acquireTime: mine ? lease.spec?.acquireTime : micro(now),
        leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    };
    try {
      await this.o.rest.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases/${this.o.name}`, { body: next });
      return true;
    } catch (e) { if (isConflict(e)) return false; throw e; }
  }
}
