// Queue reconciler: checks the queue's spec.cu fits beside the quotas the namespace's other
// queues hold (operator/capacity/queue-quota.ts), applies its PriorityClass and scoped
// ResourceQuota, and reports the CU in force, the CU its deployments hold and how many wait. A
// refused change applies nothing: the queue keeps its last accepted size, the others theirs.
import { queueSchema, DEFAULT_QUEUE } from '../../api/v1alpha1/queue.ts';
import type { Queue, QueueStatus } from '../../api/v1alpha1/queue.ts';
import { parseResource } from '../../api/v1alpha1/parse.ts';
import { decideQueueQuota } from '../../capacity/queue-quota.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import { MillraceError } from '../../errors.ts';
import { ownerReference } from '../shared/context.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { removeFinalizer, writeStatus } from '../shared/lifecycle.ts';
import { permittedAgain, withForbiddenReport } from '../shared/operator-forbidden.ts';
import { queueAdmission } from '../deployment/queue-view.ts';
import { desiredQueueObjects, priorityClassName, queueQuotaName } from './desired.ts';
import { namespaceCapacityLock } from './capacity-lock.ts';
import { queueQuotasInForce, usableQueueCU } from './in-force.ts';
import { usableNamespaceQuota } from '../namespace/quota.ts';

export async function reconcileQueue(ctx: ReconcileContext, namespace: string, name: string): Promise<ReconcileResult> {
  // A lasting RBAC refusal of the operator's own requests shows on the Queue (operator-forbidden.ts).
  return withForbiddenReport(ctx, `Queue ${namespace}/${name}`, () => ctx.caches.queues.get(name, namespace), () => queuePass(ctx, namespace, name));
}

async function queuePass(ctx: ReconcileContext, namespace: string, name: string): Promise<ReconcileResult> {
  const raw = ctx.caches.queues.get(name, namespace);
  if (!raw) return {};
  const now = new Date(ctx.clock.now());
  const generation = raw.metadata.generation;
  const previous = raw.status;
  // Queues carry no finalizer (a finalizer here once held whole namespaces in Terminating when
  // no operator ran): the ResourceQuota is owned by the Queue and the PriorityClass is removed by
  // the Namespace reconciler. The finalizer of earlier versions is dropped on sight.
  if (raw.metadata.deletionTimestamp) {
    await removeFinalizer(ctx, raw);
    await ctx.rest.delete({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: priorityClassName(namespace, name) });
    return {};
  }
  let queue: Queue;
  try {
    queue = parseResource(queueSchema, raw, `Queue ${namespace}/${name}`);
  } catch (err) {
    if (!(err instanceof MillraceError)) throw err;
    await writeStatus(ctx, raw, { ...previous, observedGeneration: generation, phase: 'Pending', conditions: setConditions(previous?.conditions, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: err.message }], generation, now) });
    return {};
  }
  await removeFinalizer(ctx, raw);

  const owner = ctx.caches.namespaces.get(namespace);
  let ready: ConditionInput;
  let phase: QueueStatus['phase'];
  let acceptedCU: number | undefined;
  // The namespace quota in force: a refused change of the namespace's own quota leaves the last accepted one.
  const quotaCU = usableNamespaceQuota(owner);
  if (!owner || quotaCU === undefined) {
    phase = 'Pending';
    ready = { type: 'Ready', status: 'False', reason: 'NamespaceNotActive', message: `Millrace Namespace ${namespace} is missing or has no quota in force` };
  } else {
    // Read, decide and apply under the namespace's lock: the next decision sees this one applied.
    ({ phase, ready, acceptedCU } = await namespaceCapacityLock(ctx).run(namespace, async () => {
      const inForce = await queueQuotasInForce(ctx, namespace);
      const live = new Set(ctx.caches.queues.list(namespace).filter((q) => !q.metadata.deletionTimestamp).map((q) => q.metadata.name));
      const othersInForceCU = [...inForce].filter(([q]) => q !== name && q !== DEFAULT_QUEUE && live.has(q)).map(([, cu]) => cu);
      const decision = decideQueueQuota({ quotaCU, requestedCU: queue.spec.cu, othersInForceCU, isDefaultQueue: name === DEFAULT_QUEUE });
      if (!decision.accepted) {
        const kept = inForce.get(name);
        return {
          phase: 'QuotaRejected' as const, acceptedCU: kept,
          ready: { type: 'Ready', status: 'False' as const, reason: 'ExceedsNamespaceQuota', message: `spec.cu ${queue.spec.cu} exceeds what namespace ${namespace} has left for this queue beside its other queues (${decision.freeCU} of ${quotaCU} CU); lower spec.cu or raise the namespace quota. ${kept === undefined ? 'The queue admits nothing until then' : `The queue keeps its accepted ${kept} CU`}; no other queue changed` },
        };
      }
      for (const obj of desiredQueueObjects(queue, ownerReference(owner), ownerReference(raw))) await ctx.rest.apply(obj, ctx.fieldManager);
      return {
        phase: 'Active' as const, acceptedCU: queue.spec.cu,
        ready: { type: 'Ready', status: 'True' as const, reason: 'QuotaEnforced', message: `ResourceQuota ${queueQuotaName(name)} holds ${queue.spec.cu} CU for pods of PriorityClass ${priorityClassName(namespace, name)}` },
      };
    }));
  }
  const usable = usableQueueCU({ spec: queue.spec, status: { phase, acceptedCU } });
  const admission = queueAdmission(ctx, namespace, name, usable ?? 0);
  await writeStatus(ctx, raw, {
    observedGeneration: generation,
    phase,
    priorityClassName: usable !== undefined ? priorityClassName(namespace, name) : undefined,
    acceptedCU,
    usedCU: admission.usedCU,
    queuedDeployments: admission.queued,
    conditions: setConditions(previous?.conditions, [ready, ...permittedAgain(previous?.conditions)], generation, now),
  });
  if (previous?.phase !== phase) await ctx.events.record(raw, phase === 'Active' ? 'Normal' : 'Warning', ready.reason, 'Reconcile', ready.message);
  return {};
}
