// Leader election on a coordination.k8s.io Lease, as client-go does it: acquire when the
// lease is free or expired, renew every retry period, step down when renewal fails for
// longer than the renew deadline. Optimistic concurrency (resourceVersion) arbitrates races.
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { isConflict, isNotFound } from './rest-client.ts';
import type { KubeObject, KubeRest } from './rest-client.ts';

export interface LeaderElectionOptions {
  rest: KubeRest;
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
  private stopped = false;

  constructor(opts: LeaderElectionOptions) {
    this.o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  get isLeader(): boolean { return this.leading; }

  start(): void { this.stopped = false; void this.tick(); }

  /** Steps down and releases the lease so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
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
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.o.logger.warn({ err: String(err) }, 'leader election attempt failed');
    }
    const now = this.o.clock.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.o.logger.info({ identity: this.o.identity }, 'became leader');
        this.o.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew > this.o.renewDeadlineMs) {
      this.leading = false;
      this.o.logger.error({ identity: this.o.identity }, 'lost leadership');
      this.o.onStoppedLeading();
    }
    if (!this.stopped) this.timer = this.o.clock.setTimeout(() => { void this.tick(); }, this.o.retryPeriodMs);
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
    const renewed = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : 0;
    const duration = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    const mine = holder === this.o.identity;
    if (!mine && holder && renewed + duration > now) return false;
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
