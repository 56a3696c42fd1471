// Reading Millrace objects for a user. Everything is read with the user's own token, except the
// list of Millrace Namespaces (cluster-scoped; members have no right to list them): the console
// lists their names with its service account and shows only those where the user's own access
// review allows listing Deployments. So a member of another namespace sees none of them.
import { API_VERSION, GROUP } from '../../api/v1alpha1/meta.ts';
import { KubeApiError, type KubeObject, type KubeRest } from '../../kube/rest-client.ts';
import type { ConsoleUser } from '../context.ts';
import { ConsoleError } from '../errors.ts';

export type MillraceObject = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

export const kubernetesNamespaceOf = (ns: MillraceObject) => (typeof ns.status?.kubernetesNamespace === 'string' ? ns.status.kubernetesNamespace : ns.metadata.name);

/** The Millrace Namespaces whose Deployments the user may list, sorted by name. */
/** All Millrace Namespaces, listed by the console's own identity; a missing grant is the console's configuration, not the user's. */
async function allNamespaces(service: KubeRest): Promise<MillraceObject[]> {
  try {
    return (await service.list<MillraceObject>({ apiVersion: API_VERSION, kind: 'Namespace' })).items;
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) {
      throw new ConsoleError('MR_ERR_CONSOLE_NOT_CONFIGURED', `the console's own service account may not list Millrace Namespaces (HTTP ${err.status}); bind it to the rules of operator/console/rbac.ts (the chart does with console.enabled)`, { cause: err });
    }
    throw err;
  }
}

export async function visibleNamespaces(service: KubeRest, user: ConsoleUser): Promise<MillraceObject[]> {
  const all = await allNamespaces(service);
  const allowed = await Promise.all(all.map((ns) => user.canI({ verb: 'list', group: GROUP, resource: 'deployments', namespace: kubernetesNamespaceOf(ns) })));
  return all.filter((_, i) => allowed[i]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export const listDeployments = async (user: ConsoleUser, namespace: string) =>
  (await user.kube.list<MillraceObject>({ apiVersion: API_VERSION, kind: 'Deployment', namespace })).items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
export const listQueues = async (user: ConsoleUser, namespace: string) =>
  (await user.kube.list<MillraceObject>({ apiVersion: API_VERSION, kind: 'Queue', namespace })).items;
export const listSavepoints = async (user: ConsoleUser, namespace: string, deployment: string) =>
  (await user.kube.list<MillraceObject>({ apiVersion: API_VERSION, kind: 'Savepoint', namespace })).items
    .filter((s) => s.spec?.deployment === deployment)
    .sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')));
export const getDeployment = (user: ConsoleUser, namespace: string, name: string) =>
  user.kube.get<MillraceObject>({ apiVersion: API_VERSION, kind: 'Deployment', namespace, name });

/** Kubernetes Events about one object (core v1 events, newest first). */
export async function eventsOf(user: ConsoleUser, namespace: string, name: string, kind = 'Deployment'): Promise<Array<{ type?: string; reason?: string; message?: string; count?: number; lastTimestamp?: string }>> {
  const list = await user.kube.list<KubeObject & { type?: string; reason?: string; message?: string; count?: number; lastTimestamp?: string; eventTime?: string; involvedObject?: { kind?: string; name?: string } }>(
    { apiVersion: 'v1', kind: 'Event', namespace }, { fieldSelector: `involvedObject.name=${name},involvedObject.kind=${kind}` });
  return list.items
    .map((e) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count, lastTimestamp: e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp }))
    .sort((a, b) => String(b.lastTimestamp ?? '').localeCompare(String(a.lastTimestamp ?? '')));
}
