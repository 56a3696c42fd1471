// State time-to-live: values are stored as { v, e } (value, expiry in processing time) and
// expired entries are dropped lazily when read (and never returned unless configured).

import type { StateTtlConfig } from '../api/state.ts';
import type { Clock } from '../time/clock.ts';

interface Wrapped {
  v: unknown;
  e: number;
}

export class TtlPolicy {
  private readonly cfg: StateTtlConfig;
  private readonly clock: Clock;
  constructor(cfg: StateTtlConfig, clock: Clock) {
    if (!(cfg.ttlMs > 0)) throw new Error(`MR_ERR_STATE_TTL: ttl.ttlMs must be a positive number of milliseconds, got ${cfg.ttlMs}`);
    this.cfg = cfg;
    this.clock = clock;
  }
  wrap(value: unknown): Wrapped {
    return { v: value, e: this.clock.now() + this.cfg.ttlMs };
  }
  unwrap(w: unknown): unknown {
    return (w as Wrapped).v;
  }
  private expired(w: Wrapped): boolean {
    return w.e <= this.clock.now();
  }
  /** Returns the live value or undefined; drops expired entries and refreshes on read when configured. */
  read(raw: unknown, drop: () => void, rewrite: (w: Wrapped) => void): unknown {
    const w = raw as Wrapped;
    if (this.expired(w)) {
      if (this.cfg.visibility === 'returnExpiredIfNotCleanedUp') return w.v;
      drop();
      return undefined;
    }
    if (this.cfg.updateType === 'onReadAndWrite') rewrite(this.wrap(w.v));
    return w.v;
  }
  filterList(list: unknown[]): unknown[] {
    if (this.cfg.visibility === 'returnExpiredIfNotCleanedUp') return list;
    return list.filter((w) => !this.expired(w as Wrapped));
  }
}
