// One job's lifecycle on the JobManager: schedule all subtasks into slots (all or nothing),
// track task states, fail over on task failure or TaskManager loss by the restart strategy,
// finish when every subtask finished, cancel on request. Global failover: every restart
// redeploys all tasks as a new attempt, restored from the latest completed checkpoint (else the
// snapshot the job was started from). Checkpoints themselves are the CheckpointCoordinator's;
// the job master tells it when an attempt runs and when it stops.
// The decisions are pure parts in failover/ (which tasks a failure restarts, whether and when to
// restart, what to restore from) and attempt-deployment.ts; this class carries them out
// (cancel, release, deploy, timers) as Flink's scheduler does.

import type { Logger } from 'pino';
import { ExecutionGraph, type TaskState } from '../graph/execution-graph.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { TaskDeploymentDescriptor } from '../taskmanager/deployment.ts';
import type { TaskMetrics } from '../metrics/task-metrics.ts';
import type { ResourceManager, SlotInfo, TaskManagerInfo } from './resource-manager.ts';
import type { RestartStrategy } from './restart-strategy.ts';
import { placeLikeBefore } from './slot-selection.ts';
import type { CheckpointCoordinator, SavepointRequest } from '../checkpoint/checkpoint-coordinator.ts';
import type { CheckpointStorageAccess, CompletedSnapshot } from '../checkpoint/checkpoint-storage-access.ts';
import { taskKey } from '../checkpoint/messages.ts';
import type { TimerClock } from '../time/clock.ts';
import { attemptDeployments } from './attempt-deployment.ts';
import { closedUpstream, lostPeer } from './failover/failure-causes.ts';
import { FailureHandler } from './failover/failure-handler.ts';
import { onDeployFailure, onTaskFailure, type FailoverAction } from './failover/failover-strategy.ts';
import { RestoreChoice, type RestoreSource } from './failover/restore-choice.ts';
import { TERMINAL_STATES, type JobState } from './job-state.ts';
import type { JobSpec } from './job-spec.ts';

export interface TaskManagerGateway {
  deploy(tm: TaskManagerInfo, tdd: TaskDeploymentDescriptor): Promise<void>;
  /** warm-up of a TaskManager the attempt does not use (a standby): import the job module, build the graph */
  prepare?(tm: TaskManagerInfo, job: { jobUrl: string; params: Record<string, string>; parallelism: number }): Promise<void>;
  cancel(tm: TaskManagerInfo, jobId: string, attempt: number): Promise<void>;
}

export interface JobCheckpointing {
  readonly coordinator: CheckpointCoordinator;
  readonly storage: CheckpointStorageAccess;
}

export interface JobMasterDeps {
  readonly rm: ResourceManager;
  readonly gateway: TaskManagerGateway;
  readonly clock: TimerClock;
  readonly log: Logger;
  /** how long to wait for enough free slots before failing the attempt */
  readonly slotTimeoutMs: number;
  readonly checkpointing?: JobCheckpointing;
  /** an attempt is deployed / the job reached a terminal state (HA metadata) */
  readonly onAttempt?: (attempt: number) => void;
  readonly onTerminal?: (state: JobState) => void;
}

export interface TaskStateReport {
  readonly attempt: number;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly state: TaskState;
  readonly error?: string;
  readonly metrics?: TaskMetrics;
  /** FINISHED tasks: the newest checkpoint they snapshotted (its acknowledgement may still come) */
  readonly lastCheckpointId?: number;
}

export class JobMaster {
  readonly id: string;
  readonly spec: JobSpec;
  readonly graph: ExecutionGraph;
  state: JobState = 'CREATED';
  readonly submittedAt: number;
  startTime = 0;
  endTime = 0;
  restarts = 0;
  /** when every subtask of the current attempt was running (sources start emitting): 0 = not yet */
  runningSince = 0;
  failureCause: string | undefined;
  readonly exceptions: Array<{ timestamp: number; message: string }> = [];
  private readonly deps: JobMasterDeps;
  /** what the current attempt restores from; the initial one is the snapshot the job started from */
  private readonly restoreChoice = new RestoreChoice();
  private readonly failures: FailureHandler;
  private slots: SlotInfo[] = [];
  private waitingSince = 0;
  /** stop/cancel-with-savepoint in progress: the state the job ends in */
  private finalState: JobState = 'CANCELED';

