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
}

export const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

export class JobClient {
  readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }
  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method, headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
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
  async submit(req: { jobUrl: string; params?: Record<string, string>; parallelism?: number; restartStrategy?: string; batchMode?: boolean; latencyTrackingIntervalMs?: number }): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/jobs', req)).id;
  }
  job(id: string): Promise<JobStatus> {
    return this.call('GET', `/jobs/${id}`);
  }
  async cancel(id: string): Promise<void> {
    await this.call('POST', `/jobs/${id}/cancel`);
  }
  overview(): Promise<{ taskmanagers: number; 'slots-total': number; 'slots-available': number }> {
    return this.call('GET', '/overview');
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
