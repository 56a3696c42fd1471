// Queue reconciler: checks the queue fits in its namespace quota, applies its PriorityClass
// and scoped ResourceQuota, and reports the CU its deployments hold and how many wait.
import { queueSchema, DEFAULT_QUEUE } from '../../api/v1alpha1/queue.ts';
import type { Queue, QueueStatus } from '../../api/v1alpha1/queue.ts';
import { parseResource } from '../../api/v1alpha1/parse.ts';
import { CU_STEP, quarters } from '../../capacity/compute-units.ts';
import { compareArrival } from '../../capacity/admission.ts';
import { setConditions } from '../../kube/conditions.ts';
import type { ConditionInput } from '../../kube/conditions.ts';
import type { ReconcileResult } from '../../kube/controller-runner.ts';
import { MillraceError } from '../../errors.ts';
import { ownerReference } from '../shared/context.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { removeFinalizer, writeStatus } from '../shared/lifecycle.ts';
import { queueAdmission } from '../deployment/queue-view.ts';
import { desiredQueueObjects, priorityClassName, queueQuotaName } from './desired.ts';

const ts = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v ?? ''));

/** User queues are accepted in creation order while they fit; the default-queue takes the rest. */
export function queueFits(quotaCU: number, queues: ReadonlyArray<{ name: string; creationTimestamp: string; cu: number }>, name: string): { fits: boolean; freeCU: number } {
  let used = 0;
  const quota = quarters(quotaCU);
  for (const q of [...queues].filter((x) => x.name !== DEFAULT_QUEUE).sort(compareArrival)) {
    const need = quarters(q.cu);
    const fits = used + need <= quota;
    if (q.name === name) return { fits, freeCU: (quota - used) * CU_STEP };
    if (fits) used += need;
  }
  return { fits: true, freeCU: (quota - used) * CU_STEP };
}

export async function reconcileQueue(ctx: ReconcileContext, namespace: string, name: string): Promise<ReconcileResult> {
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
  if (!owner || owner.status?.phase !== 'Active') {
    phase = 'Pending';
    ready = { type: 'Ready', status: 'False', reason: 'NamespaceNotActive', message: `Millrace Namespace ${namespace} is missing or not Active` };
  } else {
    const all = ctx.caches.queues.list(namespace).filter((q) => !q.metadata.deletionTimestamp)
      .map((q) => ({ name: q.metadata.name, creationTimestamp: ts(q.metadata.creationTimestamp), cu: q.spec.cu }));
    const { fits, freeCU } = queueFits(owner.spec.quotaCU, all, name);
    if (!fits) {
      phase = 'QuotaRejected';
      ready = { type: 'Ready', status: 'False', reason: 'ExceedsNamespaceQuota', message: `spec.cu ${queue.spec.cu} exceeds what namespace ${namespace} has left for queues (${freeCU} of ${owner.spec.quotaCU} CU); lower spec.cu or raise the namespace quota` };
    } else {
      phase = 'Active';
      for (const obj of desiredQueueObjects(queue, ownerReference(owner), ownerReference(raw))) await ctx.rest.apply(obj, ctx.fieldManager);
      ready = { type: 'Ready', status: 'True', reason: 'QuotaEnforced', message: `ResourceQuota ${queueQuotaName(name)} holds ${queue.spec.cu} CU for pods of PriorityClass ${priorityClassName(namespace, name)}` };
    }
  }
  const admission = queueAdmission(ctx, namespace, name, phase === 'Active' ? queue.spec.cu : 0);
  await writeStatus(ctx, raw, {
    observedGeneration: generation,
    phase,
    priorityClassName: phase === 'Active' ? priorityClassName(namespace, name) : undefined,
    usedCU: admission.usedCU,
    queuedDeployments: admission.queued,
    conditions: setConditions(previous?.conditions, [ready], generation, now),
  });
  if (previous?.phase !== phase) await ctx.events.record(raw, phase === 'Active' ? 'Normal' : 'Warning', ready.reason, 'Reconcile', ready.message);
  return {};
}