  constructor(id: string, spec: JobSpec, jobGraph: JobGraph, restart: RestartStrategy, deps: JobMasterDeps) {
    this.id = id;
    this.spec = spec;
    this.graph = new ExecutionGraph(jobGraph);
    this.failures = new FailureHandler(restart, this.restoreChoice);
    this.deps = deps;
    this.submittedAt = deps.clock.now();
  }

  get name(): string {
    return this.graph.jobGraph.name;
  }

  /** The snapshot the first attempt restores from (a savepoint, or a checkpoint when resuming). */
  setInitialRestore(source: RestoreSource | undefined, firstAttempt = 0): void {
    this.restoreChoice.setInitial(source);
    if (firstAttempt > 0) this.graph.reset(firstAttempt);
    if (source) this.deps.checkpointing?.coordinator.continueAfter(source.snapshot.checkpointId);
  }

  /**
   * A job resumed after a JobManager restart (HA) keeps the start time and the restart count of
   * the job as it ran before; the resume itself is one more restart (a new attempt from a checkpoint).
   */
  continueHistory(history: { startTime: number; restarts: number }): void {
    this.startTime = history.startTime;
    this.restarts = history.restarts + 1;
  }

  /** what the current (or next) attempt restores from */
  get restoredFrom(): RestoreSource | undefined {
    return this.restoreChoice.restoreFrom;
  }

  /** More consecutive checkpoint failures than tolerated: a failure like any other (restart strategy). */
  failFromCheckpointing(cause: string): void {
    this.failover(cause);
  }

  get coordinator(): CheckpointCoordinator | undefined {
    return this.deps.checkpointing?.coordinator;
  }

  start(): void {
    const now = this.deps.clock.now();
    if (!this.startTime) this.startTime = now; // a resumed job keeps its own (continueHistory)
    this.waitingSince = now;
    this.tryDeploy();
  }

  private transition(s: JobState): void {
    if (this.state === s) return;
    this.deps.log.info({ jobId: this.id, from: this.state, to: s, attempt: this.graph.attempt }, 'job state');
    this.state = s;
    if (TERMINAL_STATES.has(s)) {
      this.endTime = this.deps.clock.now();
      this.coordinator?.shutdown(`the job is ${s}`);
      this.deps.onTerminal?.(s);
    }
  }

  /** Deploys the current attempt once enough slots are free; retries until the slot timeout. */
  private tryDeploy(): void {
    if (TERMINAL_STATES.has(this.state) || this.state === 'CANCELLING') return;
    const needed = this.graph.slotsNeeded();
    const allocated = this.deps.rm.allocate(this.id, needed);
    // subtasks back where the previous attempt ran them, where the local copies of their state are
    const slots = allocated && placeLikeBefore(allocated, this.slots.map((s) => s.taskManagerId));
    if (!slots) {
      if (this.deps.clock.now() - this.waitingSince > this.deps.slotTimeoutMs) {
        this.fail(`MR_ERR_NOT_ENOUGH_SLOTS: job needs ${needed} slots but only ${this.deps.rm.freeSlots().length} are free after ${this.deps.slotTimeoutMs} ms; start more TaskManagers or lower the parallelism`);
        return;
      }
      this.deps.clock.setTimeout(() => this.tryDeploy(), 250);
      return;
    }
    this.slots = slots;
    // the standby's slots import the job ahead, so the failover's deployment there starts warm
    for (const tm of this.deps.rm.taskManagers.values()) {
      if (!slots.some((s) => s.taskManagerId === tm.id)) this.deps.gateway.prepare?.(tm, { jobUrl: this.spec.jobUrl, params: this.spec.params, parallelism: this.spec.parallelism }).catch(() => undefined);
    }
    this.deps.log.info({ jobId: this.id, attempt: this.graph.attempt, taskManagers: [...new Set(slots.map((x) => x.taskManagerId))], standbyLeft: this.deps.rm.standbyTaskManagers() }, 'slots allocated');
    this.deployAttempt();
  }

