// USED of a Namespace and of a Workspace (status.usedCU: the sum of their Deployments' cuInUse)
// follows every Deployment that starts or stops. A full namespace pass re-applies the Kubernetes
// namespace, its RoleBindings, ResourceQuotas and default-queue and lists its quotas and
// PriorityClasses (about 14 API requests); with 50 namespaces each refreshed once a second during
// a wave of Deployments that is 700 requests a second for a number that one patch of the status
// carries. So a settled object gets just that patch (none when USED did not change), and anything
// else (being deleted, a spec not yet reconciled, not Active) gets the full pass as before.
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import { sumCU } from '../../capacity/compute-units.ts';
import type { ReconcileContext } from './context.ts';

export type UsageRefresh = 'full' | 'patch' | 'none';

interface Settled {
  metadata: { generation?: number; deletionTimestamp?: string };
  status?: { observedGeneration?: number; phase?: string; usedCU?: number };
}

/** What a usage refresh of this object needs: the full pass, one status patch, or nothing. */
export function decideUsageRefresh(obj: Settled | undefined, usedCU: number): UsageRefresh {
  if (!obj) return 'none';
  const settled = !obj.metadata.deletionTimestamp && obj.status?.observedGeneration === obj.metadata.generation
    && (obj.status?.phase === 'Active' || obj.status?.phase === 'Ready');
  if (!settled) return 'full';
  return obj.status?.usedCU === usedCU ? 'none' : 'patch';
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

/**
 * Refreshes USED of a cluster-scoped Namespace or Workspace: patches status.usedCU when that is
 * all that changed, and returns 'full' when the caller must run the object's full pass instead.
 */
export async function refreshUsage(ctx: ReconcileContext, kind: 'Namespace' | 'Workspace', name: string): Promise<UsageRefresh> {
  const obj = kind === 'Namespace' ? ctx.caches.namespaces.get(name) : ctx.caches.workspaces.get(name);
  const usedCU = kind === 'Namespace' ? namespaceUsedCU(ctx, name) : workspaceUsedCU(ctx, name);
  const decision = decideUsageRefresh(obj as Settled | undefined, usedCU);
  if (decision === 'patch') await ctx.rest.mergePatch({ apiVersion: API_VERSION, kind, name }, { status: { usedCU } }, 'status');
  return decision;
}
