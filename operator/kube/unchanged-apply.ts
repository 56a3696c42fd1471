// Leaves out server-side applies that would change nothing. An apply is skipped only when
// this process applied exactly the same body to the same object (same field manager, same
// subresource) before, and the informer cache shows every field of that body with the value
// it asks for. The first condition keeps SSA's field removal right (a body that drops a field
// we owned must reach the server); the second notices changes by others and deleted objects.
// Objects of kinds without a cache are always applied.
import { createHash } from 'node:crypto';
import type { KubeObject, KubeRest, ObjectRef, RequestOptions } from './rest-client.ts';

/** The verbs reconcilers use: KubeRest, or a wrapper of it like the one below. */
export type KubeClient = Pick<KubeRest, 'get' | 'getOrUndefined' | 'list' | 'create' | 'apply' | 'mergePatch' | 'delete' | 'request'>;

export interface CachedObjects {
  /** Whether objects of this kind are in an informer cache (only those applies can be skipped). */
  hasKind(apiVersion: string, kind: string): boolean;
  /** The cached copy of an object. */
  get(ref: ObjectRef): KubeObject | undefined;
}

/** True when every field `desired` sets holds the same value in `actual` (lists: same length, item by item). */
export function covers(desired: unknown, actual: unknown): boolean {
  if (desired === null || typeof desired !== 'object') return desired === actual || (desired === null && actual === undefined);
  if (Array.isArray(desired)) {
    return Array.isArray(actual) && actual.length === desired.length && desired.every((d, i) => covers(d, actual[i]));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const a = actual as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([k, v]) => covers(v, a[k]));
}

const digest = (body: string) => createHash('sha1').update(body).digest('base64');
const objectKey = (ref: { apiVersion: string; kind: string; namespace?: string; name: string }) => `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;

export class UnchangedApplySkipper implements KubeClient {
  private readonly inner: KubeClient;
  private readonly cached: CachedObjects;
  private readonly onSkip: (kind: string) => void;
  /** object key → (field manager|subresource → digest of the body last applied). */
  private readonly applied = new Map<string, Map<string, string>>();

  constructor(inner: KubeClient, cached: CachedObjects, onSkip: (kind: string) => void = () => undefined) {
    this.inner = inner;
    this.cached = cached;
    this.onSkip = onSkip;
  }

  async apply<T extends KubeObject>(obj: KubeObject, fieldManager: string, subresource?: 'status'): Promise<T> {
    if (!this.cached.hasKind(obj.apiVersion, obj.kind)) return this.inner.apply<T>(obj, fieldManager, subresource);
    const ref = { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
    const key = objectKey(ref);
    const slot = `${fieldManager}|${subresource ?? ''}`;
    const text = JSON.stringify(obj);
    const hash = digest(text);
    const current = this.cached.get(ref);
    if (current && this.applied.get(key)?.get(slot) === hash && covers(JSON.parse(text), current)) {
      this.onSkip(obj.kind);
      return current as T;
    }
    try {
      const result = await this.inner.apply<T>(obj, fieldManager, subresource);
      let slots = this.applied.get(key);
      if (!slots) { slots = new Map(); this.applied.set(key, slots); }
      slots.set(slot, hash);
      return result;
    } catch (err) {
      this.applied.get(key)?.delete(slot);
      throw err;
    }
  }

  async delete(ref: ObjectRef, propagationPolicy?: 'Background' | 'Foreground'): Promise<void> {
    this.applied.delete(objectKey(ref));
    return this.inner.delete(ref, propagationPolicy);
  }

  /** Forgets objects that are gone (informer deletes), so the memory stays bounded. */
  forget(ref: ObjectRef): void { this.applied.delete(objectKey(ref)); }

  get size(): number { return this.applied.size; }

  get<T extends KubeObject>(ref: ObjectRef): Promise<T> { return this.inner.get<T>(ref); }
  getOrUndefined<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> { return this.inner.getOrUndefined<T>(ref); }
  list<T extends KubeObject>(...args: Parameters<KubeClient['list']>): Promise<{ metadata: { resourceVersion?: string }; items: T[] }> { return this.inner.list<T>(...args); }
  create<T extends KubeObject>(obj: KubeObject): Promise<T> { return this.inner.create<T>(obj); }
  mergePatch<T extends KubeObject>(ref: ObjectRef, patch: unknown, subresource?: string): Promise<T> { return this.inner.mergePatch<T>(ref, patch, subresource); }
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T> { return this.inner.request<T>(method, path, opts); }
}
