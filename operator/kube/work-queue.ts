// A work queue of object keys in the manner of client-go: a key is queued at most once,
// handed to at most one worker at a time (a key added while it is processed is queued again
// when the worker is done), failures back off per key, and delayed adds wait on a timer.
import { backoffDelay } from './clock.ts';
import type { Clock, Random } from './clock.ts';

export interface WorkQueueOptions {
  clock: Clock;
  random: Random;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; handle: unknown }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;
  private readonly opts: Required<WorkQueueOptions>;

  constructor(opts: WorkQueueOptions) {
    this.opts = { baseDelayMs: 200, maxDelayMs: 300_000, ...opts };
  }

  /** Keys waiting (not counting those being processed or delayed). */
  get depth(): number { return this.queue.length; }
  get processingCount(): number { return this.processing.size; }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    const waiter = this.waiters.shift();
    if (waiter) { this.dirty.delete(key); this.processing.add(key); waiter(key); return; }
    this.queue.push(key);
  }

  /** Adds the key after a delay; an earlier pending delay for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) { this.add(key); return; }
    const at = this.opts.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.opts.clock.clearTimeout(pending.handle);
    const handle = this.opts.clock.setTimeout(() => { this.delayed.delete(key); this.add(key); }, ms);
    this.delayed.set(key, { at, handle });
  }

  /** Re-adds a failed key after an exponential, jittered backoff; returns the delay. */
  addRateLimited(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = backoffDelay(n, this.opts.baseDelayMs, this.opts.maxDelayMs, this.opts.random);
    this.addAfter(key, delay);
    return delay;
  }

  failuresOf(key: string): number { return this.failures.get(key) ?? 0; }

  /** Clears the backoff of a key after a successful reconcile. */
  forget(key: string): void { this.failures.delete(key); }

  /** Resolves with the next key (now owned by the caller until done()), or undefined on shutdown. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.delayed.values()) this.opts.clock.clearTimeout(handle);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
