// Builds a queue's admission picture from the Deployment cache and decides it. Deployments
// holding CU are those whose status says so or that this process admitted moments ago (the
// ledger covers the gap until our own status write reaches the cache). With informer caches the
// picture is kept per queue member by member (operator/capacity/queue-members.ts), updated by the
// Deployment and Pod informers' events and the ledger, so a reconcile costs no O(members) rebuild.
import type { Deployment } from '../../api/v1alpha1/deployment.ts';
import { decideAdmission } from '../../capacity/admission.ts';
import type { AdmissionCandidate, AdmissionDecision, AdmissionResult } from '../../capacity/admission.ts';
import { QueueMembers } from '../../capacity/queue-members.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import type { InformerHandler } from '../../kube/informer.ts';
import { deploymentSize } from '../../capacity/deployment-size.ts';
import { podsOfDeployment } from '../shared/context.ts';
import { owningDeployment } from './pod-ownership.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { holdsCapacity } from './decide.ts';

/** Deployments this process admitted whose status may not be in the cache yet: key → CU. */
export class AdmissionLedger {
  private readonly admitted = new Map<string, number>();
  /** told of every change (the queue members kept up to date) */
  onChange: ((key: string) => void) | undefined;
  admit(key: string, cu: number): void { const changed = !this.admitted.has(key); this.admitted.set(key, cu); if (changed) this.onChange?.(key); }
  release(key: string): void { if (this.admitted.delete(key)) this.onChange?.(key); }
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
      taskManager: { cu: spec.taskManager?.cu ?? 1, slots: spec.taskManager?.slots ?? 1, standby: spec.taskManager?.standby },
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

const queueOf = (d: Deployment) => d.spec?.queue ?? 'default-queue';

export function queueAdmission(ctx: ReconcileContext, namespace: string, queue: string, queueCU: number): AdmissionResult {
  const index = admissionIndexOf(ctx);
  if (index) return index.queue(namespace, queue).result(queueCU, queue);
  const members = ctx.caches.deployments.list(namespace).filter((d) => queueOf(d) === queue);
  return decideAdmission(queueCU, queue, members.map((d) => admissionCandidate(ctx, d)));
}

/** The admission decision about one Deployment of the queue: O(its place in the waiting line) with informer caches. */
export function admissionDecision(ctx: ReconcileContext, namespace: string, queue: string, queueCU: number, name: string): AdmissionDecision | undefined {
  const index = admissionIndexOf(ctx);
  if (index) return index.queue(namespace, queue).decision(queueCU, queue, name);
  return queueAdmission(ctx, namespace, queue, queueCU).decisions.get(name);
}

/**
 * The Deployments of a queue to look at again after the CU in use changed: the head of its waiting
 * line (QueueMembers.head). Undefined without informer caches (no index): then all waiting ones.
 */
export function waitingHead(ctx: ReconcileContext, namespace: string, queue: string, queueCU: number): string[] | undefined {
  return admissionIndexOf(ctx)?.queue(namespace, queue).head(queueCU);
}

/** Every queue's members, kept up to date from informer events and the ledger. */
class AdmissionIndex {
  private readonly queues = new Map<string, QueueMembers>();
  /** namespace/name of a Deployment → the namespace/queue it is a member of */
  private readonly memberOf = new Map<string, string>();
  private readonly ctx: ReconcileContext;
  constructor(ctx: ReconcileContext) { this.ctx = ctx; }

  queue(namespace: string, queue: string): QueueMembers {
    const key = `${namespace}/${queue}`;
    let q = this.queues.get(key);
    if (!q) { q = new QueueMembers(); this.queues.set(key, q); }
    return q;
  }

  /** Looks at one Deployment again (its object, its pods or the ledger changed). */
  refresh(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const was = this.memberOf.get(key);
    const d = this.ctx.caches.deployments.get(name, namespace);
    const now = d ? `${namespace}/${queueOf(d)}` : undefined;
    if (was !== undefined && was !== now) {
      this.queues.get(was)?.remove(name);
      this.memberOf.delete(key);
    }
    if (!d || now === undefined) return;
    const c = admissionCandidate(this.ctx, d);
    this.queue(namespace, queueOf(d)).upsert({
      name, arrivalMs: Date.parse(c.creationTimestamp), requiredCU: c.requiredCU, admitted: c.admitted, wantsToRun: c.wantsToRun, holdsPods: c.holdsPods ?? false,
    });
    this.memberOf.set(key, now);
  }
}

interface Subscribable { on?: (handler: InformerHandler<KubeObject>) => void }
const indexes = new WeakMap<ReconcileContext, AdmissionIndex | null>();

/** The context's index, built on first use when its caches are informers (they tell of changes); null otherwise. */
function admissionIndexOf(ctx: ReconcileContext): AdmissionIndex | null {
  const index = indexes.get(ctx);
  if (index !== undefined) return index;
  const deployments = ctx.caches.deployments as unknown as Subscribable;
  const pods = ctx.caches.pods as unknown as Subscribable;
  if (typeof deployments.on !== 'function' || typeof pods.on !== 'function') {
    indexes.set(ctx, null);
    return null;
  }
  const built = new AdmissionIndex(ctx);
  indexes.set(ctx, built);
  deployments.on((_, d) => built.refresh(d.metadata.namespace ?? '', d.metadata.name));
  // pods decide whether a stopping deployment still holds its CU
  pods.on((_, p) => {
    const name = owningDeployment(p);
    if (name) built.refresh(p.metadata.namespace ?? '', name);
  });
  ledgerOf(ctx).onChange = (key) => {
    const i = key.indexOf('/');
    built.refresh(key.slice(0, i), key.slice(i + 1));
  };
  for (const d of ctx.caches.deployments.list()) built.refresh(d.metadata.namespace ?? '', d.metadata.name);
  return built;
}
