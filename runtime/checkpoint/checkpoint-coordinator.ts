// Coordinates the checkpoints of one job on the JobManager (Flink's CheckpointCoordinator, with
// its policies pulled out): triggers periodic checkpoints (interval, min pause, at most one in
// flight, timeout) and savepoints at the sources of the running attempt, collects every
// subtask's acknowledgement with its state file handles, completes the checkpoint in storage
// (_metadata written last), applies retention, tells the tasks it completed (two-phase-commit
// sinks commit then), and counts consecutive failures against the tolerable number (beyond it the
// job fails and its restart strategy decides). Clock and timers are injected.

import { CheckpointStats, type CheckpointHistoryEntry } from './checkpoint-stats.ts';
import type { CheckpointStorageAccess, CompletedSnapshot } from './checkpoint-storage-access.ts';
import { taskKey, type CheckpointAck, type CheckpointDecline, type NotifyCheckpointAborted, type NotifyCheckpointComplete, type SnapshotTarget, type TriggerCheckpoint } from './messages.ts';
import type { StateFileHandle } from '../storage/snapshot-metadata.ts';
import type { TimerClock } from '../time/clock.ts';

export interface CheckpointSettings {
  /** 0 = no periodic checkpoints (savepoints still work) */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  /** consecutive failed checkpoints tolerated; one more fails the job */
  readonly tolerableFailures: number;
}

export const DEFAULT_CHECKPOINT_SETTINGS: CheckpointSettings = { intervalMs: 10_000, timeoutMs: 600_000, minPauseMs: 0, tolerableFailures: 0 };

export interface CoordinatorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CheckpointCoordinatorDeps {
  readonly jobId: string;
  readonly clock: TimerClock;
  readonly log: CoordinatorLog;
  readonly storage: CheckpointStorageAccess;
  /** delivers the trigger to the TaskManagers of the attempt (they start the barrier at the sources) */
  readonly sendTrigger: (t: TriggerCheckpoint) => Promise<void>;
  readonly sendComplete: (n: NotifyCheckpointComplete) => void;
  /** tells the tasks to drop a given-up checkpoint's snapshot (its copies) instead of finishing it */
  readonly sendAborted?: (n: NotifyCheckpointAborted) => void;
  /** more consecutive failures than tolerated */
  readonly failJob: (cause: string) => void;
  readonly onCompleted?: (c: CompletedSnapshot) => void;
}

export interface SavepointRequest {
  readonly targetDirectory?: string;
  readonly drain?: boolean;
  /** stop-with-savepoint: the tasks end after it completed */
  readonly stopAfter?: boolean;
}

interface Pending {
  readonly id: number;
  readonly attempt: number;
  readonly target: SnapshotTarget;
  readonly savepoint?: { id: string; request: SavepointRequest; resolve: (c: CompletedSnapshot) => void; reject: (e: Error) => void };
  readonly waiting: Set<string>;
  readonly handles: StateFileHandle[];
  readonly stats: CheckpointHistoryEntry;
  timeout: unknown;
  finalizing: boolean;
}

/** Milliseconds until the next periodic trigger may fire (pure; exported for tests). */
export function nextTriggerDelay(s: { now: number; intervalMs: number; minPauseMs: number; lastTriggerAt: number; lastEndAt: number }): number {
  const byInterval = s.lastTriggerAt + s.intervalMs;
  const byPause = s.lastEndAt + s.minPauseMs;
  return Math.max(0, Math.max(byInterval, byPause) - s.now);
}

export class CheckpointCoordinatorError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

export class CheckpointCoordinator {
  readonly settings: CheckpointSettings;
  readonly stats = new CheckpointStats();
  private readonly deps: CheckpointCoordinatorDeps;
  private nextId = 1;
  private pending: Pending | undefined;
  private readonly queued: Array<NonNullable<Pending['savepoint']>> = [];
  /** the attempt whose tasks all run, with their keys; undefined: nothing to checkpoint */
  private running: { readonly attempt: number; tasks: string[] } | undefined;
  private periodic: unknown;
  private lastTriggerAt = 0;
  private lastEndAt = 0;
  private consecutiveFailures = 0;
  latest: CompletedSnapshot | undefined;
  /** completion time of `latest` (epoch ms) */
  latestCompletedAt = 0;
  private shutDown = false;

  constructor(settings: CheckpointSettings, deps: CheckpointCoordinatorDeps) {
    this.settings = settings;
    this.deps = deps;
  }

  /** Checkpoint ids continue after `id` (a restored or resumed job never reuses a directory). */
  continueAfter(id: number): void {
    this.nextId = Math.max(this.nextId, id + 1);
  }

  get inProgress(): boolean {
    return this.pending !== undefined;
  }

  /** id of the checkpoint or savepoint in flight */
  get inFlight(): number | undefined {
    return this.pending?.id;
  }

