// The console reads a Deployment's JobManager REST API (job graph, metrics, checkpoints,
// exceptions) for a member. Members cannot read the Deployment's key Secret and the JobManager
// accepts only signed requests, so the console signs with the key, read with its own service
// account, and ONLY after the user's own access review allowed `get deployments` on that
// Deployment. The JobManager is reached at its Service (in a cluster) or at an address the
// console is configured with (tests, a console outside the cluster).
import type { DeploymentKey } from '../../../runtime/auth/deployment-key.ts';
import { DEFAULT_MAX_RESPONSE_BYTES, signedFetcher } from '../../../runtime/auth/signed-fetch.ts';
import { ConsoleError } from '../errors.ts';
import type { ConsoleUser } from '../context.ts';
import { GROUP } from '../../api/v1alpha1/meta.ts';

export interface DeploymentRef { namespace: string; name: string }

export interface JobManagerAccess {
  /** GET a JobManager path (`/jobs/<id>`) for the user: 403 unless the user may get the Deployment. */
  get<T>(user: ConsoleUser, deployment: DeploymentRef, path: string): Promise<T>;
}

/** Where a Deployment's JobManager answers (may look it up, e.g. a Service's ClusterIP). */
export type JobManagerUrl = (d: DeploymentRef) => string | Promise<string>;
export const serviceJobManagerUrl: JobManagerUrl = ({ namespace, name }) => `http://${name}-jobmanager.${namespace}.svc:8081`;

export function jobManagerAccess(keys: (d: DeploymentRef) => Promise<DeploymentKey | undefined>, url: JobManagerUrl = serviceJobManagerUrl, timeoutMs = 5_000): JobManagerAccess {
  return {
    async get<T>(user: ConsoleUser, d: DeploymentRef, path: string): Promise<T> {
      // authorization first: the key is not even read for a user who may not see the Deployment
      await user.require({ verb: 'get', group: GROUP, resource: 'deployments', namespace: d.namespace, name: d.name });
      const key = await keys(d);
      const target = new URL(path, await url(d)).href;
      let res;
      try {
        res = await signedFetcher(key, 'operator')(target, { method: 'GET', timeoutMs, maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES });
      } catch (err) {
        throw new ConsoleError('MR_ERR_CONSOLE_JOBMANAGER', `the JobManager of ${d.namespace}/${d.name} is not reachable (${(err as Error).message}); it runs only while the job runs`, { cause: err });
      }
      if (res.status === 404 && res.error?.code === 'MR_ERR_JOB_NOT_FOUND') throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `the JobManager of ${d.namespace}/${d.name} has no such job`);
      if (!res.ok) throw new ConsoleError('MR_ERR_CONSOLE_JOBMANAGER', `the JobManager of ${d.namespace}/${d.name} answered HTTP ${res.status}${res.error ? ` ${res.error.code}: ${res.error.message}` : ''}`);
      return (res.json<T>() ?? {}) as T;
    },
  };
}
