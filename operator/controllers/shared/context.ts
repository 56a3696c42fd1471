// What every reconciler is given: clients, caches, clock and identity. Built once in main.ts.
import type { Deployment } from '../../api/v1alpha1/deployment.ts';
import type { Namespace } from '../../api/v1alpha1/namespace.ts';
import type { Queue } from '../../api/v1alpha1/queue.ts';
import type { Savepoint } from '../../api/v1alpha1/savepoint.ts';
import type { Workspace } from '../../api/v1alpha1/workspace.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import type { KubeClient } from '../../kube/unchanged-apply.ts';
import type { OperatorTenantAccess } from '../../rbac/operator-role.ts';

/**
 * Read-only view of an informer cache. Cached objects have no metadata.managedFields and no
 * kubectl last-applied annotation (operator/kube/slim.ts).
 */
export interface Cache<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
}

/** A cache with secondary indexes: objects whose index `index` holds `value`, without a scan. */
export interface IndexedCache<T> extends Cache<T> {
  byIndex(index: string, value: string): ReadonlyArray<T>;
}

/** Pod cache index: `namespace/name` of the Deployment a pod belongs to (its millrace.dev/deployment label). */
export const POD_INDEX_DEPLOYMENT = 'deployment';

/** Savepoint cache index: `namespace/name` of the Deployment a Savepoint is of (spec.deployment). */
export const SAVEPOINT_INDEX_DEPLOYMENT = 'deployment';

export type Raw<T> = T & KubeObject;

export interface Caches {
  workspaces: Cache<Raw<Workspace>>;
  namespaces: Cache<Raw<Namespace>>;
  queues: Cache<Raw<Queue>>;
  deployments: Cache<Raw<Deployment>>;
  /** Indexed by SAVEPOINT_INDEX_DEPLOYMENT. */
  savepoints: IndexedCache<Raw<Savepoint>>;
  /**
   * Pods labelled managed-by millrace-operator, slimmed to identity, labels, owners, deletion,
   * container names/images/resources and status (phase, reason, conditions, container states).
   */
  pods: IndexedCache<KubeObject>;
}

export interface ReconcileContext {
  /** The API server; server-side applies that would change nothing are left out (operator/kube/unchanged-apply.ts). */
  rest: KubeClient;
  caches: Caches;
  events: EventRecorder;
  clock: Clock;
  /** Server-side apply field manager of the operator. */
  fieldManager: string;
  /** Labels of this instance's watch selector, stamped on Millrace objects it creates itself. */
  instanceLabels: Record<string, string>;
  /** Namespace the operator runs in; Workspace secretRefs must name a Secret there (storage/secret-ref-policy.ts). */
  operatorNamespace?: string;
  /** The operator's ServiceAccount and tenant ClusterRole, bound in each namespace it makes (controllers/namespace/desired.ts). */
  operatorTenantAccess?: OperatorTenantAccess;
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

/** The cached pods of one Deployment (an index lookup, not a scan of the namespace). */
export function podsOfDeployment(ctx: ReconcileContext, namespace: string, name: string): ReadonlyArray<KubeObject> {
  return ctx.caches.pods.byIndex(POD_INDEX_DEPLOYMENT, `${namespace}/${name}`);
}

/** The cached Savepoints of one Deployment, whatever their origin. */
export function savepointsOfDeployment(ctx: ReconcileContext, namespace: string, name: string): ReadonlyArray<Raw<Savepoint>> {
  return ctx.caches.savepoints.byIndex(SAVEPOINT_INDEX_DEPLOYMENT, `${namespace}/${name}`);
}

export function keyOf(obj: { metadata: { name: string; namespace?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
