// A JobManager client factory for an operator running on the test host: cluster DNS does not
// resolve here, but kube-proxy serves ClusterIPs to host traffic, so each call looks up the
// deployment's JobManager Service and talks to its ClusterIP.
import { httpJobManagerClient } from '../../../operator/jobmanager/client.ts';
import type { JobManagerClient, JobManagerClientFactory } from '../../../operator/jobmanager/client.ts';
import type { KubeObject, KubeRest } from '../../../operator/kube/rest-client.ts';
import { JOBMANAGER_REST_PORT, serviceName } from '../../../operator/controllers/deployment/desired.ts';
import { deploymentKeys } from '../../../operator/controllers/deployment/auth-secret.ts';
import { signedFetcher } from '../../../runtime/auth/signed-fetch.ts';

export async function jobManagerUrl(rest: KubeRest, namespace: string, name: string): Promise<string> {
  const svc = await rest.get<KubeObject & { spec: { clusterIP: string } }>({ apiVersion: 'v1', kind: 'Service', namespace, name: serviceName(name) });
  return `http://${svc.spec.clusterIP}:${JOBMANAGER_REST_PORT}`;
}

/** GET from a deployment's JobManager as the operator does: signed with the Deployment's key (its Secret). */
export async function jobManagerGet<T>(rest: KubeRest, namespace: string, name: string, path: string): Promise<T> {
  const key = await deploymentKeys(rest)({ namespace, name });
  const r = await signedFetcher(key, 'operator')(`${await jobManagerUrl(rest, namespace, name)}${path}`);
  if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.json<T>()!;
}

export function clusterIpJobManagers(rest: KubeRest, timeoutMs = 3000): JobManagerClientFactory {
  const keys = deploymentKeys(rest);
  return ({ namespace, name }) => {
    const client = async () => httpJobManagerClient(await jobManagerUrl(rest, namespace, name), timeoutMs, { key: () => keys({ namespace, name }) });
    return {
      listJobs: async () => (await client()).listJobs(),
      job: async (id) => (await client()).job(id),
      cancel: async (id) => (await client()).cancel(id),
      triggerSavepoint: async (id, o) => (await client()).triggerSavepoint(id, o),
      savepointStatus: async (id, t) => (await client()).savepointStatus(id, t),
      stopWithSavepoint: async (id, o) => (await client()).stopWithSavepoint(id, o),
      disposeSavepoint: async (p) => (await client()).disposeSavepoint(p),
      disposalStatus: async (r) => (await client()).disposalStatus(r),
    } satisfies JobManagerClient;
  };
}
