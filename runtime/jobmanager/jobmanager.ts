// The JobManager process: REST API (fastify), TaskManager registry with heartbeat monitoring,
// one JobMaster per job, Prometheus metrics. `createJobManager` only assembles the parts.

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildStreamGraph } from '../api/environment.ts';
import { loadJob } from '../api/job-loader.ts';
import { buildJobGraph } from '../graph/job-graph.ts';
import type { TaskDeploymentDescriptor } from '../taskmanager/deployment.ts';
import type { TaskMetrics } from '../task/stream-task.ts';
import { JobMaster, TERMINAL_STATES, type TaskStateReport } from './job-master.ts';
import { jobManagerMetrics } from './metrics.ts';
import { ResourceManager, type TaskManagerInfo } from './resource-manager.ts';
import { defaultRestartStrategySpec, parseRestartStrategy } from './restart-strategy.ts';
import { mergedP99 } from '../task/latency-histogram.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { CheckpointCoordinator, type CheckpointSettings } from '../checkpoint/checkpoint-coordinator.ts';
import { CheckpointStorageAccess } from '../checkpoint/checkpoint-storage-access.ts';
import { HaStore, type HaJob } from '../checkpoint/ha-store.ts';
import type { NotifyCheckpointAborted, NotifyCheckpointComplete, TriggerCheckpoint } from '../checkpoint/messages.ts';
import { deploymentNameFor, latestOfDeployment, snapshotAt, type FoundSnapshot } from '../checkpoint/restore-points.ts';
import { assignState, RestoreError } from '../checkpoint/state-assignment.ts';
import { registerCheckpointRoutes } from './checkpoint-routes.ts';
import type { RestoreSource } from './job-master.ts';

export interface JobManagerOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly heartbeatTimeoutMs?: number;
  readonly slotTimeoutMs?: number;
  readonly defaultRestartStrategy?: string;
  readonly checkpointing?: CheckpointingOptions;
}

/** Checkpoint storage and policy of this JobManager (always set by the CLI; tests may omit it). */
export interface CheckpointingOptions {
  readonly storageUri: string;
  readonly store: ObjectStore;
  readonly namespace: string;
  /** fixed deployment name (HA on); else each job uses its own name */
  readonly deployment?: string;
  readonly settings: CheckpointSettings;
  readonly retained: number;
  readonly env?: Record<string, string | undefined>;
}

export interface SubmitRequest {
  readonly jobUrl: string;
  readonly params?: Record<string, string>;
  readonly parallelism?: number;
  readonly restartStrategy?: string;
  readonly batchMode?: boolean;
  readonly latencyTrackingIntervalMs?: number;
  /** start from this savepoint or retained checkpoint (any location: relocated ones too) */
  readonly savepointPath?: string;
  /** drop state of operator uids the job no longer has instead of refusing the submission */
  readonly allowNonRestoredState?: boolean;
  /** start from the latest completed checkpoint, else the latest savepoint, of this deployment */
  readonly resumeFromLatest?: boolean;
}

