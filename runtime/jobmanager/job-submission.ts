// Starting a job on the JobManager: loading its module (by the load policy), building its graph,
// finding what it restores from (a savepoint path, the latest state of the deployment, or the HA
// checkpoint of a resumed job), wiring checkpoint coordination and HA records, and resuming the
// job an HA record names after a JobManager restart (refused records are never imported).

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { buildStreamGraph } from '../api/environment.ts';
import { loadJob, type JobLoadPolicy } from '../artifacts/job-loader.ts';
import { RuntimeError, errorCode } from '../errors/runtime-error.ts';
import { buildJobGraph } from '../graph/job-graph.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { CheckpointCoordinator, type CheckpointSettings } from '../checkpoint/checkpoint-coordinator.ts';
import { CheckpointStorageAccess } from '../checkpoint/checkpoint-storage-access.ts';
import type { HaJob, HaStore } from '../checkpoint/ha-store.ts';
import type { NotifyCheckpointAborted, NotifyCheckpointComplete, TriggerCheckpoint } from '../checkpoint/messages.ts';
import { deploymentNameFor, latestOfDeployment, snapshotAt, type FoundSnapshot } from '../checkpoint/restore-points.ts';
import { assignState, RestoreError } from '../checkpoint/state-assignment.ts';
import { JobMaster, type JobMasterDeps } from './job-master.ts';
import type { RestoreSource } from './failover/restore-choice.ts';
import { TERMINAL_STATES } from './job-state.ts';
import type { ResourceManager, TaskManagerInfo } from './resource-manager.ts';
import { defaultRestartStrategySpec, parseRestartStrategy } from './restart-strategy.ts';
import { localRecoveryOf } from '../checkpoint/local-recovery-option.ts';
import type { SubmitRequest } from './submit-request.ts';
import type { TimerClock } from '../time/clock.ts';

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

/** Internal: a job resumed from HA metadata keeps its id and continues its attempts. */
interface ResumeInfo {
  readonly jobId: string;
  readonly firstAttempt: number;
  readonly restore?: FoundSnapshot;
  /** the job's start time and restarts before the JobManager restarted (older metadata: unknown) */
  readonly startTime?: number;
  readonly restarts: number;
}

export interface JobSubmissionDeps {
  readonly log: Logger;
  readonly jobs: Map<string, JobMaster>;
  readonly rm: ResourceManager;
  readonly gateway: JobMasterDeps['gateway'];
  readonly clock: TimerClock;
  readonly slotTimeoutMs: number;
  readonly defaultRestartStrategy?: string;
  readonly checkpointing?: CheckpointingOptions;
  readonly ha?: HaStore;
  readonly loadPolicy: JobLoadPolicy;
  /** messages of refused HA records, for the exceptions of the job started instead */
  readonly haRefusals: string[];
  /** a checkpoint message to one TaskManager */
  readonly post: (tm: TaskManagerInfo, path: string, body: unknown) => Promise<void>;
  readonly taskManagersOf: (j: JobMaster) => TaskManagerInfo[];
}

