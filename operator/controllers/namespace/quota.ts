// Whether a namespace's quota fits in its workspace (pure). Namespaces already accepted keep
// their place (creation times have one-second resolution, so arrival alone could reorder
// them); the others are accepted in creation order while their quotas fit; one that does not fit is refused and leaves room
// for younger, smaller ones. Every reconcile computes the same answer from the same cache.
import { compareArrival } from '../../capacity/admission.ts';
import { CU_STEP, quarters } from '../../capacity/compute-units.ts';

export interface NamespaceQuotaView {
  name: string;
  creationTimestamp: string;
  quotaCU: number;
  deleting: boolean;
  /** Accepted by an earlier reconcile (phase Active). */
  accepted?: boolean;
}

export type QuotaDecision = { accepted: true } | { accepted: false; freeCU: number };

export function decideNamespaceQuotas(capacityCU: number, namespaces: readonly NamespaceQuotaView[]): { decisions: Map<string, QuotaDecision>; allocatedCU: number } {
  const capacity = quarters(capacityCU);
  let allocated = 0;
  const decisions = new Map<string, QuotaDecision>();
  const order = (a: NamespaceQuotaView, b: NamespaceQuotaView) => Number(Boolean(b.accepted)) - Number(Boolean(a.accepted)) || compareArrival(a, b);
  for (const ns of [...namespaces].filter((n) => !n.deleting).sort(order)) {
    const need = quarters(ns.quotaCU);
    if (allocated + need <= capacity) {
      allocated += need;
      decisions.set(ns.name, { accepted: true });
    } else {
      decisions.set(ns.name, { accepted: false, freeCU: (capacity - allocated) * CU_STEP });
    }
  }
  return { decisions, allocatedCU: allocated * CU_STEP };
}
