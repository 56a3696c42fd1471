// What every reconciler is given: clients, caches, clock and identity. Built once in main.ts.
import type { Deployment } from '../../api/v1alpha1/deployment.ts';
import type { Namespace } from '../../api/v1alpha1/namespace.ts';
import type { Queue } from '../../api/v1alpha1/queue.ts';
import type { Savepoint } from '../../api/v1alpha1/savepoint.ts';
import type { Workspace } from '../../api/v1alpha1/workspace.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { KubeObject, KubeRest } from '../../kube/rest-client.ts';

/** Read-only view of an informer cache. */
export interface Cache<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
}

export type Raw<T> = T & KubeObject;

export interface Caches {
  workspaces: Cache<Raw<Workspace>>;
  namespaces: Cache<Raw<Namespace>>;
  queues: Cache<Raw<Queue>>;
  deployments: Cache<Raw<Deployment>>;
  savepoints: Cache<Raw<Savepoint>>;
  pods: Cache<KubeObject>;
}

export interface ReconcileContext {
  rest: KubeRest;
  caches: Caches;
  events: EventRecorder;
  clock: Clock;
  /** Server-side apply field manager of the operator. */
  fieldManager: string;
  /** Labels of this instance's watch selector, stamped on Millrace objects it creates itself. */
  instanceLabels: Record<string, string>;
}

export const FIELD_MANAGER = 'millrace-operator';
export const FINALIZER = 'millrace.dev/cleanup';
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  workspace: 'millrace.dev/workspace',
  namespace: 'millrace.dev/namespace',
  queue: 'millrace.dev/queue',
  deployment: 'millrace.dev/deployment',
  specHash: 'millrace.dev/spec-hash',
} as const;
export const MANAGED_BY = 'millrace-operator';

export function ownerReference(owner: KubeObject) {
  if (!owner.metadata.uid) throw new Error(`owner ${owner.kind} ${owner.metadata.name} has no uid`);
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function keyOf(obj: { metadata: { name: string; namespace?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