export function jobSubmission(d: JobSubmissionDeps): { submit(req: SubmitRequest, resume?: ResumeInfo): Promise<JobMaster>; resumeFromHa(): Promise<JobMaster | undefined> } {
  const { log, jobs, rm, gateway, clock, ha, loadPolicy, haRefusals, taskManagersOf } = d;
  const cpo = d.checkpointing;
  const post2 = d.post;

  async function findRestore(req: SubmitRequest, deployment: string, notes: string[]): Promise<FoundSnapshot | undefined> {
    if (req.savepointPath) {
      try {
        return await snapshotAt(req.savepointPath, cpo?.env);
      } catch (err) {
        throw new RuntimeError('MR_ERR_RESTORE', `cannot restore from ${req.savepointPath}: ${(err as Error).message}`, { subject: req.savepointPath, cause: err });
      }
    }
    if (req.resumeFromLatest) {
      if (!cpo) throw new RuntimeError('MR_ERR_RESTORE', 'resumeFromLatest needs checkpoint storage (--checkpoint-storage)');
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
    if (!req || typeof req.jobUrl !== 'string') throw new RuntimeError('MR_ERR_SUBMIT', 'body.jobUrl (file path, file: URL, or http(s) URL pinned with #sha256=<hex>) is required');
    const parallelism = req.parallelism ?? 1;
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new RuntimeError('MR_ERR_SUBMIT', `body.parallelism must be an integer >= 1, got ${parallelism}`);
    let restart;
    try {
      restart = parseRestartStrategy(req.restartStrategy ?? d.defaultRestartStrategy ?? defaultRestartStrategySpec((cpo?.settings.intervalMs ?? 0) > 0));
    } catch (err) {
      throw new RuntimeError('MR_ERR_RESTART_STRATEGY', (err as Error).message);
    }
    let jobGraph;
    try {
      const job = await loadJob(req.jobUrl, loadPolicy);
      jobGraph = buildJobGraph(buildStreamGraph(job, parallelism, req.params ?? {}));
    } catch (err) {
      // refusals and load failures keep their code; a job module that builds no graph is invalid
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError('MR_ERR_JOB_INVALID', (err as Error).message, { cause: err });
    }
    const deployment = cpo?.deployment ?? deploymentNameFor(jobGraph.name);
    const notes: string[] = [];
    const found = resume ? resume.restore : await findRestore(req, deployment, notes);
    let restore: RestoreSource | undefined;
    if (found) {
      try {
        restore = { snapshot: found.snapshot, isSavepoint: found.isSavepoint, assignment: assignState(found.snapshot.metadata, jobGraph, req.allowNonRestoredState === true || (resume !== undefined && !found.isSavepoint), found.snapshot.path) };
      } catch (err) {
        if (err instanceof RestoreError) throw err;
        throw err;
      }
    }
    const id = resume?.jobId ?? randomUUID().replaceAll('-', '');
    const spec = {
      jobUrl: req.jobUrl, params: req.params ?? {}, parallelism, batchMode: req.batchMode ?? false,
      latencyTrackingIntervalMs: req.latencyTrackingIntervalMs ?? 0, localRecovery: localRecoveryOf(req.params ?? {}),
    };
    // the coordinator's callbacks reach the job master created below
    const self: { jm?: JobMaster } = {};
    let checkpointing: { coordinator: CheckpointCoordinator; storage: CheckpointStorageAccess } | undefined;
    if (cpo) {
      const storage = new CheckpointStorageAccess({ storageUri: cpo.storageUri, store: cpo.store, namespace: cpo.namespace, deployment, jobId: id, retained: cpo.retained, clock, env: cpo.env });
      const coordinator = new CheckpointCoordinator(cpo.settings, {
        jobId: id, clock, log, storage,
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
      restarts: self.jm!.restarts, startTime: self.jm!.startTime, ...(ha?.revision !== undefined ? { revision: ha.revision } : {}),
      ...(restore && (!resume || restore.isSavepoint) ? { initialRestore: { path: restore.snapshot.path, allowNonRestoredState: req.allowNonRestoredState === true } } : {}),
    });
    const jm = new JobMaster(id, spec, jobGraph, restart, {
      rm, gateway, clock, log, slotTimeoutMs: d.slotTimeoutMs, checkpointing,
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
    let rec: HaJob | undefined;
    try {
      rec = await ha.readJob();
    } catch (err) {
      if (errorCode(err) !== 'MR_ERR_HA_RECORD_REFUSED') throw err;
      // never imported: the configured job starts by its restore strategy instead, and its own
      // record replaces this one
      log.error({ code: 'MR_ERR_HA_RECORD_REFUSED', file: (err as RuntimeError).subject, err: (err as Error).message }, 'refused an HA record');
      haRefusals.push((err as Error).message);
      return undefined;
    }
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

  return { submit, resumeFromHa };
}
