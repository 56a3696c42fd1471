// Minimal REST client of the JobManager used by `millrace run` and tests.

export interface VertexStatus {
  id: string;
  name: string;
  parallelism: number;
  isSource: boolean;
  status: string;
  recordsIn: number;
  recordsOut: number;
  backpressureRatio: number;
  backpressureLevel: string;
  inputWatermark: number | null;
  watermarkLagMs: number | null;
  latencyP99Ms: number | null;
  /** where each subtask of the current attempt runs */
  subtasks: Array<{ index: number; state: string; taskManagerId?: string }>;
}

export interface JobStatus {
  id: string;
  name: string;
  state: string;
  restarts: number;
  attempt: number;
  duration: number;
  runningSince: number | null;
  processingDurationMs: number | null;
  latencyP99Ms: number | null;
  vertices: VertexStatus[];
  exceptions: Array<{ timestamp: number; message: string }>;
  'failure-cause': string | null;
  lastCheckpoint?: { id: number; path: string; completedAt: number } | null;
}

export interface SubmitBody {
  jobUrl: string;
  params?: Record<string, string>;
  parallelism?: number;
  restartStrategy?: string;
  batchMode?: boolean;
  latencyTrackingIntervalMs?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  resumeFromLatest?: boolean;
}

export interface OperationStatus {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation?: { location?: string; 'failure-cause'?: { code?: string; message: string } };
}

export interface CheckpointsStatus {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  summary: Record<'end_to_end_duration' | 'state_size' | 'alignment_duration', { min: number; max: number; avg: number }>;
  latest: {
    completed: { id: number; external_path: string; end_to_end_duration: number; state_size: number; alignment_duration: number; latest_ack_timestamp: number } | null;
    failed: { id: number; failure_message: string; failure_timestamp: number } | null;
    restored: { id: number; external_path: string; is_savepoint: boolean; restore_timestamp: number } | null;
  };
  history: Array<{ id: number; status: string; is_savepoint: boolean }>;
}

export const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

/** How long a REST call may take (a status, a trigger). */
const CALL_TIMEOUT_MS = 10_000;
/**
 * How long a submission may take: the JobManager imports the job module and builds its graph before
 * it answers, which for a SQL job took 11 s on a loaded 2-core machine (Flink's client.timeout is 60 s too).
 */
const SUBMIT_TIMEOUT_MS = 60_000;

export class JobClient {
  readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }
  private async call<T>(method: string, path: string, body?: unknown, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method, headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) {
      let msg = text;
      try {
        const e = JSON.parse(text) as { error?: { code?: string; message?: string } };
        msg = `${e.error?.code ?? ''}: ${e.error?.message ?? text}`;
      } catch {
        // plain text body
      }
      throw new Error(`${method} ${path} failed (HTTP ${res.status}) ${msg}`);
    }
    return JSON.parse(text) as T;
  }
  async submit(req: SubmitBody): Promise<string> {
    return (await this.submitJob(req)).id;
  }
  submitJob(req: SubmitBody): Promise<{ id: string; restoredFrom: { path: string; checkpointId: number; isSavepoint: boolean } | null }> {
    return this.call('POST', '/jobs', req, SUBMIT_TIMEOUT_MS);
  }
  checkpoints(id: string): Promise<CheckpointsStatus> {
    return this.call('GET', `/jobs/${id}/checkpoints`);
  }
  async triggerSavepoint(id: string, body: { 'target-directory'?: string; 'cancel-job'?: boolean } = {}): Promise<string> {
    return (await this.call<{ 'request-id': string }>('POST', `/jobs/${id}/savepoints`, body))['request-id'];
  }
  async stop(id: string, body: { targetDirectory?: string; drain?: boolean } = {}): Promise<string> {
    return (await this.call<{ 'request-id': string }>('POST', `/jobs/${id}/stop`, body))['request-id'];
  }
  savepointStatus(id: string, requestId: string): Promise<OperationStatus> {
    return this.call('GET', `/jobs/${id}/savepoints/${requestId}`);
  }
  /** Waits for a savepoint request; resolves with its location, rejects with its failure. */
  async waitForSavepoint(id: string, requestId: string, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.savepointStatus(id, requestId);
      if (s.status.id === 'COMPLETED') {
        if (s.operation?.location) return s.operation.location;
        throw new Error(s.operation?.['failure-cause']?.message ?? 'savepoint failed');
      }
      if (Date.now() > deadline) throw new Error(`MR_ERR_TIMEOUT: savepoint ${requestId} of job ${id} still in progress after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async disposeSavepoint(path: string): Promise<string> {
    return (await this.call<{ 'request-id': string }>('POST', '/savepoint-disposal', { 'savepoint-path': path }))['request-id'];
  }
  disposalStatus(requestId: string): Promise<OperationStatus> {
    return this.call('GET', `/savepoint-disposal/${requestId}`);
  }
  job(id: string): Promise<JobStatus> {
    return this.call('GET', `/jobs/${id}`);
  }
  async cancel(id: string): Promise<void> {
    await this.call('POST', `/jobs/${id}/cancel`);
  }
  overview(): Promise<{ taskmanagers: number; 'slots-total': number; 'slots-available': number; 'taskmanagers-standby': number; 'taskmanagers-standby-target': number }> {
    return this.call('GET', '/overview');
  }
  /** The registered TaskManagers (their ids and free slots). */
  async taskManagers(): Promise<Array<{ id: string; slotsNumber: number; freeSlots: number }>> {
    return (await this.call<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> }>('GET', '/taskmanagers')).taskmanagers;
  }
  cpu(): Promise<{ jobmanager: { userMs: number; systemMs: number }; taskmanagers: Array<{ id: string; userMs: number; systemMs: number }> }> {
    return this.call('GET', '/cluster/cpu');
  }
  async waitFor(id: string, pred: (s: JobStatus) => boolean, timeoutMs = 120_000, pollMs = 200): Promise<JobStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.job(id);
      if (pred(s)) return s;
      if (Date.now() > deadline) throw new Error(`MR_ERR_TIMEOUT: job ${id} is ${s.state} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  waitForTerminal(id: string, timeoutMs?: number): Promise<JobStatus> {
    return this.waitFor(id, (s) => TERMINAL.has(s.state), timeoutMs);
  }
}
