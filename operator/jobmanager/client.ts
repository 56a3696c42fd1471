// The operator's view of the JobManager REST API (Flink-like). An interface, so reconcilers
// take a client per deployment from an injected factory: in a cluster the factory targets
// the deployment's Service, in tests a local runtime process. Requests are signed with the
// Deployment's key (runtime/auth/request-signing.ts) when there is one, and responses are read
// up to a size limit, so a JobManager cannot make the operator buffer without bound.
import type { DeploymentKey } from '../../runtime/auth/deployment-key.ts';
import { DEFAULT_MAX_RESPONSE_BYTES, signedFetcher, type SignedResponse } from '../../runtime/auth/signed-fetch.ts';
import { MillraceError } from '../errors.ts';

export interface JobSummary { id: string; state: string }
export interface JobDetails {
  id: string;
  state: string;
  startTime?: string;
  restarts?: number;
  lastCheckpoint?: { id: number; path?: string; completedAt?: string };
  /** Why the job failed, as the JobManager reports it (`failure-cause`). */
  failureCause?: string;
}
export type SavepointTriggerStatus =
  | { state: 'IN_PROGRESS' }
  | { state: 'COMPLETED'; location: string }
  | { state: 'FAILED'; reason: string };
export type DisposalStatus = { state: 'IN_PROGRESS' } | { state: 'COMPLETED' } | { state: 'FAILED'; reason: string };

export interface JobManagerClient {
  listJobs(): Promise<JobSummary[]>;
  job(id: string): Promise<JobDetails>;
  cancel(id: string): Promise<void>;
  triggerSavepoint(id: string, opts: { formatType: string; cancelJob: boolean }): Promise<string>;
  savepointStatus(id: string, triggerId: string): Promise<SavepointTriggerStatus>;
  /** Stop-with-savepoint: a savepoint, then the job ends FINISHED; the status is polled like a savepoint's. */
  stopWithSavepoint(id: string, opts: { drain: boolean }): Promise<string>;
  /** Starts deleting a savepoint's files; returns the request id. */
  disposeSavepoint(path: string): Promise<string>;
  disposalStatus(requestId: string): Promise<DisposalStatus>;
}

export type JobManagerClientFactory = (deployment: { namespace: string; name: string }) => JobManagerClient;

const iso = (v: unknown) => (typeof v === 'number' && v > 0 ? new Date(v).toISOString() : typeof v === 'string' ? v : undefined);

type AsyncOperationBody = { status?: { id?: string }; operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string; message?: string } } };
const failureOf = (r: AsyncOperationBody) => {
  const f = r.operation?.['failure-cause'];
  return f ? (f.message ?? f['stack-trace']?.split('\n')[0] ?? 'unknown failure') : undefined;
};

export interface HttpJobManagerClientOptions {
  /** the Deployment's key; undefined: unsigned requests (a local JobManager without a key) */
  key?: () => Promise<DeploymentKey | undefined>;
  /** largest response read (default 4 MiB) */
  maxResponseBytes?: number;
}

