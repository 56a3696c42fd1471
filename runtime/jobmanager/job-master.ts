// One job's lifecycle on the JobManager: schedule all subtasks into slots (all or nothing),
// track task states, fail over on task failure or TaskManager loss by the restart strategy,
// finish when every subtask finished, cancel on request. Global failover: every restart
// redeploys all tasks as a new attempt (checkpoint restore plugs in at `deployAttempt`).

import type { Logger } from 'pino';
import { ExecutionGraph, type TaskState } from '../graph/execution-graph.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { TaskDeploymentDescriptor } from '../taskmanager/deployment.ts';
import type { TaskMetrics } from '../task/stream-task.ts';
import type { ResourceManager, SlotInfo, TaskManagerInfo } from './resource-manager.ts';
import type { RestartStrategy } from './restart-strategy.ts';

export type JobState = 'CREATED' | 'RUNNING' | 'RESTARTING' | 'FINISHED' | 'FAILED' | 'CANCELLING' | 'CANCELED';
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['FINISHED', 'FAILED', 'CANCELED']);

export interface JobSpec {
  readonly jobUrl: string;
  readonly params: Record<string, string>;
  readonly parallelism: number;
  readonly batchMode: boolean;
  readonly latencyTrackingIntervalMs: number;
}

export interface TaskManagerGateway {
  deploy(tm: TaskManagerInfo, tdd: TaskDeploymentDescriptor): Promise<void>;
  cancel(tm: TaskManagerInfo, jobId: string, attempt: number): Promise<void>;
}

export interface JobMasterDeps {
  readonly rm: ResourceManager;
  readonly gateway: TaskManagerGateway;
  readonly clock: { now(): number };
  readonly schedule: (fn: () => void, ms: number) => void;
  readonly log: Logger;
  /** how long to wait for enough free slots before failing the attempt */
  readonly slotTimeoutMs: number;
}

export interface TaskStateReport {
  readonly attempt: number;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly state: TaskState;
  readonly error?: string;
  readonly metrics?: TaskMetrics;
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
  private readonly restart: RestartStrategy;
  private slots: SlotInfo[] = [];
  private waitingSince = 0;

  constructor(id: string, spec: JobSpec, jobGraph: JobGraph, restart: RestartStrategy, deps: JobMasterDeps) {
    this.id = id;
    this.spec = spec;
    this.graph = new ExecutionGraph(jobGraph);
    this.restart = restart;
    this.deps = deps;
    this.submittedAt = deps.clock.now();
  }

  get name(): string {
    return this.graph.jobGraph.name;
  }

  start(): void {
    this.startTime = this.deps.clock.now();
    this.waitingSince = this.startTime;
    this.tryDeploy();
  }

  private transition(s: JobState): void {
    if (this.state === s) return;
    this.deps.log.info({ jobId: this.id, from: this.state, to: s, attempt: this.graph.attempt }, 'job state');
    this.state = s;
    if (TERMINAL_STATES.has(s)) this.endTime = this.deps.clock.now();
  }

  /** Deploys the current attempt once enough slots are free; retries until the slot timeout. */
  private tryDeploy(): void {
    if (TERMINAL_STATES.has(this.state) || this.state === 'CANCELLING') return;
    const needed = this.graph.slotsNeeded();
    const slots = this.deps.rm.allocate(this.id, needed);
    if (!slots) {
      if (this.deps.clock.now() - this.waitingSince > this.deps.slotTimeoutMs) {
        this.fail(`MR_ERR_NOT_ENOUGH_SLOTS: job needs ${needed} slots but only ${this.deps.rm.freeSlots().length} are free after ${this.deps.slotTimeoutMs} ms; start more TaskManagers or lower the parallelism`);
        return;
      }
      this.deps.schedule(() => this.tryDeploy(), 250);
      return;
    }
    this.slots = slots;
    this.deployAttempt();
  }

