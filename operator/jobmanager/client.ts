// The operator's view of the JobManager REST API (Flink-like). An interface, so reconcilers
// take a client per deployment from an injected factory: in a cluster the factory targets
// the deployment's Service, in tests a local runtime process.
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

/** HTTP implementation on fetch; every call is bounded by a timeout and fails transiently. */
export function httpJobManagerClient(baseUrl: string, timeoutMs = 5_000): JobManagerClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(path, baseUrl), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new MillraceError('MR_ERR_JOBMANAGER_API', `${method} ${baseUrl}${path} failed: ${(err as Error).message}`, { transient: true, cause: err });
    }
    const text = await res.text();
    if (res.status === 404 && text.includes('Route ')) {
      // The JobManager runs but has no such endpoint: retrying will not help.
      throw new MillraceError('MR_ERR_JOBMANAGER_API', `${method} ${path}: this JobManager has no such endpoint (HTTP 404); the runtime version does not support it yet`);
    }
    if (!res.ok) throw new MillraceError('MR_ERR_JOBMANAGER_API', `${method} ${baseUrl}${path}: HTTP ${res.status} ${text.slice(0, 300)}`, { transient: res.status >= 500 || res.status === 404 });
    return (text ? JSON.parse(text) : {}) as T;
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

/** In a cluster: the JobManager Service of the deployment. */
export const serviceJobManagerClients = (port = 8081): JobManagerClientFactory =>
  ({ namespace, name }) => httpJobManagerClient(`http://${name}-jobmanager.${namespace}.svc:${port}`);
