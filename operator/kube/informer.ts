// Supervised informer: client-node's ListWatch relists by itself on 410 Gone but stops on any
// other error, so this restarts it with jittered backoff and reports when the cache is synced.
// Objects are slimmed (a CacheTransform) as they arrive, from the list and from the watch,
// before the cache stores them; secondary indexes answer "pods of this deployment" without a scan.
import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffDelay } from './clock.ts';
import type { Clock, Random } from './clock.ts';
import { resourcePath } from './resources.ts';
import type { KubeObject, KubeRest } from './rest-client.ts';
import { stripBookkeeping } from './slim.ts';
import type { CacheTransform } from './slim.ts';

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
  /** Applied to every object before it is cached; default: drop managedFields and last-applied. */
  transform?: CacheTransform;
}

/** Index values of an object (for example `namespace/deployment` of a pod); none: not indexed. */
export type IndexFn<T> = (obj: T) => readonly string[];

/** A secondary index kept in step with the cache: value → objects (by namespace/name). */
class Index<T extends KubeObject> {
  private readonly byValue = new Map<string, Map<string, T>>();
  private readonly valuesOf = new Map<string, readonly string[]>();
  private readonly fn: IndexFn<T>;
  constructor(fn: IndexFn<T>) { this.fn = fn; }

  update(key: string, obj: T): void {
    this.remove(key);
    const values = this.fn(obj);
    if (values.length === 0) return;
    this.valuesOf.set(key, values);
    for (const v of values) {
      let m = this.byValue.get(v);
      if (!m) { m = new Map(); this.byValue.set(v, m); }
      m.set(key, obj);
    }
  }

  remove(key: string): void {
    for (const v of this.valuesOf.get(key) ?? []) {
      const m = this.byValue.get(v);
      m?.delete(key);
      if (m?.size === 0) this.byValue.delete(v);
    }
    this.valuesOf.delete(key);
  }

  get(value: string): T[] { return [...(this.byValue.get(value)?.values() ?? [])]; }
}

const cacheKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class SupervisedInformer<T extends KubeObject> {
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly opts: SupervisedInformerOptions;
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly indexes = new Map<string, Index<T>>();
  private failures = 0;
  private stopped = false;
  private restartHandle: unknown;
  private syncedOnce = false;
  readonly name: string;

  constructor(opts: SupervisedInformerOptions) {
    this.opts = opts;
    this.name = `${opts.kind}.${opts.apiVersion}`;
    const path = resourcePath({ apiVersion: opts.apiVersion, kind: opts.kind });
    const transform = opts.transform ?? stripBookkeeping;
    const slim = (o: KubeObject) => {
      // The API server omits apiVersion/kind on list items; the reconcilers rely on them.
      o.apiVersion ??= opts.apiVersion;
      o.kind ??= opts.kind;
      return transform(o);
    };
    const listFn = async () => {
      const list = await opts.rest.list<T>({ apiVersion: opts.apiVersion, kind: opts.kind }, { labelSelector: opts.labelSelector });
      const items = list.items.map(slim);
      // The cache is filled from this list right after it returns.
      queueMicrotask(() => { this.syncedOnce = true; this.failures = 0; });
      return { ...list, items } as never;
    };
    // client-node's watch, with every object slimmed before ListWatch stores it.
    const inner = new Watch(opts.rest.kubeConfig);
    const watch = {
      watch: (p: string, query: Record<string, string | number | boolean | undefined>, callback: (phase: string, obj: unknown, watchObj?: unknown) => void, done: (err: unknown) => void) =>
        inner.watch(p, query, (phase, obj, watchObj) => {
          const isObject = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
          callback(phase, isObject ? slim(obj as KubeObject) : obj, watchObj);
        }, done),
    } as unknown as Watch;
    this.informer = new ListWatch<KubernetesObject>(path, watch, listFn, false, opts.labelSelector);
    this.informer.on('add', (o) => this.emit('add', o as unknown as T));
    this.informer.on('update', (o) => this.emit('update', o as unknown as T));
    this.informer.on('delete', (o) => this.emit('delete', o as unknown as T));
    // Backoff resets only after a successful list: 'connect' fires before the list is tried.
    this.informer.on('error', (err) => this.restartLater(err));
  }

  private emit(event: InformerEvent, obj: T): void {
    obj.apiVersion ??= this.opts.apiVersion;
    obj.kind ??= this.opts.kind;
    // Indexes first, so handlers already see them in step with the cache.
    if (this.indexes.size > 0) {
      const key = cacheKey(obj);
      for (const index of this.indexes.values()) {
        if (event === 'delete') index.remove(key); else index.update(key, obj);
      }
    }
    for (const h of this.handlers) h(event, obj);
  }

  on(handler: InformerHandler<T>): void { this.handlers.push(handler); }

  /** Adds a secondary index; call before start(). */
  addIndex(name: string, fn: IndexFn<T>): void { this.indexes.set(name, new Index(fn)); }

  /** Cached objects whose index `name` holds `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer ${this.name} has no index ${name}; add it with addIndex() before start()`);
    return index.get(value);
  }

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
