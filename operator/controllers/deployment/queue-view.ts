// Builds a queue's admission picture from the Deployment cache and decides it. Deployments
// holding CU are those whose status says so or that this process admitted moments ago (the
// ledger covers the gap until our own status write reaches the cache).
import type { Deployment } from '../../api/v1alpha1/deployment.ts';
import { decideAdmission } from '../../capacity/admission.ts';
import type { AdmissionCandidate, AdmissionResult } from '../../capacity/admission.ts';
import { deploymentSize } from '../../capacity/deployment-size.ts';
import { podsOfDeployment } from '../shared/context.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { holdsCapacity } from './decide.ts';

/** Deployments this process admitted whose status may not be in the cache yet: key → CU. */
export class AdmissionLedger {
  private readonly admitted = new Map<string, number>();
  admit(key: string, cu: number): void { this.admitted.set(key, cu); }
  release(key: string): void { this.admitted.delete(key); }
  has(key: string): boolean { return this.admitted.has(key); }
}

const sharedLedger = new WeakMap<ReconcileContext, AdmissionLedger>();
export function ledgerOf(ctx: ReconcileContext): AdmissionLedger {
  let l = sharedLedger.get(ctx);
  if (!l) { l = new AdmissionLedger(); sharedLedger.set(ctx, l); }
  return l;
}

const ts = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v ?? ''));

/** What admission needs from one cached Deployment object; cached objects are replaced, never changed. */
interface CandidateFacts { name: string; creationTimestamp: string; requiredCU: number; holdsCapacity: boolean; wantsToRun: boolean }
const factsOf = new WeakMap<Deployment, CandidateFacts>();

function candidateFacts(d: Deployment): CandidateFacts {
  let f = factsOf.get(d);
  if (f) return f;
  const spec = d.spec;
  f = {
    name: d.metadata.name,
    creationTimestamp: ts(d.metadata.creationTimestamp),
    requiredCU: deploymentSize({
      parallelism: spec.parallelism ?? 1,
      jobManager: { cu: spec.jobManager?.cu ?? 1 },
      taskManager: { cu: spec.taskManager?.cu ?? 1, slots: spec.taskManager?.slots ?? 1 },
    }).requiredCU,
    holdsCapacity: holdsCapacity(d.status?.phase),
    // A Failed or Finished job stays so until its spec changes (a new generation).
    wantsToRun: (spec.state ?? 'running') === 'running' && !d.metadata.deletionTimestamp
      && !(['Failed', 'Finished'].includes(d.status?.phase ?? '') && d.status?.observedGeneration === d.metadata.generation),
  };
  factsOf.set(d, f);
  return f;
}

export function admissionCandidate(ctx: ReconcileContext, d: Deployment): AdmissionCandidate {
  const { holdsCapacity: holds, ...facts } = candidateFacts(d);
  const admitted = holds || ledgerOf(ctx).has(`${d.metadata.namespace}/${d.metadata.name}`);
  return {
    ...facts,
    admitted,
    // Only asked of those not running: a pod-index lookup per member would dominate a large queue.
    holdsPods: admitted && facts.wantsToRun ? undefined : podsOfDeployment(ctx, d.metadata.namespace ?? '', d.metadata.name).length > 0,
  };
}

export function queueAdmission(ctx: ReconcileContext, namespace: string, queue: string, queueCU: number): AdmissionResult {
  const members = ctx.caches.deployments.list(namespace).filter((d) => (d.spec?.queue ?? 'default-queue') === queue);
  return decideAdmission(queueCU, queue, members.map((d) => admissionCandidate(ctx, d)));
}