  /** Every task of `attempt` runs: periodic checkpoints start (the first after one interval). */
  attemptRunning(attempt: number, tasks: string[]): void {
    if (this.shutDown) return;
    this.running = { attempt, tasks };
    this.lastTriggerAt = this.deps.clock.now();
    this.schedulePeriodic();
    this.triggerQueued();
  }

  /**
   * A task of the attempt finished (its input ended): checkpoints go on without it, as in Flink
   * 1.14+. Its channels have ended, which downstream alignment counts as aligned, and everything
   * it did is final (a restore gives it no state, so it does nothing again). If it snapshotted the
   * checkpoint in flight (`lastCheckpointId`), its acknowledgement is still awaited.
   */
  taskFinished(attempt: number, key: string, lastCheckpointId: number): void {
    const running = this.running;
    if (!running || running.attempt !== attempt) return;
    running.tasks = running.tasks.filter((t) => t !== key);
    const p = this.pending;
    if (p && p.attempt === attempt && !p.finalizing && lastCheckpointId < p.id && p.waiting.delete(key) && p.waiting.size === 0) void this.finalize(p);
    if (running.tasks.length === 0) this.attemptStopped('every task finished');
  }

  /**
   * The attempt can no longer take checkpoints (failover, cancellation, the job ended).
   * The checkpoint in flight is aborted without counting as a failure.
   */
  attemptStopped(reason: string): void {
    this.running = undefined;
    this.clearPeriodic();
    if (this.pending) this.abortPending(reason, false);
    for (const q of this.queued.splice(0)) q.reject(new CheckpointCoordinatorError('MR_ERR_SAVEPOINT_NOT_RUNNING', `savepoint not taken: ${reason}`));
  }

  shutdown(reason: string): void {
    this.attemptStopped(reason);
    this.shutDown = true;
  }

  private schedulePeriodic(): void {
    this.clearPeriodic();
    if (this.settings.intervalMs <= 0 || !this.running || this.pending || this.shutDown) return;
    const delay = nextTriggerDelay({ now: this.deps.clock.now(), intervalMs: this.settings.intervalMs, minPauseMs: this.settings.minPauseMs, lastTriggerAt: this.lastTriggerAt, lastEndAt: this.lastEndAt });
    this.periodic = this.deps.clock.setTimeout(() => {
      this.periodic = undefined;
      if (this.running && !this.pending) this.trigger(undefined);
    }, delay);
  }

  private clearPeriodic(): void {
    if (this.periodic !== undefined) this.deps.clock.clearTimeout(this.periodic);
    this.periodic = undefined;
  }

  /**
   * Takes a savepoint now, right after the checkpoint in flight, or, while the attempt's tasks
   * are still being deployed (the job already reports RUNNING), as soon as they all run. A
   * failover or the end of the job rejects it (attemptStopped).
   */
  triggerSavepoint(request: SavepointRequest): Promise<CompletedSnapshot> {
    if (this.shutDown) {
      return Promise.reject(new CheckpointCoordinatorError('MR_ERR_SAVEPOINT_NOT_RUNNING', `job ${this.deps.jobId} has ended; a savepoint needs a running job`));
    }
    return new Promise((resolve, reject) => {
      this.queued.push({ id: '', request, resolve, reject });
      if (!this.pending) this.triggerQueued();
    });
  }

  private triggerQueued(): void {
    if (this.pending || !this.running) return;
    const next = this.queued.shift();
    if (next) this.trigger(next);
  }

  private trigger(savepoint: Pending['savepoint']): void {
    const running = this.running!;
    const id = this.nextId++;
    const now = this.deps.clock.now();
    let target: SnapshotTarget;
    let sp = savepoint;
    if (savepoint) {
      const t = this.deps.storage.savepointTarget(savepoint.request.targetDirectory);
      target = t.target;
      sp = { ...savepoint, id: t.savepointId };
    } else target = this.deps.storage.checkpointTarget(id);
    const pending: Pending = {
      id, attempt: running.attempt, target, savepoint: sp, waiting: new Set(running.tasks), handles: [],
      stats: this.stats.started(id, sp !== undefined, now, running.tasks.length), timeout: undefined, finalizing: false,
    };
    this.pending = pending;
    this.lastTriggerAt = now;
    pending.timeout = this.deps.clock.setTimeout(() => {
      if (this.pending === pending && !pending.finalizing) this.failPending(`MR_ERR_CHECKPOINT_EXPIRED: ${this.what(pending)} expired after ${this.settings.timeoutMs} ms before all ${running.tasks.length} subtasks acknowledged (${pending.waiting.size} missing)`);
    }, this.settings.timeoutMs);
    this.deps.sendTrigger({ jobId: this.deps.jobId, attempt: running.attempt, checkpointId: id, target, isSavepoint: sp !== undefined, ...(sp?.request.drain ? { drain: true } : {}) })
      .catch((err: Error) => {
        if (this.pending === pending) this.failPending(`MR_ERR_CHECKPOINT_TRIGGER: ${this.what(pending)} could not be triggered: ${err.message}`);
      });
  }

