// Authorization: "may this user do <verb> on <resource> in <namespace>?", asked of the API
// server as the user (SelfSubjectAccessReview, which every authenticated user may create), so
// Kubernetes RBAC is the console's only permission system and the console needs no privilege
// to review other users. Answers are cached per user for a few seconds: one page asks the same
// questions for every row. The cache only ever hides buttons; every action is still made with
// the user's own token, so the API server decides again.
import type { KubeRest } from '../../kube/rest-client.ts';

export interface AccessAttributes {
  verb: string;
  /** API group: '' for core, 'millrace.dev' for Millrace kinds */
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export const accessKey = (a: AccessAttributes) => [a.verb, a.group, a.resource, a.subresource ?? '', a.namespace ?? '', a.name ?? ''].join('|');

/** A small TTL cache of access decisions for one user (manual clock in tests). */
export class AccessCache {
  private readonly entries = new Map<string, { allowed: boolean; at: number }>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  constructor(now: () => number, ttlMs = 10_000, maxEntries = 2_000) { this.now = now; this.ttlMs = ttlMs; this.maxEntries = maxEntries; }

  get(a: AccessAttributes): boolean | undefined {
    const e = this.entries.get(accessKey(a));
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) { this.entries.delete(accessKey(a)); return undefined; }
    return e.allowed;
  }

  set(a: AccessAttributes, allowed: boolean): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(accessKey(a), { allowed, at: this.now() });
  }
}

/** Asks the API server, as the user whose client `kube` is. */
export async function selfAccessReview(kube: KubeRest, a: AccessAttributes): Promise<boolean> {
  const review = await kube.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    body: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: a.verb, group: a.group, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name } },
    },
  });
  return review.status?.allowed === true;
}