/** Internal: a job resumed from HA metadata keeps its id and continues its attempts. */
interface ResumeInfo {
  readonly jobId: string;
  readonly firstAttempt: number;
  readonly restore?: FoundSnapshot;
  /** the job's start time and restarts before the JobManager restarted (older metadata: unknown) */
  readonly startTime?: number;
  readonly restarts: number;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function post(url: string, body: unknown, timeoutMs = 5000): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${(await res.text()).slice(0, 300)}`);
}

const wm = (w: number | null) => w;

export interface JobManager {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
  submit(req: SubmitRequest): Promise<JobMaster>;
  /** HA: resumes the job recorded for this namespace/deployment unless it ended; undefined if none */
  resumeFromHa(): Promise<JobMaster | undefined>;
}

export async function createJobManager(o: JobManagerOptions): Promise<JobManager> {
  const log = o.log;
  const jobs = new Map<string, JobMaster>();
  const clock = { now: () => Date.now() };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const schedule = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const rm = new ResourceManager(clock, o.heartbeatTimeoutMs ?? 5000, (tm) => {
    log.warn({ taskManagerId: tm.id }, 'TaskManager lost');
    for (const j of jobs.values()) j.onTaskManagerLost(tm);
  });
  const gateway = {
    deploy: (tm: TaskManagerInfo, tdd: TaskDeploymentDescriptor) => post(`${tm.restUrl}/internal/deploy`, tdd),
    cancel: (tm: TaskManagerInfo, jobId: string, attempt: number) => post(`${tm.restUrl}/internal/cancel`, { jobId, attempt }),
  };
  const monitor = setInterval(() => rm.checkHeartbeats(), 500);

  const cpo = o.checkpointing;
  const ha = cpo?.deployment ? new HaStore(cpo.store, { namespace: cpo.namespace, deployment: cpo.deployment }) : undefined;
  const post2 = (tm: TaskManagerInfo, path: string, body: unknown) => post(`${tm.restUrl}${path}`, body);
  const taskManagersOf = (j: JobMaster): TaskManagerInfo[] => {
    const ids = new Set(j.graph.all().map((e) => e.taskManagerId).filter((x): x is string => x !== undefined));
    return [...ids].map((id) => rm.taskManagers.get(id)).filter((x): x is TaskManagerInfo => x !== undefined);
  };

  async function findRestore(req: SubmitRequest, deployment: string, notes: string[]): Promise<FoundSnapshot | undefined> {
    if (req.savepointPath) {
      try {
        return await snapshotAt(req.savepointPath, cpo?.env);
      } catch (err) {
        throw new ApiError(400, (err as { code?: string }).code ?? 'MR_ERR_RESTORE', `cannot restore from ${req.savepointPath}: ${(err as Error).message}`);
      }
    }
    if (req.resumeFromLatest) {
      if (!cpo) throw new ApiError(400, 'MR_ERR_RESTORE', 'resumeFromLatest needs checkpoint storage (--checkpoint-storage)');
      const { found, skipped } = await latestOfDeployment(cpo.store, cpo.storageUri, { namespace: cpo.namespace, deployment });
      for (const s of skipped) {
        const message = `MR_ERR_RESTORE_UNUSABLE: ${s.path} is skipped: ${s.error.message}; falling back to the previous checkpoint`;
        log.error({ deployment, path: s.path }, message);
        notes.push(message);
      }
      return found;
    }
    return undefined;
  }

  async function submit(req: SubmitRequest, resume?: ResumeInfo): Promise<JobMaster> {
    if (!req || typeof req.jobUrl !== 'string') throw new ApiError(400, 'MR_ERR_SUBMIT', 'body.jobUrl (file path, file: or http(s): URL of the job module) is required');
    const parallelism = req.parallelism ?? 1;
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new ApiError(400, 'MR_ERR_SUBMIT', `body.parallelism must be an integer >= 1, got ${parallelism}`);
    let restart;
    try {
      restart = parseRestartStrategy(req.restartStrategy ?? o.defaultRestartStrategy ?? defaultRestartStrategySpec((cpo?.settings.intervalMs ?? 0) > 0));
    } catch (err) {
      throw new ApiError(400, 'MR_ERR_RESTART_STRATEGY', (err as Error).message);
    }
    let jobGraph;
    try {
      const job = await loadJob(req.jobUrl);
      jobGraph = buildJobGraph(buildStreamGraph(job, parallelism, req.params ?? {}));
    } catch (err) {
      throw new ApiError(400, 'MR_ERR_JOB_INVALID', (err as Error).message);
    }
    const deployment = cpo?.deployment ?? deploymentNameFor(jobGraph.name);
    const notes: string[] = [];
    const found = resume ? resume.restore : await findRestore(req, deployment, notes);
    let restore: RestoreSource | undefined;
    if (found) {
      try {
        restore = { snapshot: found.snapshot, isSavepoint: found.isSavepoint, assignment: assignState(found.snapshot.metadata, jobGraph, req.allowNonRestoredState === true || (resume !== undefined && !found.isSavepoint), found.snapshot.path) };
      } catch (err) {
        if (err instanceof RestoreError) throw new ApiError(400, err.code, err.message);
        throw err;
      }
    }
    const id = resume?.jobId ?? randomUUID().replaceAll('-', '');
    const spec = {
      jobUrl: req.jobUrl, params: req.params ?? {}, parallelism, batchMode: req.batchMode ?? false,
      latencyTrackingIntervalMs: req.latencyTrackingIntervalMs ?? 0,
    };
    // the coordinator's callbacks reach the job master created below
    const self: { jm?: JobMaster } = {};
    let checkpointing: { coordinator: CheckpointCoordinator; storage: CheckpointStorageAccess } | undefined;
    if (cpo) {
      const storage = new CheckpointStorageAccess({ storageUri: cpo.storageUri, store: cpo.store, namespace: cpo.namespace, deployment, jobId: id, retained: cpo.retained, clock, env: cpo.env });
      const coordinator = new CheckpointCoordinator(cpo.settings, {
        jobId: id, clock, log, storage,
        timers: { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
        sendTrigger: async (t: TriggerCheckpoint) => {
          await Promise.all(taskManagersOf(self.jm!).map((tm) => post2(tm, '/internal/checkpoint/trigger', t)));
        },
        sendComplete: (n: NotifyCheckpointComplete) => {
          for (const tm of taskManagersOf(self.jm!)) post2(tm, '/internal/checkpoint/complete', n).catch((err: Error) => log.warn({ jobId: id, taskManagerId: tm.id, err: err.message }, 'could not notify checkpoint completion'));
        },
        sendAborted: (n: NotifyCheckpointAborted) => {
          for (const tm of taskManagersOf(self.jm!)) post2(tm, '/internal/checkpoint/aborted', n).catch((err: Error) => log.warn({ jobId: id, taskManagerId: tm.id, err: err.message }, 'could not notify an aborted checkpoint'));
        },
        failJob: (cause) => self.jm!.failFromCheckpointing(cause),
        onCompleted: (c) => {
          ha?.writeLatestCheckpoint({ jobId: id, checkpointId: c.checkpointId, path: c.path, completedAt: clock.now() }).catch((err: Error) => log.warn({ err: err.message }, 'could not write the HA checkpoint pointer'));
        },
      });
      if (resume) coordinator.continueAfter(await storage.highestCheckpointId());
      checkpointing = { coordinator, storage };
    }
    const haRecord = (attempt: number, state: string): HaJob => ({
      formatVersion: 1, jobId: id, name: jobGraph.name, jobUrl: spec.jobUrl, params: spec.params, parallelism, restartStrategy: req.restartStrategy,
      batchMode: spec.batchMode, latencyTrackingIntervalMs: spec.latencyTrackingIntervalMs, attempt, state, updatedAt: clock.now(),
      restarts: self.jm!.restarts, startTime: self.jm!.startTime,
      ...(restore && (!resume || restore.isSavepoint) ? { initialRestore: { path: restore.snapshot.path, allowNonRestoredState: req.allowNonRestoredState === true } } : {}),
    });
    const jm = new JobMaster(id, spec, jobGraph, restart, {
      rm, gateway, clock, schedule, log, slotTimeoutMs: o.slotTimeoutMs ?? 60_000, checkpointing,
      onAttempt: (attempt) => {
        ha?.writeJob(haRecord(attempt, 'RUNNING')).catch((err: Error) => log.warn({ err: err.message }, 'could not write HA job metadata'));
      },
      onTerminal: (state) => {
        ha?.writeJob(haRecord(self.jm!.graph.attempt, state)).catch((err: Error) => log.warn({ err: err.message }, 'could not write HA job metadata'));
      },
    });
    self.jm = jm;
    for (const message of notes) jm.exceptions.push({ timestamp: clock.now(), message });
    jm.setInitialRestore(restore, resume?.firstAttempt ?? 0);
    if (resume) {
      jm.continueHistory({ startTime: resume.startTime ?? clock.now(), restarts: resume.restarts });
      // why the restart count went up: the job lost its JobManager, not a task
      jm.exceptions.push({ timestamp: clock.now(), message: `the JobManager restarted; job resumed from HA metadata as attempt ${resume.firstAttempt} from ${restore ? restore.snapshot.path : 'the beginning (no completed checkpoint)'}` });
    }
    jobs.set(id, jm);
    log.info({ jobId: id, name: jm.name, parallelism, restart: restart.description, restoreFrom: restore?.snapshot.path, deployment }, resume ? 'job resumed from HA metadata' : 'job submitted');
    jm.start();
    return jm;
  }

  async function resumeFromHa(): Promise<JobMaster | undefined> {
    if (!ha || !cpo) return undefined;
    const rec = await ha.readJob();
    if (!rec) return undefined;
    if (TERMINAL_STATES.has(rec.state as never)) {
      log.info({ jobId: rec.jobId, state: rec.state, ha: ha.location }, 'HA metadata names a job that already ended; not resuming it');
      return undefined;
    }
    const storage = new CheckpointStorageAccess({ storageUri: cpo.storageUri, store: cpo.store, namespace: cpo.namespace, deployment: cpo.deployment!, jobId: rec.jobId, retained: cpo.retained, clock, env: cpo.env });
    const { checkpoint, skipped } = await storage.latestCompleted(new Set());
    for (const s of skipped) log.error({ jobId: rec.jobId, checkpointId: s.checkpointId, err: s.error.message }, 'checkpoint unusable; falling back to the previous one');
    let restore: FoundSnapshot | undefined = checkpoint ? { snapshot: checkpoint, isSavepoint: false, jobId: rec.jobId } : undefined;
    if (!restore && rec.initialRestore) restore = await snapshotAt(rec.initialRestore.path, cpo.env);
    log.info({ jobId: rec.jobId, attempt: rec.attempt + 1, restarts: rec.restarts + 1, checkpoint: restore?.snapshot.path ?? null }, 'resuming job from HA metadata');
    return submit({
      jobUrl: rec.jobUrl, params: rec.params, parallelism: rec.parallelism, restartStrategy: rec.restartStrategy, batchMode: rec.batchMode,
      latencyTrackingIntervalMs: rec.latencyTrackingIntervalMs, allowNonRestoredState: rec.initialRestore?.allowNonRestoredState,
    }, { jobId: rec.jobId, firstAttempt: rec.attempt + 1, restore, startTime: rec.startTime, restarts: rec.restarts });
  }

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err instanceof ApiError ? err.status : err.statusCode ?? 500;
    void reply.status(status).send({ error: { code: err instanceof ApiError ? err.code : err.code ?? 'MR_ERR_INTERNAL', message: err.message } });
  });
  const job = (id: string): JobMaster => {
    const j = jobs.get(id);
    if (!j) throw new ApiError(404, 'MR_ERR_JOB_NOT_FOUND', `no job with id ${id}; list jobs with GET /jobs`);
    return j;
  };
  const count = (s: string) => [...jobs.values()].filter((j) => j.state === s).length;

  app.get('/overview', async () => ({
    taskmanagers: rm.taskManagers.size,
    'slots-total': rm.allSlots().length,
    'slots-available': rm.freeSlots().length,
    'jobs-running': [...jobs.values()].filter((j) => !TERMINAL_STATES.has(j.state)).length,
    'jobs-finished': count('FINISHED'),
    'jobs-cancelled': count('CANCELED'),
    'jobs-failed': count('FAILED'),
  }));
  app.get('/jobs', async () => ({ jobs: [...jobs.values()].map((j) => ({ id: j.id, status: j.state, name: j.name })) }));
  app.post('/jobs', async (req, reply) => {
    const j = await submit(req.body as SubmitRequest);
    const r = j.restoredFrom;
    return reply.status(202).send({ jobid: j.id, id: j.id, restoredFrom: r ? { path: r.snapshot.path, checkpointId: r.snapshot.checkpointId, isSavepoint: r.isSavepoint } : null });
  });
  app.get('/jobs/:id', async (req) => {
    const j = job((req.params as { id: string }).id);
    const now = Date.now();
    return {
      jid: j.id, id: j.id, name: j.name, state: j.state, attempt: j.graph.attempt, restarts: j.restarts,
      'start-time': j.startTime, 'end-time': j.endTime || -1, duration: (j.endTime || now) - j.startTime,
      // from the moment all subtasks of the current attempt ran (processing, without deployment)
      runningSince: j.runningSince || null, processingDurationMs: j.runningSince ? (j.endTime || now) - j.runningSince : null,
      parallelism: j.spec.parallelism, maxParallelism: j.graph.jobGraph.maxParallelism, bounded: j.graph.jobGraph.bounded,
      vertices: j.graph.jobGraph.vertices.map((v) => {
        const s = j.graph.summarize(v);
        return { ...s, isSource: v.isSource, inputWatermark: wm(s.inputWatermark), watermarkLagMs: s.inputWatermark === null ? null : now - s.inputWatermark };
      }),
      latencyP99Ms: mergedP99(j.graph.all().map((e) => e.metrics?.latencyHistogram)) ?? null,
      exceptions: j.exceptions,
      'failure-cause': j.failureCause ?? null,
      lastCheckpoint: j.coordinator?.latest ? { id: j.coordinator.latest.checkpointId, path: j.coordinator.latest.path, completedAt: j.coordinator.latestCompletedAt } : null,
    };
  });
  const cancel = async (req: { params: unknown }, reply: { status(n: number): { send(b: unknown): unknown } }) => {
    const j = job((req.params as { id: string }).id);
    j.cancel();
    return reply.status(202).send({ id: j.id, state: j.state });
  };
  app.post('/jobs/:id/cancel', cancel);
  app.patch('/jobs/:id', cancel);
  registerCheckpointRoutes(app, { job, log, env: cpo?.env });
  app.post('/internal/jobs/:id/checkpoints/ack', async (req) => {
    jobs.get((req.params as { id: string }).id)?.coordinator?.acknowledge(req.body as never);
    return { ok: true };
  });
  app.post('/internal/jobs/:id/checkpoints/decline', async (req) => {
    jobs.get((req.params as { id: string }).id)?.coordinator?.decline(req.body as never);
    return { ok: true };
  });
  app.get('/taskmanagers', async () => ({
    taskmanagers: [...rm.taskManagers.values()].map((tm) => ({
      id: tm.id, restUrl: tm.restUrl, slotsNumber: tm.slots.length, freeSlots: tm.slots.filter((s) => !s.allocatedTo).length,
      timeSinceLastHeartbeat: Date.now() - tm.lastHeartbeat, cpuCount: tm.cpuCount,
    })),
  }));
  const registry = jobManagerMetrics(rm, () => jobs.values());
  app.get('/metrics', async (_req, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  /** CPU time of the JobManager and (asked now) of every TaskManager process, for benchmarks. */
  app.get('/cluster/cpu', async () => {
    const own = process.cpuUsage();
    const tms = await Promise.all([...rm.taskManagers.values()].map(async (tm) => {
      try {
        const r = await fetch(`${tm.restUrl}/status`, { signal: AbortSignal.timeout(2000) });
        const s = (await r.json()) as { cpu: { user: number; system: number } };
        return { id: tm.id, userMs: s.cpu.user / 1000, systemMs: s.cpu.system / 1000 };
      } catch {
        return { id: tm.id, userMs: tm.cpu.user / 1000, systemMs: tm.cpu.system / 1000 };
      }
    }));
    return { jobmanager: { userMs: own.user / 1000, systemMs: own.system / 1000 }, taskmanagers: tms, cores: os.availableParallelism() };
  });

  // --- TaskManager protocol ---
  app.post('/internal/taskmanagers', async (req) => {
    const b = req.body as { id: string; restUrl: string; slots: Array<{ index: number; address: string }>; cpuCount: number };
    rm.register(b.id, b.restUrl, b.slots, b.cpuCount);
    log.info({ taskManagerId: b.id, slots: b.slots.length, restUrl: b.restUrl }, 'TaskManager registered');
    return { heartbeatIntervalMs: 1000 };
  });
  app.post('/internal/taskmanagers/:id/heartbeat', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const b = req.body as { cpu: { user: number; system: number }; jobs: Array<{ jobId: string; attempt: number; tasks: TaskMetrics[] }> };
    if (!rm.heartbeat(id, b.cpu)) return reply.status(404).send({ error: { code: 'MR_ERR_UNKNOWN_TASKMANAGER', message: `TaskManager ${id} is not registered; register again` } });
    for (const m of b.jobs) jobs.get(m.jobId)?.onMetrics(m.attempt, m.tasks);
    return { ok: true };
  });
  app.post('/internal/taskmanagers/:id/task-state', async (req) => {
    const b = req.body as TaskStateReport & { jobId: string };
    jobs.get(b.jobId)?.onTaskState(b);
    return { ok: true };
  });

  const address = await app.listen({ host: o.host, port: o.port });
  const url = address.replace('0.0.0.0', '127.0.0.1');
  log.info({ url }, 'JobManager listening');
  return {
    app, url, submit: (req) => submit(req), resumeFromHa,
    async close() {
      clearInterval(monitor);
      for (const j of jobs.values()) j.coordinator?.shutdown('the JobManager stops');
      for (const t of timers) clearTimeout(t);
      await app.close();
    },
  };
}