  private what(p: Pending): string {
    return p.savepoint ? `savepoint ${p.savepoint.id} (checkpoint ${p.id})` : `checkpoint ${p.id}`;
  }

  acknowledge(ack: CheckpointAck): void {
    const p = this.pending;
    if (!p || ack.checkpointId !== p.id || ack.attempt !== p.attempt || p.finalizing) return;
    const key = taskKey(ack.vertexId, ack.subtaskIndex);
    if (!p.waiting.delete(key)) return;
    p.handles.push(...ack.handles);
    this.stats.acknowledged(p.stats, this.deps.clock.now(), ack.handles.reduce((a, h) => a + h.size, 0), ack.alignmentMs, ack.syncMs, ack.asyncMs);
    if (p.waiting.size === 0) void this.finalize(p);
  }

  decline(d: CheckpointDecline): void {
    const p = this.pending;
    if (!p || d.checkpointId !== p.id || d.attempt !== p.attempt || p.finalizing) return;
    this.failPending(`MR_ERR_CHECKPOINT_DECLINED: ${this.what(p)} declined by subtask ${d.subtaskIndex} of ${d.vertexId}: ${d.reason}`);
  }

  private async finalize(p: Pending): Promise<void> {
    p.finalizing = true;
    let done: CompletedSnapshot;
    try {
      done = p.savepoint
        ? await this.deps.storage.completeSavepoint(p.savepoint.id, p.id, p.target, p.handles)
        : await this.deps.storage.completeCheckpoint(p.id, p.handles);
    } catch (err) {
      if (this.pending === p) this.failPending(`MR_ERR_CHECKPOINT_FINALIZE: ${this.what(p)} could not be completed: ${(err as Error).message}`);
      return;
    }
    if (this.pending !== p) return; // aborted meanwhile (failover): its files are left to retention
    const now = this.deps.clock.now();
    this.deps.clock.clearTimeout(p.timeout);
    this.pending = undefined;
    this.lastEndAt = now;
    this.consecutiveFailures = 0;
    this.stats.completedAt(p.stats, now, done.path);
    if (!p.savepoint) {
      this.latest = done;
      this.latestCompletedAt = now;
      this.deps.onCompleted?.(done);
    }
    this.deps.log.info({ jobId: this.deps.jobId, checkpointId: p.id, savepoint: p.savepoint?.id, path: done.path, sizeBytes: p.stats.state_size, durationMs: p.stats.end_to_end_duration }, p.savepoint ? 'savepoint completed' : 'checkpoint completed');
    this.deps.sendComplete({ jobId: this.deps.jobId, attempt: p.attempt, checkpointId: p.id, ...(p.savepoint?.request.stopAfter ? { stopAfter: true } : {}) });
    p.savepoint?.resolve(done);
    if (!p.savepoint) {
      this.deps.storage.applyRetention().catch((err: Error) => this.deps.log.warn({ jobId: this.deps.jobId, err: err.message }, 'checkpoint retention failed; older checkpoints stay for now'));
    }
    if (p.savepoint?.request.stopAfter) {
      this.shutdown('the job stopped with a savepoint');
      return;
    }
    this.triggerQueued();
    this.schedulePeriodic();
  }

  private failPending(message: string): void {
    this.abortPending(message, true);
  }

  private abortPending(message: string, countsAsFailure: boolean): void {
    const p = this.pending!;
    this.pending = undefined;
    this.deps.clock.clearTimeout(p.timeout);
    const now = this.deps.clock.now();
    this.lastEndAt = now;
    this.stats.failedAt(p.stats, now, message);
    this.deps.sendAborted?.({ jobId: this.deps.jobId, attempt: p.attempt, checkpointId: p.id });
    p.savepoint?.reject(new CheckpointCoordinatorError('MR_ERR_SAVEPOINT_FAILED', message));
    this.deps.log.warn({ jobId: this.deps.jobId, checkpointId: p.id, cause: message }, p.savepoint ? 'savepoint failed' : 'checkpoint failed');
    if (countsAsFailure && !p.savepoint) {
      this.consecutiveFailures++;
      if (this.consecutiveFailures > this.settings.tolerableFailures) {
        const cause = `MR_ERR_CHECKPOINT_TOLERANCE: ${this.consecutiveFailures} consecutive checkpoint failures exceed the tolerable ${this.settings.tolerableFailures} (--tolerable-failed-checkpoints); last: ${message}`;
        this.consecutiveFailures = 0;
        this.deps.failJob(cause);
        return;
      }
    }
    this.triggerQueued();
    this.schedulePeriodic();
  }
}
