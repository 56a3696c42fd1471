// Desired objects of a Queue (pure): a non-preempting PriorityClass that marks the queue's
// pods and a ResourceQuota scoped to that PriorityClass, so the API server itself refuses
// a pod that would take the queue over its CU.
import type { Queue } from '../../api/v1alpha1/queue.ts';
import { cuToQuotaHard } from '../../capacity/compute-units.ts';
import type { KubeObject, OwnerReference } from '../../kube/rest-client.ts';
import { LABELS, MANAGED_BY } from '../shared/context.ts';

// Cluster-scoped, so the name must be unique across tenants: a dot separates namespace and queue
// (namespace names are DNS labels without dots), so namespace a-b with queue c and namespace a
// with queue b-c get different classes. At most 9 + 63 + 1 + 40 characters.
export const priorityClassName = (namespace: string, queue: string) => `millrace-${namespace}.${queue}`;
export const queueQuotaName = (queue: string) => `millrace-queue-${queue}`;

export function desiredQueueObjects(queue: Queue, namespaceOwner: OwnerReference, queueOwner: OwnerReference): KubeObject[] {
  const ns = queue.metadata.namespace ?? '';
  const name = queue.metadata.name;
  const pc = priorityClassName(ns, name);
  const labels = { [LABELS.managedBy]: MANAGED_BY, [LABELS.namespace]: ns, [LABELS.queue]: name };
  return [
    {
      // Cluster-scoped, so owned by the (cluster-scoped) Millrace Namespace; when only the Queue
      // goes, the Namespace reconciler removes it (operator/controllers/namespace/reconciler.ts).
      apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass',
      metadata: { name: pc, labels, ownerReferences: [{ ...namespaceOwner, controller: false }] },
      value: 0, preemptionPolicy: 'Never', globalDefault: false,
      description: `Marks pods of Millrace queue ${ns}/${name}; the ResourceQuota ${queueQuotaName(name)} is scoped to it.`,
    },
    {
      apiVersion: 'v1', kind: 'ResourceQuota',
      // Owned by the Queue: the garbage collector removes it with the Queue, no finalizer needed.
      metadata: { name: queueQuotaName(name), namespace: ns, labels, ownerReferences: [queueOwner] },
      spec: {
        hard: cuToQuotaHard(queue.spec.cu, { ephemeralStorage: false }),
        scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [pc] }] },
      },
    },
  ];
}
