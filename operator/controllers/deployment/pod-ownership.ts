// Which Deployment a pod belongs to, as the operator counts it. The millrace.dev/deployment label
// alone is not enough: anyone who may create pods in the namespace can put it on a pod, and a pod
// counted as the Deployment's would hold its upgrade ("old pods gone" never true), its key Secret
// and its queue's capacity. A pod is the Deployment's only when it also names the Deployment as its
// controlling owner, as every pod the operator creates does (desired.ts, ownerReference()).
// The reference must also block its owner's deletion, as the operator's do: with the API server's
// OwnerReferencesPermissionEnforcement admission plugin, setting that needs update on the
// Deployment's finalizers, which only the operator holds (rbac/operator-role.ts), so there no one
// else can make a pod that counts. Without the plugin a pod creator could copy the reference.
// The uid is not compared: a pod of an earlier Deployment of the same name still holds quota until
// the garbage collector removes it, so it is rightly counted until then.
import type { KubeObject } from '../../kube/rest-client.ts';
import { LABELS } from '../shared/context.ts';

const GROUP = 'millrace.dev';

/** The name of the Deployment that owns the pod (label and controlling, deletion-blocking ownerReference agree), else undefined. */
export function owningDeployment(pod: KubeObject): string | undefined {
  const name = pod.metadata.labels?.[LABELS.deployment];
  if (!name) return undefined;
  const owned = (pod.metadata.ownerReferences ?? []).some((r) =>
    r.controller === true && r.blockOwnerDeletion === true && r.kind === 'Deployment' && r.name === name && r.apiVersion.split('/')[0] === GROUP);
  return owned ? name : undefined;
}