  private deployAttempt(): void {
    const attempt = this.graph.attempt;
    const startTime = this.deps.clock.now();
    const restore = this.restoreChoice.restoreFrom;
    const deployments = attemptDeployments({ jobId: this.id, attempt, spec: this.spec, jobGraph: this.graph.jobGraph, slots: this.slots, restore, startTime });
    this.transition('RUNNING');
    if (restore) {
      this.coordinator?.stats.restoredFrom({ id: restore.snapshot.checkpointId, external_path: restore.snapshot.path, is_savepoint: restore.isSavepoint, restore_timestamp: startTime });
      this.deps.log.info({ jobId: this.id, attempt, checkpointId: restore.snapshot.checkpointId, path: restore.snapshot.path }, 'restoring from snapshot');
    }
    this.deps.onAttempt?.(attempt);
    for (const d of deployments) {
      const tm = this.deps.rm.taskManagers.get(d.slot.taskManagerId);
      const ev = this.graph.get(d.vertexId, d.subtaskIndex)!;
      ev.taskManagerId = d.slot.taskManagerId;
      ev.slotAddress = d.slot.address;
      ev.state = 'DEPLOYING';
      if (!tm) {
        this.failover(`MR_ERR_TASKMANAGER_LOST: TaskManager ${d.slot.taskManagerId} disappeared during deployment`);
        return;
      }
      this.deps.gateway.deploy(tm, d.tdd).catch((err: Error) => {
        const action = onDeployFailure(err, { task: d.task, taskManagerId: tm.id, attempt }, this.graph.attempt);
        if (action) this.act(attempt, action);
      });
    }
  }

  /** Carries out what the failover strategy decided for a failure of `attempt`. */
  private act(attempt: number, action: FailoverAction): void {
    if (action.kind === 'redeploy-without') this.redeployWithout(attempt, action.taskManagerId, action.cause);
    else this.failover(action.cause);
  }

  onTaskState(r: TaskStateReport): void {
    if (r.attempt !== this.graph.attempt || TERMINAL_STATES.has(this.state)) return;
    const ev = this.graph.get(r.vertexId, r.subtaskIndex);
    if (!ev) return;
    if (r.metrics) ev.metrics = r.metrics;
    if (r.state === 'FAILED') {
      // A lost data connection: the peer is probably dead but still registered (until its
      // heartbeat times out). The restart avoids it if anything else fits (a standby TaskManager)
      // instead of deploying there and being refused first. Also when the failover already began.
      const peer = lostPeer(r.error ?? '');
      const owner = peer === undefined ? undefined : this.deps.rm.ownerOf(peer);
      if (owner) this.deps.rm.suspect(owner.id);
      // an input whose upstream connection closed: the TaskManager of that upstream subtask
      const upstream = closedUpstream(r.error ?? '');
      const edge = upstream && this.graph.jobGraph.vertices.flatMap((v) => v.inputs).find((e) => e.id === upstream.edgeId);
      const upstreamTm = edge ? this.graph.get(edge.source, upstream!.subtaskIndex)?.taskManagerId : undefined;
      if (upstreamTm !== undefined && this.deps.rm.taskManagers.has(upstreamTm)) this.deps.rm.suspect(upstreamTm);
    }
    if (this.state === 'RESTARTING') return;
    ev.state = r.state;
    if (r.state === 'RUNNING' && this.runningSince === 0 && this.graph.all().every((e) => e.state === 'RUNNING' || e.state === 'FINISHED')) {
      this.runningSince = this.deps.clock.now();
      // checkpoints start once every task runs (or already finished: those take no part)
      if (this.state === 'RUNNING') {
        this.coordinator?.attemptRunning(this.graph.attempt, this.graph.all().filter((e) => e.state === 'RUNNING').map((e) => taskKey(e.vertexId, e.subtaskIndex)));
      }
    }
    if (r.state === 'FINISHED') this.coordinator?.taskFinished(r.attempt, taskKey(r.vertexId, r.subtaskIndex), r.lastCheckpointId ?? 0);
    if (r.state === 'FAILED') {
      // A peer's data port refusing connections is a TaskManager already lost: the failover that
      // led to this attempt counted it (a killed TaskManager's slots stay registered until its
      // heartbeat times out), so deploy again without it rather than count it twice.
      this.act(r.attempt, onTaskFailure(r.error, this.slots));
    } else if ((r.state === 'CANCELED' || r.state === 'FINISHED') && this.state === 'CANCELLING') {
      if (this.graph.all().every((e) => e.state === 'CANCELED' || e.state === 'FINISHED' || e.state === 'FAILED')) this.finishCancel();
    } else if (r.state === 'FINISHED' && this.graph.allFinished()) {
      this.deps.rm.release(this.id);
      this.transition('FINISHED');
    }
  }

