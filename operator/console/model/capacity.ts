// What the namespaces page shows, computed from the objects as read (pure, unit-tested):
// a namespace's quota, allocated, used and free CU; per queue its CU, used, free and the
// deployments waiting in it, first come first served (the operator admits them in this order:
// status.queuedSince, then creation time, then name).
import type { KubeObject } from '../../kube/rest-client.ts';

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
/** CU are multiples of 0.25: round away float noise of sums */
const cu = (n: number) => Math.round(n * 100) / 100;

export interface CapacityNumbers { capacity: number; used: number; free: number }

export interface WaitingDeployment { name: string; requiredCU?: number; queuedSince?: string; reason?: string }

export interface QueueView extends CapacityNumbers { name: string; phase?: string; waiting: WaitingDeployment[] }

export interface NamespaceView extends CapacityNumbers {
  name: string;
  /** the Kubernetes namespace that holds its Deployments and Queues */
  kubernetesNamespace: string;
  workspace?: string;
  phase?: string;
  allocated: number;
  queues: QueueView[];
}

export function waitingOrder(a: Obj, b: Obj): number {
  const qa = str(a.status?.queuedSince) ?? str(a.metadata.creationTimestamp) ?? '';
  const qb = str(b.status?.queuedSince) ?? str(b.metadata.creationTimestamp) ?? '';
  if (qa !== qb) return qa < qb ? -1 : 1;
  const ca = str(a.metadata.creationTimestamp) ?? '';
  const cb = str(b.metadata.creationTimestamp) ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

export function queueViews(queues: Obj[], deployments: Obj[]): QueueView[] {
  return queues.map((q) => {
    const capacity = num(q.status?.acceptedCU) ?? num(q.spec?.cu) ?? 0;
    const used = num(q.status?.usedCU) ?? 0;
    const waiting = deployments
      .filter((d) => d.status?.phase === 'Queued' && (str(d.spec?.queue) ?? 'default-queue') === q.metadata.name)
      .sort(waitingOrder)
      .map((d) => ({ name: d.metadata.name, requiredCU: num(d.status?.requiredCU), queuedSince: str(d.status?.queuedSince), reason: str(d.status?.reason) }));
    return { name: q.metadata.name, phase: str(q.status?.phase), capacity: cu(capacity), used: cu(used), free: cu(Math.max(0, capacity - used)), waiting };
  }).sort((a, b) => (a.name === 'default-queue' ? -1 : b.name === 'default-queue' ? 1 : a.name.localeCompare(b.name)));
}

export function namespaceView(ns: Obj, queues: Obj[], deployments: Obj[]): NamespaceView {
  const capacity = num(ns.status?.acceptedQuotaCU) ?? num(ns.spec?.quotaCU) ?? 0;
  const views = queueViews(queues, deployments);
  const used = num(ns.status?.usedCU) ?? views.reduce((s, q) => s + q.used, 0);
  return {
    name: ns.metadata.name,
    kubernetesNamespace: str(ns.status?.kubernetesNamespace) ?? ns.metadata.name,
    workspace: str(ns.spec?.workspace),
    phase: str(ns.status?.phase),
    capacity: cu(capacity),
    allocated: cu(num(ns.status?.allocatedCU) ?? views.reduce((s, q) => s + q.capacity, 0)),
    used: cu(used),
    free: cu(Math.max(0, capacity - used)),
    queues: views,
  };
}
