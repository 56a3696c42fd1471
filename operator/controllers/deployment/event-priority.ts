// How urgent a Deployment's event is for the work queue (kube/work-queue.ts). New work — a spec
// not yet reconciled (a new Deployment, a new generation, also one changed while the operator was
// down) or a deletion — goes high. An object whose spec is already reconciled (status.observedGeneration
// equals metadata.generation) goes low: that is what the informer's initial list (10,000 settled
// Deployments after a restart or a leader change) and relists bring, and none of it should make a
// Deployment applied now wait. controller-runtime's priority queue does the same with its initial
// list and unchanged updates.
import type { Priority } from '../../kube/work-queue.ts';
import type { KubeObject } from '../../kube/rest-client.ts';

export function deploymentEventPriority(event: 'add' | 'update' | 'delete', o: KubeObject): Priority {
  if (event === 'delete' || o.metadata.deletionTimestamp) return 'high';
  const observed = (o.status as { observedGeneration?: number } | undefined)?.observedGeneration;
  return observed !== undefined && observed === o.metadata.generation ? 'low' : 'high';
}
