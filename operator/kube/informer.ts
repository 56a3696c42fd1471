// Supervised informer: client-node's ListWatch relists by itself on 410 Gone but stops on any
// other error, so this restarts it with jittered backoff and reports when the cache is synced.
import { makeInformer } from '@kubernetes/client-node';
import type { Informer as KubeInformer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffDelay } from './clock.ts';
import type { Clock, Random } from './clock.ts';
import { resourcePath } from './resources.ts';
import type { KubeObject, KubeRest } from './rest-client.ts';

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T> = (event: InformerEvent, obj: T) => void;

export interface SupervisedInformerOptions {
  rest: KubeRest;
  apiVersion: string;
  kind: string;
  labelSelector?: string;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** Called on every restart after an error (for metrics). */
  onRestart?: (kind: string) => void;
}

export class SupervisedInformer<T extends KubeObject> {
  private readonly informer: KubeInformer<KubernetesObject> & ObjectCache<KubernetesObject>;
  private readonly opts: SupervisedInformerOptions;
  private readonly handlers: InformerHandler<T>[] = [];
  private failures = 0;
  private stopped = false;
  private restartHandle: unknown;
  private syncedOnce = false;
  readonly name: string;

  constructor(opts: SupervisedInformerOptions) {
    this.opts = opts;
    this.name = `${opts.kind}.${opts.apiVersion}`;
    const path = resourcePath({ apiVersion: opts.apiVersion, kind: opts.kind });
    const listFn = async () => {
      const list = await opts.rest.list<T>({ apiVersion: opts.apiVersion, kind: opts.kind }, { labelSelector: opts.labelSelector });
      // The API server omits apiVersion/kind on list items; the reconcilers rely on them.
      for (const item of list.items) { item.apiVersion ??= opts.apiVersion; item.kind ??= opts.kind; }
      // The cache is filled from this list right after it returns.
      queueMicrotask(() => { this.syncedOnce = true; this.failures = 0; });
      return list as never;
    };
    this.informer = makeInformer<KubernetesObject>(opts.rest.kubeConfig, path, listFn, opts.labelSelector);
    this.informer.on('add', (o) => this.emit('add', o as unknown as T));
    this.informer.on('update', (o) => this.emit('update', o as unknown as T));
    this.informer.on('delete', (o) => this.emit('delete', o as unknown as T));
    // Backoff resets only after a successful list: 'connect' fires before the list is tried.
    this.informer.on('error', (err) => this.restartLater(err));
  }

  private emit(event: InformerEvent, obj: T): void {
    obj.apiVersion ??= this.opts.apiVersion;
    obj.kind ??= this.opts.kind;
    for (const h of this.handlers) h(event, obj);
  }

  on(handler: InformerHandler<T>): void { this.handlers.push(handler); }

  private restartLater(err: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    const delay = backoffDelay(this.failures, 500, 30_000, this.opts.random);
    this.opts.logger.warn({ informer: this.name, err: String(err), delayMs: delay }, 'informer stopped; restarting');
    this.opts.onRestart?.(this.opts.kind);
    this.restartHandle = this.opts.clock.setTimeout(() => { void this.startOnce(); }, delay);
  }

  private async startOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.informer.start();
    } catch (err) {
      this.restartLater(err);
    }
  }

  /** Starts and resolves once the first list has filled the cache. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.startOnce();
    while (!this.syncedOnce && !this.stopped) await new Promise((r) => setTimeout(r, 100));
  }

  get synced(): boolean { return this.syncedOnce; }

  async stop(): Promise<void> {
    this.stopped = true;
    this.opts.clock.clearTimeout(this.restartHandle);
    await this.informer.stop();
  }

  get(name: string, namespace?: string): T | undefined { return this.informer.get(name, namespace) as unknown as T | undefined; }
  list(namespace?: string): ReadonlyArray<T> { return this.informer.list(namespace) as unknown as ReadonlyArray<T>; }
}
