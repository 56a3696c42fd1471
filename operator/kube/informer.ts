// Supervised informer: list, then watch from the list's resourceVersion, into a cache of
// slimmed objects, in the manner of client-go's reflector. The watch is reopened where it
// ended; 410 Gone (history compacted) means list again; any other failure backs off with
// jitter and starts over, so an informer never stops for good. Objects are slimmed (a
// CacheTransform) as they arrive, before they are stored; secondary indexes answer "pods of
// this deployment" without a scan.
import type { Logger } from 'pino';
import { backoffDelay } from './clock.ts';
import type { Clock, Random } from './clock.ts';
import { resourcePath } from './resources.ts';
import { KubeApiError } from './rest-client.ts';
import type { KubeObject, KubeRest, WatchEvent } from './rest-client.ts';
import { stripBookkeeping } from './slim.ts';
import type { CacheTransform } from './slim.ts';

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T> = (event: InformerEvent, obj: T) => void;

export interface SupervisedInformerOptions {
  rest: Pick<KubeRest, 'list' | 'watch'>;
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
  /** Arrays handed out, kept until their value changes: readers call this in loops. */
  private readonly snapshots = new Map<string, readonly T[]>();
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
      this.snapshots.delete(v);
    }
  }

  remove(key: string): void {
    for (const v of this.valuesOf.get(key) ?? []) {
      const m = this.byValue.get(v);
      m?.delete(key);
      if (m?.size === 0) this.byValue.delete(v);
      this.snapshots.delete(v);
    }
    this.valuesOf.delete(key);
  }

  get(value: string): readonly T[] {
    let snapshot = this.snapshots.get(value);
    if (!snapshot) {
      snapshot = Object.freeze([...(this.byValue.get(value)?.values() ?? [])]);
      if (this.byValue.has(value)) this.snapshots.set(value, snapshot);
    }
    return snapshot;
  }
}

const cacheKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Server-side watch timeout: 5 to 10 minutes, spread so watches do not all reopen at once (client-go). */
const watchTimeoutSeconds = (random: Random) => String(300 + Math.floor(random() * 300));

export class SupervisedInformer<T extends KubeObject> {
  private readonly opts: SupervisedInformerOptions;
  private readonly transform: CacheTransform;
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly indexes = new Map<string, Index<T>>();
  /** namespace ('' for cluster-scoped) → name → object. */
  private objects = new Map<string, Map<string, T>>();
  private resourceVersion = '';
  private failures = 0;
  private stopped = true;
  private syncedOnce = false;
  private running?: Promise<void>;
  private abort?: AbortController;
  private wake?: () => void;
  private sleepHandle: unknown;
  private readonly syncWaiters: Array<() => void> = [];
  readonly name: string;

  constructor(opts: SupervisedInformerOptions) {
    this.opts = opts;
    this.name = `${opts.kind}.${opts.apiVersion}`;
    this.transform = opts.transform ?? stripBookkeeping;
  }

  on(handler: InformerHandler<T>): void { this.handlers.push(handler); }

  /** Adds a secondary index; call before start(). */
  addIndex(name: string, fn: IndexFn<T>): void { this.indexes.set(name, new Index(fn)); }

