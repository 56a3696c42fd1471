// The TaskManager process: one worker thread per slot (so a TaskManager uses as many cores as it
// has slots), registration and heartbeats to the JobManager, a small REST API (/internal/*, for
// its JobManager only) for deployment, cancellation and checkpoints, and Prometheus metrics of
// its tasks. A slot worker that dies is replaced: its tasks are reported FAILED, every task is
// canceled and the TaskManager registers again with the new slot, so the job fails over instead
// of waiting for a slot that no longer runs anything.

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { checkJobUrl, type JobLoadPolicy } from '../artifacts/job-loader.ts';
import { requireKeyForHost, type DeploymentKey } from '../auth/deployment-key.ts';
import { installRequestAuth } from '../auth/http-auth.ts';
import { signedFetcher } from '../auth/signed-fetch.ts';
import { installErrorHandlers, parseRequest } from '../errors/http-errors.ts';
import { RuntimeError } from '../errors/runtime-error.ts';
import type { TaskMetrics } from '../metrics/task-metrics.ts';
import { registerConnectorMetrics } from '../connectors/metrics/prometheus.ts';
import { executionId, type TaskDeploymentDescriptor } from './deployment.ts';
import { cancelBody, deployBody, notifyAbortedBody, notifyCompleteBody, prepareBody, triggerBody } from './schemas.ts';
import type { FromSlot, SlotWorkerData, ToSlot } from './slot-messages.ts';
import { LocalStateCopies } from '../checkpoint/local-state-copies.ts';

/** Prometheus base units: times in seconds (the runtime keeps milliseconds). */
const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

export interface TaskManagerOptions {
  readonly jobManagerUrl: string;
  readonly slots: number;
  /** address other TaskManagers use to reach this one's slots */
  readonly dataHost: string;
  readonly restHost: string;
  readonly restPort: number;
  readonly log: Logger;
  readonly id?: string;
  /** the Deployment key (in a cluster): requests are signed and verified, data connections too */
  readonly key?: DeploymentKey;
  /** with a key: the only job module this TaskManager loads */
  readonly configuredJob?: string;
  readonly allowUnauthenticated?: boolean;
  /**
   * where local copies of checkpoint state go (local recovery, for jobs that enable it; Flink's
   * taskmanager.state.local.root-dirs); default <tmpdir>/millrace-local-state/<id>. Cleared at start and stop.
   */
  readonly localStateDir?: string;
}

interface Slot {
  readonly index: number;
  worker: Worker;
  address: string;
  /** executions deployed here and not ended, with what the JobManager needs to hear of their end */
  readonly executions: Map<string, TaskDeploymentDescriptor>;
}

export interface TaskManager {
  readonly id: string;
  readonly url: string;
  close(): Promise<void>;
}

const BODY_LIMIT = 64 * 1024 * 1024;

