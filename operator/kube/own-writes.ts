// Read-your-own-writes for reconcilers that decide from an informer cache (as the "expectations"
// of Kubernetes' ReplicaSet controller). A pass writes an object (its status, say) and the next
// pass of the same key can start before the watch has brought that write back into the cache. That
// pass decides from the object as it was before the last write: it can act on outdated state (a
// stateful upgrade's pass re-created the pods with the ConfigMap of before the savepoint, because it
// still saw the stop-with-savepoint in flight and the JobManager pod gone).
//
// So every write the operator makes to a cached object records the resourceVersion the API server
// returned; until the cache has seen that version (or a later one, or the object's deletion) a pass
// of that key is deferred, and the key is woken as soon as the watch delivers it. An expectation that
// the watch never confirms (a relist that skipped over it) lapses after ttlMs, so no key waits for ever.
import type { Clock } from './clock.ts';
import type { KubeObject, ObjectRef, RequestOptions } from './rest-client.ts';
import type { CachedObjects, KubeClient } from './unchanged-apply.ts';

export interface OwnWritesOptions {
  clock: Clock;
  /** How long a write may stay unseen before passes go ahead anyway (default 5 s). */
  ttlMs?: number;
  /** Called when a deferred key may run: its write reached the cache, or its expectation lapsed. */
  wake: (kind: string, key: string) => void;
}

/** Whether resourceVersion `seen` is `expected` or later (numeric versions, as etcd's, compare; others only match). */
function caughtUp(seen: string, expected: string): boolean {
  if (seen === expected) return true;
  return /^\d+$/.test(seen) && /^\d+$/.test(expected) && Number(seen) >= Number(expected);
}

export class OwnWrites {
  private readonly opts: Required<OwnWritesOptions>;
  /** kind:key → the resourceVersion our last write returned and when. */
  private readonly expected = new Map<string, { rv: string; at: number }>();
  /** kind:key of passes deferred until the cache catches up. */
  private readonly deferred = new Set<string>();
  private sweepTimer: unknown;

  constructor(opts: OwnWritesOptions) { this.opts = { ttlMs: 5000, ...opts }; }

  /** Writes not yet seen in the cache. */
  get pending(): number { return this.expected.size; }

  /** Records a write's result; `cachedRv` is the version the cache holds now (equal: nothing to wait for). */
  wrote(kind: string, key: string, rv: string | undefined, cachedRv: string | undefined): void {
    if (!rv || (cachedRv !== undefined && caughtUp(cachedRv, rv))) return;
    this.expected.set(`${kind}:${key}`, { rv, at: this.opts.clock.now() });
  }

  /** An informer event: the cache now holds `rv` of the object (undefined: it was deleted). */
  observed(kind: string, key: string, rv: string | undefined): void {
    const k = `${kind}:${key}`;
    const e = this.expected.get(k);
    if (e && (rv === undefined || caughtUp(rv, e.rv))) this.expected.delete(k);
    if (!this.expected.has(k) && this.deferred.delete(k)) this.opts.wake(kind, key);
  }

  /**
   * Whether a pass of this key must wait for the cache (then the key is woken later); false lets
   * it run. An expectation older than ttlMs lapses here.
   */
  defer(kind: string, key: string): boolean {
    const k = `${kind}:${key}`;
    const e = this.expected.get(k);
    if (!e) return false;
    if (this.opts.clock.now() - e.at >= this.opts.ttlMs) { this.expected.delete(k); return false; }
    this.deferred.add(k);
    this.scheduleSweep();
    return true;
  }

  /** Stops the sweep timer (operator stop). */
  close(): void {
    if (this.sweepTimer !== undefined) this.opts.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private scheduleSweep(): void {
    if (this.sweepTimer !== undefined) return;
    this.sweepTimer = this.opts.clock.setTimeout(() => { this.sweepTimer = undefined; this.sweep(); }, this.opts.ttlMs);
  }

  /** Lapses old expectations and wakes the deferred keys they held. */
  private sweep(): void {
    const now = this.opts.clock.now();
    for (const [k, e] of this.expected) if (now - e.at >= this.opts.ttlMs) this.expected.delete(k);
    for (const k of [...this.deferred]) {
      if (this.expected.has(k)) continue;
      this.deferred.delete(k);
      const i = k.indexOf(':');
      this.opts.wake(k.slice(0, i), k.slice(i + 1));
    }
    if (this.deferred.size > 0) this.scheduleSweep();
  }
}

const keyOfRef = (ref: { name: string; namespace?: string }) => (ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);

/** A client that records the resourceVersion of every write to a cached kind in OwnWrites. */
export class OwnWriteRecorder implements KubeClient {
  private readonly inner: KubeClient;
  private readonly cached: CachedObjects;
  private readonly writes: OwnWrites;

  constructor(inner: KubeClient, cached: CachedObjects, writes: OwnWrites) {
    this.inner = inner;
    this.cached = cached;
    this.writes = writes;
  }

  private note<T extends KubeObject>(ref: ObjectRef, result: T): T {
    if (this.cached.hasKind(ref.apiVersion, ref.kind)) {
      this.writes.wrote(ref.kind, keyOfRef(ref), result?.metadata?.resourceVersion, this.cached.get(ref)?.metadata.resourceVersion);
    }
    return result;
  }

  private static refOf(obj: KubeObject): ObjectRef {
    return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
  }

  async apply<T extends KubeObject>(obj: KubeObject, fieldManager: string, subresource?: 'status'): Promise<T> {
    return this.note(OwnWriteRecorder.refOf(obj), await this.inner.apply<T>(obj, fieldManager, subresource));
  }

  async create<T extends KubeObject>(obj: KubeObject): Promise<T> {
    return this.note(OwnWriteRecorder.refOf(obj), await this.inner.create<T>(obj));
  }

  async mergePatch<T extends KubeObject>(ref: ObjectRef, patch: unknown, subresource?: string): Promise<T> {
    return this.note(ref, await this.inner.mergePatch<T>(ref, patch, subresource));
  }

  get<T extends KubeObject>(ref: ObjectRef): Promise<T> { return this.inner.get<T>(ref); }
  getOrUndefined<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> { return this.inner.getOrUndefined<T>(ref); }
  list<T extends KubeObject>(...args: Parameters<KubeClient['list']>): Promise<{ metadata: { resourceVersion?: string }; items: T[] }> { return this.inner.list<T>(...args); }
  delete(ref: ObjectRef, propagationPolicy?: 'Background' | 'Foreground'): Promise<void> { return this.inner.delete(ref, propagationPolicy); }
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T> { return this.inner.request<T>(method, path, opts); }
}
