// The sizes in force: what the queue and namespace ResourceQuotas hold, read from the API server
// (not the cache, so a decision sees the one made just before it), and the size admission may use.
import type { Queue } from '../../api/v1alpha1/queue.ts';
import { cuOfQuotaHard } from '../../capacity/compute-units.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { LABELS } from '../shared/context.ts';
import { NAMESPACE_QUOTA_NAME } from '../namespace/desired.ts';
import type { ReconcileContext } from '../shared/context.ts';

/** Queue name → CU of its ResourceQuota, for the queue ResourceQuotas of a namespace. */
export async function queueQuotasInForce(ctx: ReconcileContext, namespace: string): Promise<Map<string, number>> {
  const list = await ctx.rest.list<KubeObject & { spec?: { hard?: Record<string, string> } }>({ apiVersion: 'v1', kind: 'ResourceQuota', namespace }, { labelSelector: LABELS.queue });
  const sizes = new Map<string, number>();
  for (const q of list.items) {
    const queue = q.metadata.labels?.[LABELS.queue];
    const cu = cuOfQuotaHard(q.spec?.hard);
    if (queue && cu !== undefined && !q.metadata.deletionTimestamp) sizes.set(queue, cu);
  }
  return sizes;
}

/** Millrace Namespace name → CU of its namespace ResourceQuota, for the namespaces of a workspace (one list across namespaces). */
export async function namespaceQuotasInForce(ctx: ReconcileContext, workspace: string): Promise<Map<string, number>> {
  const list = await ctx.rest.list<KubeObject & { spec?: { hard?: Record<string, string> } }>({ apiVersion: 'v1', kind: 'ResourceQuota' }, { labelSelector: `${LABELS.workspace}=${workspace}`, fieldSelector: `metadata.name=${NAMESPACE_QUOTA_NAME}` });
  const sizes = new Map<string, number>();
  for (const q of list.items) {
    const cu = cuOfQuotaHard(q.spec?.hard);
    if (q.metadata.namespace && cu !== undefined && !q.metadata.deletionTimestamp) sizes.set(q.metadata.namespace, cu);
  }
  return sizes;
}

/**
 * The CU deployments of this queue may be admitted against, or undefined when none: an Active
 * queue's accepted size, and a QuotaRejected one's last accepted size (a refused change leaves
 * the queue as it was). Queues written before status.acceptedCU existed: spec.cu when Active.
 */
export function usableQueueCU(queue: Pick<Queue, 'spec' | 'status'> | undefined): number | undefined {
  const phase = queue?.status?.phase;
  if (phase === 'Active') return queue?.status?.acceptedCU ?? queue?.spec.cu;
  if (phase === 'QuotaRejected') return queue?.status?.acceptedCU;
  return undefined;
}
