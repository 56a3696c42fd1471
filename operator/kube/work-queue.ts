// A work queue of object keys in the manner of client-go: a key is queued at most once,
// handed to at most one worker at a time (a key added while it is processed is queued again
// when the worker is done), failures back off per key, and delayed adds wait on a timer.
//
// Two priorities, as controller-runtime's priority queue: new work (an object created or its
// spec changed) can go `high` and follow-ups (requeues, retries, events of the pods an object
// owns) `low`, so a newcomer does not wait behind them. Keys are FIFO within a priority; a key
// queued low and added high moves up; one key of every `lowEvery` handed out while both wait is
// a low one, so follow-ups never starve. Every add is high unless its caller says low; the
// operator marks its pods' events, requeues and retries low (manager.ts, controller-runner.ts).
import { backoffDelay } from './clock.ts';
import type { Clock, Random } from './clock.ts';

export type Priority = 'high' | 'low';

export interface WorkQueueOptions {
  clock: Clock;
  random: Random;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** While both priorities wait, every lowEvery-th key handed out is a low one (default 8). */
  lowEvery?: number;
}

export class WorkQueue {
  // Sets keep insertion order: FIFO, with O(1) removal when a key moves up.
  private readonly high = new Set<string>();
  private readonly low = new Set<string>();
  /** Keys queued, or to be queued again when their worker is done, with their priority. */
  private readonly dirty = new Map<string, Priority>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; handle: unknown; priority: Priority }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  /** high keys handed out in a row while low ones waited */
  private highInRow = 0;
  private shuttingDown = false;
  private readonly opts: Required<WorkQueueOptions>;

  constructor(opts: WorkQueueOptions) {
    this.opts = { baseDelayMs: 200, maxDelayMs: 300_000, lowEvery: 8, ...opts };
    if (!Number.isInteger(this.opts.lowEvery) || this.opts.lowEvery < 1) throw new Error(`WorkQueue lowEvery must be an integer >= 1, got ${this.opts.lowEvery}`);
  }

  /** Keys waiting (not counting those being processed or delayed). */
  get depth(): number { return this.high.size + this.low.size; }
  /** Keys waiting at each priority. */
  get depthByPriority(): { high: number; low: number } { return { high: this.high.size, low: this.low.size }; }
  get processingCount(): number { return this.processing.size; }

  add(key: string, priority: Priority = 'high'): void {
    if (this.shuttingDown) return;
    const was = this.dirty.get(key);
    if (was === 'high' || was === priority) return;
    this.dirty.set(key, priority);
    if (this.processing.has(key)) return; // re-queued by done()
    if (was === 'low') { this.low.delete(key); this.high.add(key); return; } // moves up
    const waiter = this.waiters.shift();
    if (waiter) { this.dirty.delete(key); this.processing.add(key); waiter(key); return; }
    (priority === 'high' ? this.high : this.low).add(key);
  }

  /**
   * Adds the key after a delay; an earlier pending delay for the key wins, and keeps the higher
   * of the two priorities.
   */
  addAfter(key: string, ms: number, priority: Priority = 'high'): void {
    if (this.shuttingDown) return;
    if (ms <= 0) { this.add(key, priority); return; }
    const at = this.opts.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) { if (priority === 'high') pending.priority = 'high'; return; }
    if (pending) this.opts.clock.clearTimeout(pending.handle);
    const entry = { at, handle: undefined as unknown, priority: pending?.priority === 'high' ? 'high' as const : priority };
    entry.handle = this.opts.clock.setTimeout(() => { this.delayed.delete(key); this.add(key, entry.priority); }, ms);
    this.delayed.set(key, entry);
  }

  /** Re-adds a failed key after an exponential, jittered backoff; returns the delay. */
  addRateLimited(key: string, priority: Priority = 'high'): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = backoffDelay(n, this.opts.baseDelayMs, this.opts.maxDelayMs, this.opts.random);
    this.addAfter(key, delay, priority);
    return delay;
  }

  failuresOf(key: string): number { return this.failures.get(key) ?? 0; }

  /** Clears the backoff of a key after a successful reconcile. */
  forget(key: string): void { this.failures.delete(key); }

  /** Resolves with the next key (now owned by the caller until done()), or undefined on shutdown. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.next();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    const priority = this.dirty.get(key);
    if (priority) {
      this.dirty.delete(key);
      this.add(key, priority);
    }
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.delayed.values()) this.opts.clock.clearTimeout(handle);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** Takes the next key: high first, but a low one after lowEvery - 1 high ones in a row while low ones wait. */
  private next(): string | undefined {
    const lowTurn = this.low.size > 0 && (this.high.size === 0 || this.highInRow >= this.opts.lowEvery - 1);
    const from = lowTurn ? this.low : this.high;
    const key = from.values().next().value;
    if (key === undefined) return undefined;
    from.delete(key);
    this.highInRow = lowTurn || this.low.size === 0 ? 0 : this.highInRow + 1;
    return key;
  }
}