/** HTTP implementation on fetch; every call is bounded by a timeout and a response size, and fails transiently. */
export function httpJobManagerClient(baseUrl: string, timeoutMs = 5_000, options: HttpJobManagerClientOptions = {}): JobManagerClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: SignedResponse;
    try {
      const key = await options.key?.();
      res = await signedFetcher(key, 'operator')(new URL(path, baseUrl).href, { method, body, timeoutMs, maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES });
    } catch (err) {
      throw new MillraceError('MR_ERR_JOBMANAGER_API', `${method} ${baseUrl}${path} failed: ${(err as Error).message}`, { transient: true, cause: err });
    }
    const code = res.error?.code;
    // The JobManager runs but has no such endpoint (an older runtime): retrying will not help.
    // Fastify's own 404 (a runtime before coded errors) is recognised by its error name.
    if (code === 'MR_ERR_ROUTE_NOT_FOUND' || (res.status === 404 && !code && res.json<{ error?: unknown }>()?.error === 'Not Found')) {
      throw new MillraceError('MR_ERR_JOBMANAGER_API', `${method} ${path}: this JobManager has no such endpoint (HTTP 404); the runtime version does not support it yet`);
    }
    if (!res.ok) {
      const detail = res.error ? `${res.error.code}: ${res.error.message}` : res.text.slice(0, 300);
      // refused credentials (a key being created or rotated) are worth another try; other 4xx are not
      const transient = res.status >= 500 || res.status === 404 || code?.startsWith('MR_ERR_AUTH_') === true;
      throw new MillraceError('MR_ERR_JOBMANAGER_API', `${method} ${baseUrl}${path}: HTTP ${res.status} ${detail.slice(0, 500)}`, { transient });
    }
    const parsed = res.json<T>();
    if (parsed === undefined && res.text !== '') throw new MillraceError('MR_ERR_JOBMANAGER_API', `${method} ${baseUrl}${path}: the response is not JSON`, { transient: true });
    return (parsed ?? {}) as T;
  }
  return {
    async listJobs() {
      const r = await call<{ jobs?: Array<{ id?: string; jid?: string; status?: string; state?: string }> }>('GET', '/jobs');
      return (r.jobs ?? []).map((j) => ({ id: String(j.id ?? j.jid), state: String(j.status ?? j.state ?? 'UNKNOWN') }));
    },
    async job(id) {
      const j = await call<Record<string, unknown>>('GET', `/jobs/${encodeURIComponent(id)}`);
      const cp = j.lastCheckpoint as { id: number; path?: string; completedAt?: unknown } | undefined;
      return {
        id: String(j.jid ?? j.id ?? id),
        state: String(j.state ?? j.status ?? 'UNKNOWN'),
        startTime: iso(j['start-time'] ?? j.startTime),
        restarts: typeof j.restarts === 'number' ? j.restarts : undefined,
        lastCheckpoint: cp ? { id: cp.id, path: cp.path, completedAt: iso(cp.completedAt) } : undefined,
        failureCause: typeof j['failure-cause'] === 'string' ? j['failure-cause'].slice(0, 1000) : undefined,
      };
    },
    async cancel(id) { await call('POST', `/jobs/${encodeURIComponent(id)}/cancel`); },
    async triggerSavepoint(id, opts) {
      const r = await call<{ 'request-id'?: string; triggerId?: string }>('POST', `/jobs/${encodeURIComponent(id)}/savepoints`, { formatType: opts.formatType.toUpperCase(), 'cancel-job': opts.cancelJob });
      const trigger = r['request-id'] ?? r.triggerId;
      if (!trigger) throw new MillraceError('MR_ERR_JOBMANAGER_API', `savepoint trigger of job ${id} returned no request-id`);
      return trigger;
    },
    async savepointStatus(id, triggerId) {
      const r = await call<AsyncOperationBody>('GET', `/jobs/${encodeURIComponent(id)}/savepoints/${encodeURIComponent(triggerId)}`);
      if (r.status?.id !== 'COMPLETED') return { state: 'IN_PROGRESS' };
      if (r.operation?.location) return { state: 'COMPLETED', location: r.operation.location };
      return { state: 'FAILED', reason: failureOf(r) ?? 'unknown failure' };
    },
    async stopWithSavepoint(id, opts) {
      const r = await call<{ 'request-id'?: string }>('POST', `/jobs/${encodeURIComponent(id)}/stop`, { drain: opts.drain });
      if (!r['request-id']) throw new MillraceError('MR_ERR_JOBMANAGER_API', `stop-with-savepoint of job ${id} returned no request-id`);
      return r['request-id'];
    },
    async disposeSavepoint(path) {
      const r = await call<{ 'request-id'?: string }>('POST', '/savepoint-disposal', { 'savepoint-path': path });
      if (!r['request-id']) throw new MillraceError('MR_ERR_JOBMANAGER_API', `disposal of ${path} returned no request-id`);
      return r['request-id'];
    },
    async disposalStatus(requestId) {
      const r = await call<AsyncOperationBody>('GET', `/savepoint-disposal/${encodeURIComponent(requestId)}`);
      if (r.status?.id !== 'COMPLETED') return { state: 'IN_PROGRESS' };
      const reason = failureOf(r);
      return reason ? { state: 'FAILED', reason } : { state: 'COMPLETED' };
    },
  };
}

/** In a cluster: the JobManager Service of the deployment, requests signed with its key. */
export const serviceJobManagerClients = (keys: (d: { namespace: string; name: string }) => Promise<DeploymentKey | undefined>, port = 8081): JobManagerClientFactory =>
  ({ namespace, name }) => httpJobManagerClient(`http://${name}-jobmanager.${namespace}.svc:${port}`, 5_000, { key: () => keys({ namespace, name }) });