  private deployAttempt(): void {
    const attempt = this.graph.attempt;
    const startTime = this.deps.clock.now();
    const locations: Record<string, string[]> = {};
    for (const v of this.graph.jobGraph.vertices) locations[v.id] = Array.from({ length: v.parallelism }, (_, i) => this.slots[i]!.address);
    this.transition('RUNNING');
    for (const v of this.graph.jobGraph.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        const slot = this.slots[i]!;
        const tm = this.deps.rm.taskManagers.get(slot.taskManagerId);
        const ev = this.graph.get(v.id, i)!;
        ev.taskManagerId = slot.taskManagerId;
        ev.slotAddress = slot.address;
        ev.state = 'DEPLOYING';
        if (!tm) {
          this.failover(`MR_ERR_TASKMANAGER_LOST: TaskManager ${slot.taskManagerId} disappeared during deployment`);
          return;
        }
        const tdd: TaskDeploymentDescriptor = {
          jobId: this.id, attempt, jobUrl: this.spec.jobUrl, params: this.spec.params, parallelism: this.spec.parallelism,
          vertexId: v.id, subtaskIndex: i, locations, batchMode: this.spec.batchMode, latencyTrackingIntervalMs: this.spec.latencyTrackingIntervalMs, startTime,
        };
        this.deps.gateway.deploy(tm, tdd).catch((err: Error) => {
          // unreachable TaskManager: declare it lost now rather than redeploying to it again
          if (/fetch failed|ECONNREFUSED|ECONNRESET/.test(`${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`)) this.deps.rm.declareLost(tm.id);
          if (this.graph.attempt === attempt) this.failover(`MR_ERR_DEPLOY_FAILED: deploying ${v.name} (${i + 1}/${v.parallelism}) to ${tm.id} failed: ${err.message}`);
        });
      }
    }
  }

  onTaskState(r: TaskStateReport): void {
    if (r.attempt !== this.graph.attempt || TERMINAL_STATES.has(this.state)) return;
    const ev = this.graph.get(r.vertexId, r.subtaskIndex);
    if (!ev) return;
    if (r.metrics) ev.metrics = r.metrics;
    if (this.state === 'RESTARTING') return;
    ev.state = r.state;
    if (r.state === 'RUNNING' && this.runningSince === 0 && this.graph.all().every((e) => e.state === 'RUNNING' || e.state === 'FINISHED')) {
      this.runningSince = this.deps.clock.now();
    }
    if (r.state === 'FAILED') {
      this.failover(r.error ?? 'task failed');
    } else if (r.state === 'CANCELED' && this.state === 'CANCELLING') {
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

  private cancelTasks(attempt: number): void {
    const tms = new Set(this.graph.all().map((e) => e.taskManagerId).filter((x): x is string => x !== undefined));
    for (const id of tms) {
      const tm = this.deps.rm.taskManagers.get(id);
      if (tm) this.deps.gateway.cancel(tm, this.id, attempt).catch(() => undefined);
    }
  }

  private failover(cause: string): void {
    if (this.state !== 'RUNNING') return;
    const now = this.deps.clock.now();
    this.exceptions.push({ timestamp: now, message: cause });
    this.deps.log.warn({ jobId: this.id, attempt: this.graph.attempt, cause: cause.split('\n')[0] }, 'job failure');
    const attempt = this.graph.attempt;
    this.cancelTasks(attempt);
    this.deps.rm.release(this.id);
    const delay = this.restart.onFailure(now);
    if (delay === undefined) {
      this.failureCause = cause;
      this.transition('FAILED');
      return;
    }
    this.transition('RESTARTING');
    this.restarts++;
    this.deps.schedule(() => {
      if (this.state !== 'RESTARTING') return;
      this.graph.reset(attempt + 1);
      this.runningSince = 0;
      this.waitingSince = this.deps.clock.now();
      this.state = 'CREATED';
      this.tryDeploy();
    }, delay);
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
    this.deps.schedule(() => {
      if (this.state === 'CANCELLING') this.finishCancel();
    }, 10_000);
  }

  private finishCancel(): void {
    this.deps.rm.release(this.id);
    this.transition('CANCELED');
  }
}
