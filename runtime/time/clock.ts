// The one clock interface of the code base: time is passed in as a value, so tests drive it with a
// ManualClock and production passes systemClock (or `Date`, which satisfies Clock).
// Task timers go through the task's mailbox: ProcessingTimeService (processing-time-service.ts)
// extends Clock with a schedule() whose callbacks run in the mailbox.

/** Reads the time in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** A clock that also schedules callbacks: work queues, leases, retries and backoff. */
export interface TimerClock extends Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real time; its timers never keep the process alive. */
export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); t.unref?.(); return t; },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface ManualTimer {
  readonly at: number;
  readonly fn: () => void;
}

/** For tests: time moves only when the test advances it; due timers run in time order. */
export class ManualClock implements TimerClock {
  private time: number;
  private readonly timers = new Set<ManualTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.time + Math.max(0, ms), fn };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as ManualTimer);
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time by `ms`, stopping at each due timer (also those scheduled meanwhile) to run it. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) this.run(next);
    this.time = end;
  }

  /** As advance, letting promise continuations settle after each timer (for async code under test). */
  async advanceAsync(ms: number, settleTurns = 10): Promise<void> {
    const end = this.time + ms;
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
      this.run(next);
      for (let i = 0; i < settleTurns; i++) await Promise.resolve();
    }
    this.time = end;
    for (let i = 0; i < settleTurns; i++) await Promise.resolve();
  }

  private nextDue(end: number): ManualTimer | undefined {
    let next: ManualTimer | undefined;
    for (const t of this.timers) if (t.at <= end && (!next || t.at < next.at)) next = t;
    return next;
  }

  private run(timer: ManualTimer): void {
    this.time = timer.at;
    this.timers.delete(timer);
    timer.fn();
  }
}

/** Timers of `base` that their owner can clear at once when it stops (a JobManager closing). */
export function ownedTimers(base: TimerClock): TimerClock & { clearAll(): void } {
  const live = new Set<unknown>();
  return {
    now: () => base.now(),
    setTimeout(fn, ms) {
      const handle = base.setTimeout(() => {
        live.delete(handle);
        fn();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      base.clearTimeout(handle);
    },
    clearAll() {
      for (const handle of live) base.clearTimeout(handle);
      live.clear();
    },
  };
}
