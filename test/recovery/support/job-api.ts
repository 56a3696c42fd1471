// The JobManager's REST API as the recovery tests use it: the job, checkpoint statistics and
// savepoints in Flink's shapes (the contract of issue 4). Calls made while the JobManager is
// down (it is being killed on purpose) fail fast and are retried by the waiting helpers.

import { resolveJobUrl } from '../../../runtime/artifacts/job-loader.ts';
import type { JobStatus } from '../../../runtime/local/job-client.ts';

export interface CompletedCheckpoint {
  id: number;
  external_path: string;
  end_to_end_duration: number;
  state_size: number;
  alignment_duration: number;
  /** longest pause of a subtask for this checkpoint (ms) */
  sync_duration: number;
  /** longest asynchronous part of a subtask (ms) */
  async_duration: number;
  latest_ack_timestamp: number;
}

export interface CheckpointStats {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  summary: Record<'end_to_end_duration' | 'state_size' | 'alignment_duration' | 'sync_duration', { min: number; max: number; avg: number }>;
  latest: {
    completed: CompletedCheckpoint | null;
    failed: { id: number; failure_message: string; failure_timestamp: number } | null;
    restored: { id: number; external_path: string; is_savepoint: boolean; restore_timestamp: number } | null;
  };
  history: Array<{ id: number; status: string; [k: string]: unknown }>;
}

export interface RecoveryJobStatus extends JobStatus {
  lastCheckpoint?: { id: number; path: string; completedAt: number } | null;
}

export interface SubmitOptions {
  /** A path or URL of the job module (paths are turned into file: URLs). */
  readonly jobUrl: string;
  readonly parallelism: number;
  readonly params?: Record<string, string>;
  readonly restartStrategy?: string;
  readonly savepointPath?: string;
  readonly allowNonRestoredState?: boolean;
  readonly resumeFromLatest?: boolean;
}

export type OperationStatus = { status: { id: 'IN_PROGRESS' } } | {
  status: { id: 'COMPLETED' };
  operation?: { location?: string; 'failure-cause'?: { message: string } };
};

export class RestError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class JobApi {
  readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method, headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) {
      let code: string | undefined;
      let message = text;
      try {
        const e = JSON.parse(text) as { error?: { code?: string; message?: string } };
        code = e.error?.code;
        message = e.error?.message ?? text;
      } catch {
        // not JSON
      }
      throw new RestError(res.status, code, `${method} ${path}: HTTP ${res.status} ${code ?? ''} ${message}`);
    }
    return JSON.parse(text) as T;
  }

  async submit(o: SubmitOptions): Promise<string> {
    const { id } = await this.call<{ id: string }>('POST', '/jobs', { ...o, jobUrl: resolveJobUrl(o.jobUrl) });
    return id;
  }

  job(id: string): Promise<RecoveryJobStatus> {
    return this.call('GET', `/jobs/${id}`);
  }

  checkpoints(id: string): Promise<CheckpointStats> {
    return this.call('GET', `/jobs/${id}/checkpoints`);
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return res.text();
  }

  async cancel(id: string): Promise<void> {
    await this.call('POST', `/jobs/${id}/cancel`);
  }

  async triggerSavepoint(id: string, body: { 'target-directory'?: string; 'cancel-job'?: boolean } = {}): Promise<string> {
    return (await this.call<{ 'request-id': string }>('POST', `/jobs/${id}/savepoints`, body))['request-id'];
  }

  async stopWithSavepoint(id: string, body: { targetDirectory?: string; drain?: boolean } = {}): Promise<string> {
    return (await this.call<{ 'request-id': string }>('POST', `/jobs/${id}/stop`, body))['request-id'];
  }

  /** Waits for a savepoint operation; its location, or MR_ERR_SAVEPOINT_FAILED with the cause. */
  async savepointLocation(id: string, requestId: string, timeoutMs = 120_000): Promise<string> {
    const status = await waitFor(`savepoint ${requestId} of job ${id}`, async () => {
      const s = await this.call<OperationStatus>('GET', `/jobs/${id}/savepoints/${requestId}`);
      return s.status.id === 'COMPLETED' ? s : undefined;
    }, timeoutMs);
    const operation = 'operation' in status ? status.operation : undefined;
    if (!operation?.location) throw new Error(`MR_ERR_SAVEPOINT_FAILED: ${operation?.['failure-cause']?.message ?? JSON.stringify(status)}`);
    return operation.location;
  }

  /** Polls the job until `pred` holds; REST errors (JobManager restarting) count as "not yet". */
  async waitForJob(id: string, what: string, pred: (s: RecoveryJobStatus) => boolean, timeoutMs = 120_000): Promise<RecoveryJobStatus> {
    let last: RecoveryJobStatus | undefined;
    try {
      return await waitFor(`job ${id}: ${what}`, async () => {
        const s = (last = await this.job(id));
        if (TERMINAL.has(s.state) && !pred(s)) throw new Error(`MR_ERR_JOB_ENDED: job ${id} ended ${s.state} while waiting for ${what}: ${s['failure-cause'] ?? ''}`);
        return pred(s) ? s : undefined;
      }, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}; last seen: ${last ? describeJob(last) : 'never answered'}`, { cause: error });
    }
  }

  waitForCheckpoints(id: string, what: string, pred: (c: CheckpointStats) => boolean, timeoutMs = 120_000): Promise<CheckpointStats> {
    return waitFor(`job ${id}: ${what}`, async () => {
      const c = await this.checkpoints(id);
      return pred(c) ? c : undefined;
    }, timeoutMs);
  }
}

export const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

/** One line about a job for failure messages: state, attempt, restarts, per-vertex progress, last exception. */
export function describeJob(s: RecoveryJobStatus): string {
  const vertices = s.vertices.map((v) => `${v.name} p${v.parallelism} ${v.status} in ${v.recordsIn} out ${v.recordsOut} wm ${v.inputWatermark ?? '-'}`).join('; ');
  return `${s.state} attempt ${s.attempt} restarts ${s.restarts} [${vertices}] ${s.exceptions.at(-1)?.message ?? ''}`;
}

/** True when the current attempt has all its subtasks running. */
export function isRunning(s: RecoveryJobStatus): boolean {
  return s.state === 'RUNNING' && s.runningSince !== null;
}

/**
 * Calls `probe` every `pollMs` until it returns a value. Errors count as "not yet" (the process
 * may be restarting), except those with code MR_ERR_JOB_ENDED, which end the wait at once.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, pollMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if ((error as Error).message.startsWith('MR_ERR_JOB_ENDED')) throw error;
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`MR_ERR_TIMEOUT: ${what} did not happen within ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
