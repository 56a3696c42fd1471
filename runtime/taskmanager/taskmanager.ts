// The TaskManager process: one worker thread per slot (so a TaskManager uses as many cores as it
// has slots), registration and heartbeats to the JobManager, a small REST API for deployment and
// cancellation, and Prometheus metrics of its tasks.

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskMetrics } from '../task/stream-task.ts';
import type { NotifyCheckpointAborted, NotifyCheckpointComplete, TriggerCheckpoint } from '../checkpoint/messages.ts';
import { executionId, type TaskDeploymentDescriptor } from './deployment.ts';
import type { FromSlot, ToSlot } from './slot-messages.ts';

export interface TaskManagerOptions {
  readonly jobManagerUrl: string;
  readonly slots: number;
  /** address other TaskManagers use to reach this one's slots */
  readonly dataHost: string;
  readonly restHost: string;
  readonly restPort: number;
  readonly log: Logger;
  readonly id?: string;
}

interface Slot {
  readonly index: number;
  readonly worker: Worker;
  address: string;
}

export interface TaskManager {
  readonly id: string;
  readonly url: string;
  close(): Promise<void>;
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
}

export async function startTaskManager(o: TaskManagerOptions): Promise<TaskManager> {
  const id = o.id ?? `tm-${randomUUID().slice(0, 8)}`;
  const log = o.log.child({ taskManagerId: id });
  const metrics = new Map<string, { jobId: string; attempt: number; m: TaskMetrics }>();
  let registered = false;

  const slots: Slot[] = await Promise.all(Array.from({ length: o.slots }, (_, index) => new Promise<Slot>((resolve, reject) => {
    const worker = new Worker(new URL('./slot-worker.ts', import.meta.url), { workerData: { host: o.dataHost } });
    const slot: Slot = { index, worker, address: '' };
    worker.on('message', (m: FromSlot) => {
      if (m.type === 'ready') {
        slot.address = m.address;
        resolve(slot);
      } else if (m.type === 'metrics') {
        for (const t of m.tasks) metrics.set(executionId({ jobId: m.jobId, attempt: m.attempt, vertexId: t.vertexId, subtaskIndex: t.subtaskIndex }), { jobId: m.jobId, attempt: m.attempt, m: t });
      } else if (m.type === 'checkpoint-ack') {
        void forward(`/internal/jobs/${m.ack.jobId}/checkpoints/ack`, m.ack);
      } else if (m.type === 'checkpoint-decline') {
        void forward(`/internal/jobs/${m.decline.jobId}/checkpoints/decline`, m.decline);
      } else if (m.type === 'task-state') {
        const last = metrics.get(m.executionId);
        if (m.state !== 'RUNNING') metrics.delete(m.executionId);
        void reportState({ ...m, metrics: m.metrics ?? last?.m });
      }
    });
    worker.on('error', (err) => {
      log.error({ err, slot: index }, 'slot worker crashed');
      reject(err);
    });
  })));

  async function forward(path: string, body: unknown): Promise<void> {
    for (let i = 0; i < 5; i++) {
      try {
        const r = await post(`${o.jobManagerUrl}${path}`, body);
        if (r.ok || r.status === 404) return;
      } catch {
        // JobManager briefly unreachable: retry
      }
      await new Promise((r) => setTimeout(r, 200 * (i + 1)));
    }
    log.warn({ path }, 'could not deliver a checkpoint message to the JobManager');
  }

  async function reportState(body: unknown): Promise<void> {
    for (let i = 0; i < 5; i++) {
      try {
        const r = await post(`${o.jobManagerUrl}/internal/taskmanagers/${id}/task-state`, body);
        if (r.ok) return;
      } catch {
        // JobManager briefly unreachable: retry
      }
      await new Promise((r) => setTimeout(r, 200 * (i + 1)));
    }
    log.warn('could not report a task state to the JobManager');
  }

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'millrace_taskmanager_' });
  const taskGauge = (name: string, help: string, pick: (m: TaskMetrics) => number | undefined) =>
    new Gauge({
      name, help, labelNames: ['job_id', 'vertex_id', 'subtask'], registers: [registry],
      collect() {
        this.reset();
        for (const e of metrics.values()) {
          const v = pick(e.m);
          if (v !== undefined && Number.isFinite(v)) this.set({ job_id: e.jobId, vertex_id: e.m.vertexId, subtask: String(e.m.subtaskIndex) }, v);
        }
      },
    });
  taskGauge('millrace_task_records_in', 'Records received by a subtask', (m) => m.recordsIn);
  taskGauge('millrace_task_records_out', 'Records emitted by a subtask', (m) => m.recordsOut);
  taskGauge('millrace_task_backpressure_ratio', 'Share of time the subtask waited for output credit', (m) => m.backpressureRatio);
  taskGauge('millrace_task_busy_ratio', 'Share of time the subtask processed records', (m) => m.busyRatio);
  taskGauge('millrace_task_output_backlog', 'Buffers waiting for credit', (m) => m.outputBacklog);
  taskGauge('millrace_task_input_watermark_ms', 'Input watermark (epoch ms)', (m) => m.inputWatermark);
  taskGauge('millrace_task_latency_p99_ms', 'p99 of latency markers at sinks', (m) => m.latencyP99Ms);
  new Gauge({ name: 'millrace_taskmanager_slots', help: 'Slots (worker threads) of this TaskManager', registers: [registry], collect() { this.set(slots.length); } });

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  app.post('/internal/deploy', async (req) => {
    const tdd = req.body as TaskDeploymentDescriptor;
    const address = tdd.locations[tdd.vertexId]![tdd.subtaskIndex];
    const slot = slots.find((s) => s.address === address);
    if (!slot) throw new Error(`MR_ERR_UNKNOWN_SLOT: no slot at ${address} on ${id}`);
    slot.worker.postMessage({ type: 'deploy', tdd } satisfies ToSlot);
    return { ok: true };
  });
  app.post('/internal/cancel', async (req) => {
    const { jobId, attempt } = req.body as { jobId: string; attempt: number };
    for (const s of slots) s.worker.postMessage({ type: 'cancel', jobId, attempt } satisfies ToSlot);
    for (const [k, e] of metrics) if (e.jobId === jobId && e.attempt <= attempt) metrics.delete(k);
    return { ok: true };
  });
  app.post('/internal/checkpoint/trigger', async (req) => {
    const trigger = req.body as TriggerCheckpoint;
    for (const s of slots) s.worker.postMessage({ type: 'trigger-checkpoint', trigger } satisfies ToSlot);
    return { ok: true };
  });
  app.post('/internal/checkpoint/complete', async (req) => {
    const notify = req.body as NotifyCheckpointComplete;
    for (const s of slots) s.worker.postMessage({ type: 'checkpoint-complete', notify } satisfies ToSlot);
    return { ok: true };
  });
  app.post('/internal/checkpoint/aborted', async (req) => {
    const notify = req.body as NotifyCheckpointAborted;
    for (const s of slots) s.worker.postMessage({ type: 'checkpoint-aborted', notify } satisfies ToSlot);
    return { ok: true };
  });
  app.get('/status', async () => ({ id, slots: slots.map((s) => s.address), cpu: process.cpuUsage(), registered }));
  app.get('/metrics', async (_req, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  const address = await app.listen({ host: o.restHost, port: o.restPort });
  // listen() reports a loopback address for 0.0.0.0; the JobManager must get one it can reach.
  const url = `http://${o.dataHost}:${new URL(address).port}`;

  async function register(): Promise<void> {
    const r = await post(`${o.jobManagerUrl}/internal/taskmanagers`, {
      id, restUrl: url, slots: slots.map((s) => ({ index: s.index, address: s.address })), cpuCount: os.availableParallelism(),
    });
    if (!r.ok) throw new Error(`registration rejected: HTTP ${r.status}`);
    registered = true;
    log.info({ jobManagerUrl: o.jobManagerUrl, slots: slots.length, url }, 'registered at JobManager');
  }

  async function heartbeat(): Promise<void> {
    try {
      if (!registered) {
        await register();
        return;
      }
      const byJob = new Map<string, { jobId: string; attempt: number; tasks: TaskMetrics[] }>();
      for (const e of metrics.values()) {
        const k = `${e.jobId}/${e.attempt}`;
        const g = byJob.get(k) ?? { jobId: e.jobId, attempt: e.attempt, tasks: [] };
        g.tasks.push(e.m);
        byJob.set(k, g);
      }
      const r = await post(`${o.jobManagerUrl}/internal/taskmanagers/${id}/heartbeat`, { cpu: process.cpuUsage(), jobs: [...byJob.values()] });
      if (r.status === 404) {
        // JobManager restarted (HA): it resumes the job from its latest checkpoint, so the tasks
        // of the old JobManager's attempts must stop before the slots are offered again
        registered = false;
        for (const s of slots) s.worker.postMessage({ type: 'cancel', jobId: '*', attempt: Number.MAX_SAFE_INTEGER } satisfies ToSlot);
        log.warn('the JobManager does not know this TaskManager (it restarted): cancelled running tasks, registering again');
      }
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'heartbeat failed');
    }
  }
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      await heartbeat();
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void loop();

  return {
    id, url,
    async close() {
      stopped = true;
      for (const s of slots) s.worker.postMessage({ type: 'shutdown' } satisfies ToSlot);
      await Promise.all(slots.map((s) => new Promise<void>((r) => {
        const t = setTimeout(() => void s.worker.terminate().then(() => r()), 2000);
        s.worker.once('exit', () => {
          clearTimeout(t);
          r();
        });
      })));
      await app.close();
    },
  };
}
