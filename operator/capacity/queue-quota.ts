// Whether a Queue's spec.cu may take effect (pure; namespaces in a workspace follow the same rule). A change is checked against what is in
// force — the sizes of the namespace's other queue ResourceQuotas — never against the other
// queues' specs, and never re-decides the others: a refused change leaves every queue as it was
// (its own last accepted size included), and an accepted one can only have fitted beside what
// the others already hold. The default-queue is not checked: it gets what the others leave.
import { CU_STEP, quarters } from './compute-units.ts';

export interface QueueQuotaInput {
  /** The namespace quota. */
  quotaCU: number;
  /** spec.cu of the queue. */
  requestedCU: number;
  /** CU in force (ResourceQuota sizes) of the namespace's other user queues. */
  othersInForceCU: readonly number[];
  isDefaultQueue: boolean;
}

export type QuotaChangeDecision = { accepted: true } | { accepted: false; freeCU: number };
export type QueueQuotaDecision = QuotaChangeDecision;

/** A share of `capacityCU` may be `requestedCU` when that fits beside what the others hold in force. */
export function decideQuotaChange(input: { capacityCU: number; requestedCU: number; othersInForceCU: readonly number[] }): QuotaChangeDecision {
  const free = quarters(input.capacityCU) - input.othersInForceCU.reduce((sum, cu) => sum + quarters(cu), 0);
  return quarters(input.requestedCU) <= free ? { accepted: true } : { accepted: false, freeCU: Math.max(0, free) * CU_STEP };
}

export function decideQueueQuota(input: QueueQuotaInput): QueueQuotaDecision {
  if (input.isDefaultQueue) return { accepted: true };
  return decideQuotaChange({ capacityCU: input.quotaCU, requestedCU: input.requestedCU, othersInForceCU: input.othersInForceCU });
}

/** The default-queue's size: what the user queues' quotas in force leave of the namespace quota. */
export function defaultQueueCU(quotaCU: number, userQueuesInForceCU: readonly number[]): number {
  const left = quarters(quotaCU) - userQueuesInForceCU.reduce((sum, cu) => sum + quarters(cu), 0);
  return Math.max(0, left) * CU_STEP;
}
