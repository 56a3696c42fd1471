// Stamps the labels of this operator instance's watch selector on the pods it creates, so an
// instance with a selector (a canary, a test run, a benchmark) caches only its own pods, not
// every Millrace pod of the cluster. Without a selector there are no labels and nothing changes.
import type { KubeObject, ObjectRef, RequestOptions } from './rest-client.ts';
import type { KubeClient } from './unchanged-apply.ts';

const isPod = (o: KubeObject) => o.apiVersion === 'v1' && o.kind === 'Pod';

export class InstanceLabellingClient implements KubeClient {
  private readonly inner: KubeClient;
  private readonly labels: Record<string, string>;

  constructor(inner: KubeClient, labels: Record<string, string>) {
    this.inner = inner;
    this.labels = labels;
  }

  private stamp(obj: KubeObject): KubeObject {
    if (!isPod(obj) || Object.keys(this.labels).length === 0) return obj;
    return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, ...this.labels } } };
  }

  create<T extends KubeObject>(obj: KubeObject): Promise<T> { return this.inner.create<T>(this.stamp(obj)); }
  apply<T extends KubeObject>(obj: KubeObject, fieldManager: string, subresource?: 'status'): Promise<T> {
    return this.inner.apply<T>(subresource ? obj : this.stamp(obj), fieldManager, subresource);
  }
  get<T extends KubeObject>(ref: ObjectRef): Promise<T> { return this.inner.get<T>(ref); }
  getOrUndefined<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> { return this.inner.getOrUndefined<T>(ref); }
  list<T extends KubeObject>(...args: Parameters<KubeClient['list']>): Promise<{ metadata: { resourceVersion?: string }; items: T[] }> { return this.inner.list<T>(...args); }
  mergePatch<T extends KubeObject>(ref: ObjectRef, patch: unknown, subresource?: string): Promise<T> { return this.inner.mergePatch<T>(ref, patch, subresource); }
  delete(ref: ObjectRef, propagationPolicy?: 'Background' | 'Foreground'): Promise<void> { return this.inner.delete(ref, propagationPolicy); }
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T> { return this.inner.request<T>(method, path, opts); }
}
