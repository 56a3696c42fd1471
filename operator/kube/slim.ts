// What goes into the informer caches: objects slimmed on arrival, before they are stored.
// managedFields and kubectl's last-applied annotation are often half of an object and no
// controller reads them; pods keep only the fields the operator looks at. Every cache read
// (Cache.get/list) sees these slim objects.
import type { KubeObject } from './rest-client.ts';

export type CacheTransform = (obj: KubeObject) => KubeObject;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Drops metadata.managedFields and kubectl's last-applied annotation (in place). */
export function stripBookkeeping(obj: KubeObject): KubeObject {
  const meta = obj.metadata as KubeObject['metadata'] | undefined;
  if (!meta) return obj;
  delete meta.managedFields;
  if (meta.annotations && LAST_APPLIED in meta.annotations) {
    const { [LAST_APPLIED]: _dropped, ...rest } = meta.annotations;
    meta.annotations = rest;
  }
  return obj;
}

type Container = { name?: string; image?: string; resources?: unknown };
type ContainerStatus = { name?: string; ready?: boolean; restartCount?: number; state?: unknown; lastState?: unknown };

/**
 * A pod as the operator reads it: identity, labels, owners, deletion; per container its name,
 * image and resources; the status phase, reason, conditions and per container ready, restarts
 * and state. Env, volumes, probes, security contexts, tolerations and the rest are left out.
 */
export function slimPod(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  const spec = (obj.spec ?? {}) as { nodeName?: string; priorityClassName?: string; containers?: Container[] };
  const status = (obj.status ?? {}) as { phase?: string; reason?: string; message?: string; podIP?: string; startTime?: string; conditions?: unknown[]; containerStatuses?: ContainerStatus[] };
  return {
    apiVersion: obj.apiVersion, kind: obj.kind,
    metadata: {
      name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, generation: m.generation,
      labels: m.labels, ownerReferences: m.ownerReferences, finalizers: m.finalizers,
      creationTimestamp: m.creationTimestamp, deletionTimestamp: m.deletionTimestamp,
    },
    spec: {
      nodeName: spec.nodeName, priorityClassName: spec.priorityClassName,
      containers: (spec.containers ?? []).map((c) => ({ name: c.name, image: c.image, resources: c.resources })),
    },
    status: {
      phase: status.phase, reason: status.reason, message: status.message, podIP: status.podIP, startTime: status.startTime,
      conditions: status.conditions,
      containerStatuses: status.containerStatuses?.map((c) => ({ name: c.name, ready: c.ready, restartCount: c.restartCount, state: c.state, lastState: c.lastState })),
    },
  };
}
