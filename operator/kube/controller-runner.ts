// Runs one controller: workers take keys from the work queue and call reconcile(key). This
// is the one place that owns retries, metrics, logging and the reconcile id; reconcilers
// just return or throw.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isTransient, MillraceError } from '../errors.ts';
import { isNotFound } from './rest-client.ts';
import type { OperatorMetrics } from '../server/metrics.ts';
import type { WorkQueue } from './work-queue.ts';

export interface ReconcileResult {
  /** Reconcile this key again after the delay (polling external state, timers). */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string, log: Logger) => Promise<ReconcileResult | void>;

export interface ControllerRunnerOptions {
  name: string;
  queue: WorkQueue;
  reconcile: Reconcile;
  workers: number;
  logger: Logger;
  metrics: OperatorMetrics;
}

export class ControllerRunner {
  private readonly o: ControllerRunnerOptions;
  private workers: Promise<void>[] = [];

  constructor(opts: ControllerRunnerOptions) { this.o = opts; }

  start(): void {
    for (let i = 0; i < this.o.workers; i++) this.workers.push(this.work());
  }

  /** Stops taking keys and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.o.queue.shutDown();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.o.queue.get();
      if (key === undefined) return;
      this.o.metrics.queueDepth.set({ controller: this.o.name }, this.o.queue.depth);
      await this.processOne(key);
      this.o.queue.done(key);
    }
  }

  /** One reconcile of one key with its bookkeeping; exposed for tests that drive a controller by hand. */
  async processOne(key: string): Promise<void> {
    const { name, queue, metrics } = this.o;
    const log = this.o.logger.child({ controller: name, key, reconcileId: randomUUID() });
    const end = metrics.reconcileDuration.startTimer({ controller: name });
    try {
      const result = await this.o.reconcile(key, log);
      queue.forget(key);
      if (result?.requeueAfterMs !== undefined) {
        // A follow-up: low priority, so new objects do not wait behind the requeues of existing ones.
        queue.addAfter(key, result.requeueAfterMs, 'low');
        metrics.reconciles.inc({ controller: name, result: 'requeue' });
      } else {
        metrics.reconciles.inc({ controller: name, result: 'success' });
      }
    } catch (err) {
      if (isNotFound(err)) {
        // The object went away while we worked on it: nothing is left to reconcile.
        queue.forget(key);
        metrics.reconciles.inc({ controller: name, result: 'success' });
        log.debug({ err: String(err) }, 'object gone during reconcile');
        return;
      }
      const code = err instanceof MillraceError ? err.code : 'UNEXPECTED';
      metrics.reconciles.inc({ controller: name, result: 'error' });
      metrics.reconcileErrors.inc({ controller: name, code });
      if (isTransient(err)) {
        const delay = queue.addRateLimited(key, 'low');
        log.warn({ err: String(err), code, retryInMs: delay, attempt: queue.failuresOf(key) }, 'reconcile failed; retrying with backoff');
      } else {
        queue.forget(key);
        log.error({ err: String(err), code }, 'reconcile failed terminally; waiting for the object to change');
      }
    } finally {
      end();
    }
  }
}
