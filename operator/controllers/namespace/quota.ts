// Whether a namespace's quota may take effect in its workspace (pure), by the same rule as queue
// changes (operator/capacity/queue-quota.ts): checked against the quotas the workspace's other
// namespaces have in force (their ResourceQuotas), never against their specs, and never
// re-deciding them. A refused change leaves every namespace as it was, its own last accepted
// quota included, so its queues and running deployments carry on.
import type { Namespace } from '../../api/v1alpha1/namespace.ts';
import { decideQuotaChange } from '../../capacity/queue-quota.ts';
import type { QuotaChangeDecision } from '../../capacity/queue-quota.ts';

export function decideNamespaceQuota(capacityCU: number, requestedCU: number, othersInForceCU: readonly number[]): QuotaChangeDecision {
  return decideQuotaChange({ capacityCU, requestedCU, othersInForceCU });
}

/**
 * The quota a namespace's queues are sized against, or undefined when none is in force: an
 * Active namespace's accepted quota, a QuotaRejected one's last accepted quota. Namespaces
 * written before status.acceptedQuotaCU existed: spec.quotaCU when Active.
 */
export function usableNamespaceQuota(ns: Pick<Namespace, 'spec' | 'status'> | undefined): number | undefined {
  const phase = ns?.status?.phase;
  if (phase === 'Active') return ns?.status?.acceptedQuotaCU ?? ns?.spec.quotaCU;
  if (phase === 'QuotaRejected') return ns?.status?.acceptedQuotaCU;
  return undefined;
}