export async function startTaskManager(o: TaskManagerOptions): Promise<TaskManager> {
  requireKeyForHost(o.key, o.restHost, o.allowUnauthenticated === true);
  const id = o.id ?? `tm-${randomUUID().slice(0, 8)}`;
  const log = o.log.child({ taskManagerId: id });
  const metrics = new Map<string, { jobId: string; attempt: number; m: TaskMetrics }>();
  const call = signedFetcher(o.key, 'taskmanager');
  const loadPolicy: JobLoadPolicy = o.key ? { locked: true, configuredJob: o.configuredJob } : {};
  let registered = false;
  let stopped = false;
  const post = (path: string, body: unknown) => call(`${o.jobManagerUrl}${path}`, { body });
  const localCopies = new LocalStateCopies(o.localStateDir ?? join(os.tmpdir(), 'millrace-local-state', id));
  // copies left by an earlier process under this directory belong to no task of this one
  await localCopies.clear();

  function startWorker(slot: Slot): Promise<void> {
    const data: SlotWorkerData = { host: o.dataHost, keySecret: o.key?.secretForWorkers(), loadPolicy, localStateDir: localCopies.root };
    const worker = new Worker(new URL('./slot-worker.ts', import.meta.url), { workerData: data });
    slot.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: FromSlot) => {
        if (m.type === 'ready') {
          slot.address = m.address;
          ready = true;
          resolve();
        } else if (m.type === 'metrics') {
          for (const t of m.tasks) metrics.set(executionId({ jobId: m.jobId, attempt: m.attempt, vertexId: t.vertexId, subtaskIndex: t.subtaskIndex }), { jobId: m.jobId, attempt: m.attempt, m: t });
        } else if (m.type === 'checkpoint-ack') {
          void forward(`/internal/jobs/${m.ack.jobId}/checkpoints/ack`, m.ack);
        } else if (m.type === 'checkpoint-decline') {
          void forward(`/internal/jobs/${m.decline.jobId}/checkpoints/decline`, m.decline);
        } else if (m.type === 'task-state') {
          const last = metrics.get(m.executionId);
          if (m.state !== 'RUNNING') {
            metrics.delete(m.executionId);
            slot.executions.delete(m.executionId);
          }
          const { deployMs, restored, stateReads, ...report } = m;
          // how long a failover's deployment and restore took, per subtask, and where its state came from
          if (deployMs !== undefined) log.info({ jobId: m.jobId, attempt: m.attempt, vertexId: m.vertexId, subtask: m.subtaskIndex, slot: slot.index, deployMs, restored, ...(stateReads ? { stateReads } : {}) }, 'task running');
          void reportState({ ...report, metrics: m.metrics ?? last?.m });
        } else if (m.type === 'peer-refused') {
          log.warn({ slot: slot.index, peer: m.peer, code: m.code, reason: m.reason }, 'data connection refused');
        } else if (m.type === 'local-copy-failed') {
          log.warn({ slot: slot.index, reason: m.reason }, 'a local copy of checkpoint state could not be kept or deleted; restores read checkpoint storage');
        }
      });
      worker.on('error', (err) => {
        log.error({ err, slot: slot.index }, 'slot worker crashed');
        if (!ready) reject(err);
      });
      worker.on('exit', (code) => {
        if (stopped || slot.worker !== worker) return;
        if (!ready) return;
        void slotDied(slot, code);
      });
    });
  }

  /** A slot worker exited: its tasks failed; replace it and register again so the job fails over. */
  async function slotDied(slot: Slot, exitCode: number): Promise<void> {
    log.error({ slot: slot.index, exitCode, address: slot.address, tasks: slot.executions.size }, 'MR_ERR_SLOT_DEAD: a slot worker exited; its tasks failed, replacing it');
    const lost = [...slot.executions.values()];
    slot.executions.clear();
    for (const d of lost) {
      metrics.delete(executionId(d));
      void reportState({ executionId: executionId(d), jobId: d.jobId, attempt: d.attempt, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, state: 'FAILED', error: `MR_ERR_SLOT_DEAD: the slot worker at ${slot.address} on TaskManager ${id} exited with code ${exitCode}` });
    }
    slot.address = '';
    try {
      await startWorker(slot);
    } catch (err) {
      log.error({ slot: slot.index, err: (err as Error).message }, 'could not replace the slot worker');
      return;
    }
    // the JobManager forgets this TaskManager's old slots (and fails over their jobs) on re-registration
    for (const s of slots) s.worker.postMessage({ type: 'cancel', jobId: '*', attempt: Number.MAX_SAFE_INTEGER } satisfies ToSlot);
    registered = false;
    await heartbeat();
  }

  const slots: Slot[] = Array.from({ length: o.slots }, (_, index) => ({ index, worker: undefined as unknown as Worker, address: '', executions: new Map() }));
  await Promise.all(slots.map((s) => startWorker(s)));

  async function forward(path: string, body: unknown): Promise<void> {
    for (let i = 0; i < 5; i++) {
      try {
        const r = await post(path, body);
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
        const r = await post(`/internal/taskmanagers/${id}/task-state`, body);
        if (r.ok) return;
        if (r.status >= 400 && r.status < 500) {
          log.warn({ status: r.status, error: r.error }, 'the JobManager refused a task state report');
          return;
        }
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
  taskGauge('millrace_task_input_watermark_seconds', 'Input watermark (Unix time in seconds)', (m) => seconds(m.inputWatermark));
  taskGauge('millrace_task_latency_p99_seconds', 'p99 of latency markers at sinks', (m) => seconds(m.latencyP99Ms));
  registerConnectorMetrics(registry, () => [...metrics.values()].map((e) => ({ jobId: e.jobId, vertexId: e.m.vertexId, subtaskIndex: e.m.subtaskIndex, connectors: e.m.connectors ?? [] })));
  new Gauge({ name: 'millrace_taskmanager_slots', help: 'Slots (worker threads) of this TaskManager', registers: [registry], collect() { this.set(slots.length); } });

  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  installErrorHandlers(app, log);
  installRequestAuth(app, { key: o.key, bodyLimit: BODY_LIMIT });
  const toAll = (m: ToSlot) => {
    for (const s of slots) s.worker.postMessage(m);
  };
  app.post('/internal/deploy', async (req) => {
    const tdd = parseRequest(deployBody, req.body, 'body') as unknown as TaskDeploymentDescriptor;
    // refused here, before any slot sees it: another job than the configured one, data: URLs, unpinned http(s)
    checkJobUrl(tdd.jobUrl, loadPolicy);
    const address = tdd.locations[tdd.vertexId]![tdd.subtaskIndex];
    const slot = slots.find((s) => s.address === address);
    if (!slot) throw new RuntimeError('MR_ERR_UNKNOWN_SLOT', `no live slot at ${address} on TaskManager ${id}`);
    slot.executions.set(executionId(tdd), tdd);
    slot.worker.postMessage({ type: 'deploy', tdd } satisfies ToSlot);
    // names the job in this TaskManager's log (the log archive files lines under their job id)
    log.info({ jobId: tdd.jobId, attempt: tdd.attempt, vertexId: tdd.vertexId, subtask: tdd.subtaskIndex, slot: slot.index }, 'task deployed');
    return { ok: true };
  });
  app.post('/internal/prepare', async (req) => {
    const p = parseRequest(prepareBody, req.body, 'body');
    checkJobUrl(p.jobUrl, loadPolicy);
    toAll({ type: 'prepare', jobUrl: p.jobUrl, params: p.params, parallelism: p.parallelism });
    return { ok: true };
  });
  app.post('/internal/cancel', async (req) => {
    const { jobId, attempt } = parseRequest(cancelBody, req.body, 'body');
    toAll({ type: 'cancel', jobId, attempt });
    for (const [k, e] of metrics) if ((jobId === '*' || e.jobId === jobId) && e.attempt <= attempt) metrics.delete(k);
    return { ok: true };
  });
  app.post('/internal/checkpoint/trigger', async (req) => {
    toAll({ type: 'trigger-checkpoint', trigger: parseRequest(triggerBody, req.body, 'body') });
    return { ok: true };
  });
  app.post('/internal/checkpoint/complete', async (req) => {
    toAll({ type: 'checkpoint-complete', notify: parseRequest(notifyCompleteBody, req.body, 'body') });
    return { ok: true };
  });
  app.post('/internal/checkpoint/aborted', async (req) => {
    toAll({ type: 'checkpoint-aborted', notify: parseRequest(notifyAbortedBody, req.body, 'body') });
    return { ok: true };
  });
  app.get('/status', async () => ({ id, slots: slots.map((s) => s.address), cpu: process.cpuUsage(), registered }));
  app.get('/metrics', async (_req, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  const address = await app.listen({ host: o.restHost, port: o.restPort });
  // listen() reports a loopback address for 0.0.0.0; the JobManager must get one it can reach.
  const url = `http://${o.dataHost}:${new URL(address).port}`;

  async function register(): Promise<void> {
    const live = slots.filter((s) => s.address !== '');
    const r = await post('/internal/taskmanagers', {
      id, restUrl: url, slots: live.map((s) => ({ index: s.index, address: s.address })), cpuCount: os.availableParallelism(),
    });
    if (!r.ok) throw new Error(`registration rejected: HTTP ${r.status}${r.error ? ` ${r.error.code}: ${r.error.message}` : ''}`);
    registered = true;
    log.info({ jobManagerUrl: o.jobManagerUrl, slots: live.length, url }, 'registered at JobManager');
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
      const r = await post(`/internal/taskmanagers/${id}/heartbeat`, { cpu: process.cpuUsage(), jobs: [...byJob.values()] });
      if (r.error?.code === 'MR_ERR_UNKNOWN_TASKMANAGER') {
        // JobManager restarted (HA): it resumes the job from its latest checkpoint, so the tasks
        // of the old JobManager's attempts must stop before the slots are offered again
        registered = false;
        toAll({ type: 'cancel', jobId: '*', attempt: Number.MAX_SAFE_INTEGER });
        log.warn('the JobManager does not know this TaskManager (it restarted): canceled running tasks, registering again');
      } else if (!r.ok) {
        log.warn({ status: r.status, error: r.error }, 'heartbeat refused');
      }
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'heartbeat failed');
    }
  }
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
      toAll({ type: 'shutdown' });
      await Promise.all(slots.map((s) => new Promise<void>((r) => {
        const t = setTimeout(() => void s.worker.terminate().then(() => r()), 2000);
        s.worker.once('exit', () => {
          clearTimeout(t);
          r();
        });
      })));
      await app.close();
      await localCopies.clear();
    },
  };
}