  /** Cached objects whose index `name` holds `value`, as a frozen snapshot (shared until that value changes). */
  byIndex(name: string, value: string): readonly T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer ${this.name} has no index ${name}; add it with addIndex() before start()`);
    return index.get(value);
  }

  get synced(): boolean { return this.syncedOnce; }

  /** Objects cached (O(namespaces), no copy). */
  get size(): number {
    let n = 0;
    for (const m of this.objects.values()) n += m.size;
    return n;
  }

  /** Starts and resolves once the first list has filled the cache (or on stop()). */
  async start(): Promise<void> {
    if (!this.stopped) return this.untilSynced();
    this.stopped = false;
    this.running = this.run();
    return this.untilSynced();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.opts.clock.clearTimeout(this.sleepHandle);
    this.wake?.();
    for (const w of this.syncWaiters.splice(0)) w();
    await this.running;
  }

  get(name: string, namespace?: string): T | undefined { return this.objects.get(namespace ?? '')?.get(name); }

  list(namespace?: string): ReadonlyArray<T> {
    if (namespace) return [...(this.objects.get(namespace)?.values() ?? [])];
    const all: T[] = [];
    for (const m of this.objects.values()) for (const o of m.values()) all.push(o);
    return all;
  }

  private untilSynced(): Promise<void> {
    if (this.syncedOnce || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    const type = { apiVersion: this.opts.apiVersion, kind: this.opts.kind };
    const path = resourcePath(type);
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        this.abort = new AbortController();
        await this.opts.rest.watch<T>(path, {
          resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: watchTimeoutSeconds(this.opts.random), labelSelector: this.opts.labelSelector,
        }, (e) => this.onWatchEvent(e), { signal: this.abort.signal });
        this.failures = 0;
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof KubeApiError && err.status === 410) { this.resourceVersion = ''; continue; }
        this.failures += 1;
        const delay = backoffDelay(this.failures, 500, 30_000, this.opts.random);
        this.opts.logger.warn({ informer: this.name, err: String(err), delayMs: delay }, 'informer list/watch failed; restarting');
        this.opts.onRestart?.(this.opts.kind);
        await new Promise<void>((resolve) => { this.wake = resolve; this.sleepHandle = this.opts.clock.setTimeout(resolve, delay); });
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.opts.rest.list<T>({ apiVersion: this.opts.apiVersion, kind: this.opts.kind }, { labelSelector: this.opts.labelSelector });
    const fresh = new Map<string, Map<string, T>>();
    for (const item of list.items) {
      const o = this.slim(item);
      const ns = o.metadata.namespace ?? '';
      let m = fresh.get(ns);
      if (!m) { m = new Map(); fresh.set(ns, m); }
      m.set(o.metadata.name, o);
    }
    const old = this.objects;
    this.objects = fresh;
    for (const [ns, m] of old) for (const [name, o] of m) if (!fresh.get(ns)?.has(name)) this.emit('delete', o);
    for (const [ns, m] of fresh) {
      for (const [name, o] of m) {
        const before = old.get(ns)?.get(name);
        if (!before) this.emit('add', o);
        else if (before.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit('update', o);
      }
    }
    this.resourceVersion = list.metadata.resourceVersion ?? '';
    this.failures = 0;
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private onWatchEvent(e: WatchEvent<T>): void {
    if (e.type === 'ERROR') {
      const status = e.object as unknown as { code?: number; reason?: string; message?: string };
      throw new KubeApiError(status.code ?? 500, status.reason ?? 'WatchError', `watch of ${this.name}: ${status.message ?? 'error event'}`);
    }
    const rv = e.object?.metadata?.resourceVersion;
    if (e.type === 'BOOKMARK') { if (rv) this.resourceVersion = rv; return; }
    const o = this.slim(e.object);
    const ns = o.metadata.namespace ?? '';
    let m = this.objects.get(ns);
    if (e.type === 'DELETED') {
      if (m?.delete(o.metadata.name)) {
        if (m.size === 0) this.objects.delete(ns);
        this.emit('delete', o);
      }
    } else {
      if (!m) { m = new Map(); this.objects.set(ns, m); }
      const before = m.get(o.metadata.name);
      m.set(o.metadata.name, o);
      if (!before) this.emit('add', o);
      else if (before.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit('update', o);
    }
    if (rv) this.resourceVersion = rv;
  }

  private slim(o: T): T {
    // The API server omits apiVersion/kind on list items; the reconcilers rely on them.
    o.apiVersion ??= this.opts.apiVersion;
    o.kind ??= this.opts.kind;
    return this.transform(o) as T;
  }

  private emit(event: InformerEvent, obj: T): void {
    // Indexes first, so handlers already see them in step with the cache.
    if (this.indexes.size > 0) {
      const key = cacheKey(obj);
      for (const index of this.indexes.values()) {
        if (event === 'delete') index.remove(key); else index.update(key, obj);
      }
    }
    for (const h of this.handlers) {
      try {
        h(event, obj);
      } catch (err) {
        this.opts.logger.error({ informer: this.name, err: String(err) }, 'informer event handler failed');
      }
    }
  }
}