  onMetrics(attempt: number, metrics: TaskMetrics[]): void {
    if (attempt !== this.graph.attempt) return;
    for (const m of metrics) {
      const ev = this.graph.get(m.vertexId, m.subtaskIndex);
      if (ev) ev.metrics = m;
    }
  }

  onTaskManagerLost(tm: TaskManagerInfo): void {
    if (TERMINAL_STATES.has(this.state)) return;
    const hosted = this.graph.all().some((e) => e.taskManagerId === tm.id && e.state !== 'FINISHED');
    if (this.state === 'CANCELLING') {
      for (const e of this.graph.all()) if (e.taskManagerId === tm.id && e.state !== 'FINISHED') e.state = 'CANCELED';
      if (this.graph.all().every((e) => e.state !== 'RUNNING' && e.state !== 'DEPLOYING')) this.finishCancel();
      return;
    }
    if (hosted && this.state === 'RUNNING') this.failover(`MR_ERR_TASKMANAGER_LOST: TaskManager ${tm.id} is lost (no heartbeat for ${this.deps.rm.heartbeatTimeoutMs} ms, or unreachable)`);
  }

  /**
   * A TaskManager of this attempt refuses connections: it died before its heartbeat timed out (a
   * killed TaskManager's slots stay registered until then, so the restart after its loss may have
   * picked them). That loss was already counted by the failover that led here, so the attempt is
   * deployed again on the TaskManagers that are left, without asking the restart strategy: one lost
   * TaskManager is one failover (issue 15), as in Flink.
   */
  private redeployWithout(attempt: number, taskManagerId: string, cause: string): void {
    if (this.state !== 'RUNNING' || this.graph.attempt !== attempt) {
      this.deps.rm.declareLost(taskManagerId);
      return;
    }
    this.deps.log.warn({ jobId: this.id, attempt, taskManagerId, cause }, 'TaskManager unreachable during deployment: deploying the attempt again without it');
    this.coordinator?.attemptStopped(`attempt ${attempt} is deployed again without ${taskManagerId}`);
    this.cancelTasks(attempt);
    this.deps.rm.release(this.id);
    this.transition('RESTARTING'); // so that declaring the TaskManager lost below is no second failover
    this.deps.rm.declareLost(taskManagerId);
    this.graph.reset(attempt + 1);
    this.runningSince = 0;
    this.waitingSince = this.deps.clock.now();
    this.state = 'CREATED';
    this.tryDeploy();
  }

  private cancelTasks(attempt: number): void {
    const tms = new Set(this.graph.all().map((e) => e.taskManagerId).filter((x): x is string => x !== undefined));
    for (const id of tms) {
      const tm = this.deps.rm.taskManagers.get(id);
      if (tm) this.deps.gateway.cancel(tm, this.id, attempt).catch(() => undefined);
    }
  }

  /** A failure of the running attempt. */
  private failover(cause: string): void {
    if (this.state !== 'RUNNING') return;
    this.onFailure(cause);
  }

  /** A restart that found no usable restore point (e.g. storage unreachable) is another failure. */
  private restartFailed(cause: string): void {
    if (this.state !== 'RESTARTING') return; // canceled meanwhile: nothing to restart
    this.onFailure(cause);
  }

