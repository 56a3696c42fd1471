// USED of a Namespace, a Workspace and a Queue (status.usedCU: the sum of their Deployments'
// cuInUse; a Queue's status.queuedDeployments too) follows every Deployment that starts, stops or
// waits. A full namespace pass re-applies the Kubernetes
// namespace, its RoleBindings, ResourceQuotas and default-queue and lists its quotas and
// PriorityClasses (about 14 API requests); with 50 namespaces each refreshed once a second during
// a wave of Deployments that is 700 requests a second for a number that one patch of the status
// carries (a full queue pass: its quota lists, ResourceQuota and PriorityClass, about 5). So a
// settled object gets just that patch (none when its usage did not change), and anything
// else (being deleted, a spec not yet reconciled, not Active) gets the full pass as before.
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { sumCU } from '../../capacity/compute-units.ts';
import { splitKey } from './context.ts';
import type { ReconcileContext } from './context.ts';
import { queueAdmission } from '../deployment/queue-view.ts';
import { usableQueueCU } from '../queue/in-force.ts';

export type UsageRefresh = 'full' | 'patch' | 'none';

interface Settled {
  metadata: { generation?: number; deletionTimestamp?: string };
  status?: { observedGeneration?: number; phase?: string } & Record<string, unknown>;
}

/** What a usage refresh of this object needs: the full pass, one status patch, or nothing. */
export function decideUsageRefresh(obj: Settled | undefined, usage: Record<string, number>): UsageRefresh {
  if (!obj) return 'none';
  const settled = !obj.metadata.deletionTimestamp && obj.status?.observedGeneration === obj.metadata.generation
    && (obj.status?.phase === 'Active' || obj.status?.phase === 'Ready');
  if (!settled) return 'full';
  return Object.entries(usage).every(([field, value]) => obj.status?.[field] === value) ? 'none' : 'patch';
}

/** USED of a Namespace: the cuInUse of its Deployments (as its reconciler computes it). */
export function namespaceUsedCU(ctx: ReconcileContext, namespace: string): number {
  return sumCU(ctx.caches.deployments.list(namespace).map((d) => d.status?.cuInUse ?? 0));
}

/** USED of a Workspace: the cuInUse of the Deployments of all its Namespaces (as its reconciler computes it). */
export function workspaceUsedCU(ctx: ReconcileContext, workspace: string): number {
  const namespaces = ctx.caches.namespaces.list().filter((n) => n.spec?.workspace === workspace);
  return sumCU(namespaces.flatMap((n) => ctx.caches.deployments.list(n.metadata.name).map((d) => d.status?.cuInUse ?? 0)));
}

/** The usage fields of an object's status, as its reconciler computes them. */
function usageOf(ctx: ReconcileContext, kind: 'Namespace' | 'Workspace' | 'Queue', key: string): { obj: Settled | undefined; usage: Record<string, number> } {
  if (kind === 'Namespace') return { obj: ctx.caches.namespaces.get(key) as Settled | undefined, usage: { usedCU: namespaceUsedCU(ctx, key) } };
  if (kind === 'Workspace') return { obj: ctx.caches.workspaces.get(key) as Settled | undefined, usage: { usedCU: workspaceUsedCU(ctx, key) } };
  const { namespace = '', name } = splitKey(key);
  const queue = ctx.caches.queues.get(name, namespace);
  const admission = queueAdmission(ctx, namespace, name, usableQueueCU(queue) ?? 0);
  return { obj: queue as Settled | undefined, usage: { usedCU: admission.usedCU, queuedDeployments: admission.queued } };
}

/**
 * Refreshes the usage of a Namespace, Workspace (key: name) or Queue (key: namespace/name):
 * patches its status fields when that is all that changed, and returns 'full' when the caller
 * must run the object's full pass instead.
 */
export async function refreshUsage(ctx: ReconcileContext, kind: 'Namespace' | 'Workspace' | 'Queue', key: string): Promise<UsageRefresh> {
  const { obj, usage } = usageOf(ctx, kind, key);
  const decision = decideUsageRefresh(obj, usage);
  if (decision === 'patch') {
    const { namespace, name } = splitKey(key);
    await ctx.rest.mergePatch({ apiVersion: API_VERSION, kind, name, ...(namespace ? { namespace } : {}) }, { status: usage }, 'status');
  }
  return decision;
}
