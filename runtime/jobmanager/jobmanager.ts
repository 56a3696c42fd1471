// The JobManager process: REST API (fastify), TaskManager registry with heartbeat monitoring,
// one JobMaster per job (job-submission.ts), Prometheus metrics, routes (routes/). `createJobManager`
// only assembles the parts.

import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { JobLoadPolicy } from '../artifacts/job-loader.ts';
import type { DeploymentKey } from '../auth/deployment-key.ts';
import { requireKeyForHost } from '../auth/deployment-key.ts';
import { installRequestAuth } from '../auth/http-auth.ts';
import { signedFetcher } from '../auth/signed-fetch.ts';
import { installErrorHandlers } from '../errors/http-errors.ts';
import type { TaskDeploymentDescriptor } from '../taskmanager/deployment.ts';
import type { JobMaster } from './job-master.ts';
import { HEARTBEAT_CHECK_INTERVAL_MS, ResourceManager, type TaskManagerInfo } from './resource-manager.ts';
import { HaStore } from '../checkpoint/ha-store.ts';
import { registerCheckpointRoutes } from './checkpoint-routes.ts';
import { registerClusterRoutes } from './routes/cluster-routes.ts';
import type { JobManagerRouteContext } from './routes/context.ts';
import { jobOf } from './routes/context.ts';
import { registerInternalRoutes } from './routes/internal-routes.ts';
import { registerJobRoutes } from './routes/job-routes.ts';
import type { SubmitRequest } from './submit-request.ts';
import { jobSubmission, type CheckpointingOptions } from './job-submission.ts';
import { ownedTimers, systemClock } from '../time/clock.ts';

export type { SubmitRequest } from './submit-request.ts';
export type { CheckpointingOptions } from './job-submission.ts';

export interface JobManagerOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly heartbeatTimeoutMs?: number;
  /** TaskManagers kept wholly free for failovers (Flink's slotmanager.redundant-taskmanager-num); default 0 */
  readonly standbyTaskManagers?: number;
  readonly slotTimeoutMs?: number;
  readonly defaultRestartStrategy?: string;
  readonly checkpointing?: CheckpointingOptions;
  /** the Deployment key (in a cluster): every request must be signed, HA records too */
  readonly key?: DeploymentKey;
  /** the job the Deployment configures; with a key, POST /jobs is refused and only this job loads */
  readonly configuredJob?: string;
  /** the Deployment revision (pods' spec hash): HA records of another revision are not resumed */
  readonly revision?: string;
  /** listen on a non-loopback address without a key (trusted networks only) */
  readonly allowUnauthenticated?: boolean;
}

/** 64 MiB: a deployment descriptor may carry restored state inline */
const BODY_LIMIT = 64 * 1024 * 1024;
/** a TaskManager that does not accept a deployment within this time is treated as failed */
const DEPLOY_TIMEOUT_MS = 10_000;

/** A TaskManager call; a refusal carries the TaskManager's error code. */
type Call = ReturnType<typeof signedFetcher>;
async function post(call: Call, url: string, body: unknown, timeoutMs = 5000): Promise<void> {
  const res = await call(url, { body, timeoutMs });
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status} from ${url}: ${res.error ? `${res.error.code}: ${res.error.message}` : res.text.slice(0, 300)}`), { code: res.error?.code });
}

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
  requireKeyForHost(o.key, o.host, o.allowUnauthenticated === true);
  const call = signedFetcher(o.key, 'jobmanager');
  // in a cluster only the configured job loads; locally any file or pinned http(s) module
  const loadPolicy: JobLoadPolicy = o.key ? { locked: true, configuredJob: o.configuredJob } : {};
  const jobs = new Map<string, JobMaster>();
  /** refused HA records, shown in the exceptions of the job started instead */
  const haRefusals: string[] = [];
  // restarts, slot waits and checkpoint timers; the HTTP server keeps the process alive
  const clock = ownedTimers(systemClock);
  const rm = new ResourceManager(clock, o.heartbeatTimeoutMs ?? 5000, (tm) => {
    log.warn({ taskManagerId: tm.id }, 'TaskManager lost');
    for (const j of jobs.values()) j.onTaskManagerLost(tm);
  }, {
    standbyTaskManagers: o.standbyTaskManagers,
    onEventLoopBlocked: (ms) => log.warn({ blockedMs: ms }, 'JobManager event loop was blocked; TaskManager heartbeats were not counted as missed meanwhile'),
  });
  const gateway = {
    deploy: (tm: TaskManagerInfo, tdd: TaskDeploymentDescriptor) => post(call, `${tm.restUrl}/internal/deploy`, tdd, DEPLOY_TIMEOUT_MS),
    cancel: (tm: TaskManagerInfo, jobId: string, attempt: number) => post(call, `${tm.restUrl}/internal/cancel`, { jobId, attempt }),
    prepare: (tm: TaskManagerInfo, job: { jobUrl: string; params: Record<string, string>; parallelism: number }) => post(call, `${tm.restUrl}/internal/prepare`, job),
  };
  const monitor = setInterval(() => rm.checkHeartbeats(), HEARTBEAT_CHECK_INTERVAL_MS);

  const cpo = o.checkpointing;
  const ha = cpo?.deployment ? new HaStore(cpo.store, { namespace: cpo.namespace, deployment: cpo.deployment }, { key: o.key, configuredJob: o.key ? o.configuredJob : undefined, ...(o.revision ? { revision: o.revision } : {}) }) : undefined;
  const post2 = (tm: TaskManagerInfo, path: string, body: unknown) => post(call, `${tm.restUrl}${path}`, body);
  const taskManagersOf = (j: JobMaster): TaskManagerInfo[] => {
    const ids = new Set(j.graph.all().map((e) => e.taskManagerId).filter((x): x is string => x !== undefined));
    return [...ids].map((id) => rm.taskManagers.get(id)).filter((x): x is TaskManagerInfo => x !== undefined);
  };

  const { submit, resumeFromHa } = jobSubmission({
    log, jobs, rm, gateway, clock, slotTimeoutMs: o.slotTimeoutMs ?? 60_000, defaultRestartStrategy: o.defaultRestartStrategy,
    checkpointing: cpo, ha, loadPolicy, haRefusals, post: post2, taskManagersOf,
  });

  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  installErrorHandlers(app, log);
  installRequestAuth(app, { key: o.key, bodyLimit: BODY_LIMIT });
  const ctx: JobManagerRouteContext = {
    jobs, rm, log, call, env: cpo?.env, submit: (req) => submit(req),
    submissionsAllowed: !o.key,
  };
  registerJobRoutes(app, ctx);
  registerCheckpointRoutes(app, { job: (id) => jobOf(ctx, id), log, env: cpo?.env });
  registerClusterRoutes(app, ctx);
  registerInternalRoutes(app, ctx);

  const address = await app.listen({ host: o.host, port: o.port });
  const url = address.replace('0.0.0.0', '127.0.0.1');
  log.info({ url }, 'JobManager listening');
  return {
    app, url, resumeFromHa,
    async submit(req) {
      const jm = await submit(req);
      for (const message of haRefusals.splice(0)) jm.exceptions.push({ timestamp: clock.now(), message });
      return jm;
    },
    async close() {
      clearInterval(monitor);
      for (const j of jobs.values()) j.coordinator?.shutdown('the JobManager stops');
      clock.clearAll();
      await app.close();
    },
  };
}