  /** Counts the failure against the restart strategy: restarts after its delay, or fails the job. */
  private onFailure(cause: string): void {
    const { timestamp: now, unusable, restartDelayMs: delay } = this.failures.handle(cause, this.deps.clock.now());
    this.exceptions.push({ timestamp: now, message: cause });
    this.deps.log.warn({ jobId: this.id, attempt: this.graph.attempt, cause: cause.split('\n')[0] }, 'job failure');
    const attempt = this.graph.attempt;
    this.coordinator?.attemptStopped(`attempt ${attempt} failed`);
    if (unusable) {
      // a file of the snapshot is gone or damaged: never again; fall back to the one before
      this.exceptions.push({ timestamp: now, message: unusable.message });
      this.deps.log.error({ jobId: this.id, checkpointId: unusable.checkpointId }, unusable.message);
    }
    this.cancelTasks(attempt);
    this.deps.rm.release(this.id);
    if (delay === undefined) {
      this.failureCause = cause;
      this.transition('FAILED');
      return;
    }
    this.transition('RESTARTING');
    this.restarts++;
    this.deps.clock.setTimeout(() => {
      if (this.state !== 'RESTARTING') return;
      void this.chooseRestore().then(() => {
        if (this.state !== 'RESTARTING') return;
        this.graph.reset(attempt + 1);
        this.runningSince = 0;
        this.waitingSince = this.deps.clock.now();
        this.state = 'CREATED';
        this.tryDeploy();
      }, (err: Error) => this.restartFailed(`MR_ERR_RESTORE: ${err.message}`));
    }, delay);
  }

  /**
   * What the next attempt restores from: the newest completed checkpoint no task found damaged
   * (skipped ones are reported), else the snapshot the job started from, else nothing.
   */
  private async chooseRestore(): Promise<void> {
    const cp = this.deps.checkpointing;
    if (!cp) return;
    for (const s of await this.restoreChoice.choose(cp.storage, this.graph.jobGraph, cp.coordinator.latest)) {
      this.exceptions.push({ timestamp: this.deps.clock.now(), message: s.message });
      this.deps.log.error({ jobId: this.id, checkpointId: s.checkpointId }, s.message);
    }
  }

  /** Savepoint while running; with `stopAfter` the job then ends (stop → FINISHED, cancel → CANCELED). */
  async savepoint(request: SavepointRequest & { finalState?: JobState }): Promise<CompletedSnapshot> {
    const coordinator = this.coordinator;
    if (!coordinator || this.state !== 'RUNNING') {
      throw Object.assign(new Error(`MR_ERR_SAVEPOINT_NOT_RUNNING: job ${this.id} is ${this.state}${coordinator ? '' : ' and has no checkpoint storage'}; savepoints are taken of running jobs`), { code: 'MR_ERR_SAVEPOINT_NOT_RUNNING' });
    }
    const done = await coordinator.triggerSavepoint(request);
    if (request.stopAfter && this.state === 'RUNNING') {
      // the tasks end by themselves right after committing the savepoint
      this.finalState = request.finalState ?? 'FINISHED';
      this.transition('CANCELLING');
      this.deps.clock.setTimeout(() => {
        if (this.state === 'CANCELLING') {
          this.cancelTasks(this.graph.attempt);
          this.finishCancel();
        }
      }, 10_000);
    }
    return done;
  }

  private fail(cause: string): void {
    this.exceptions.push({ timestamp: this.deps.clock.now(), message: cause });
    this.failureCause = cause;
    this.deps.rm.release(this.id);
    this.transition('FAILED');
  }

  cancel(): void {
    if (TERMINAL_STATES.has(this.state)) return;
    if (this.state !== 'RUNNING') {
      this.deps.rm.release(this.id);
      this.transition('CANCELED');
      return;
    }
    this.transition('CANCELLING');
    this.cancelTasks(this.graph.attempt);
    // tasks that never report (lost TaskManagers) must not block cancellation forever
    this.deps.clock.setTimeout(() => {
      if (this.state === 'CANCELLING') this.finishCancel();
    }, 10_000);
  }

  private finishCancel(): void {
    this.deps.rm.release(this.id);
    this.transition(this.finalState);
  }
}
