// Checkpoint statistics of one job, in the shape of Flink's `GET /jobs/:id/checkpoints`:
// counts, min/max/avg summaries over completed checkpoints, the latest completed, failed and
// restored, and the last 10 in a history. Pure bookkeeping; the coordinator reports into it.

export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface CheckpointHistoryEntry {
  id: number;
  status: CheckpointStatus;
  is_savepoint: boolean;
  trigger_timestamp: number;
  latest_ack_timestamp: number | null;
  end_to_end_duration: number | null;
  state_size: number;
  alignment_duration: number;
  /** longest time a subtask stood still for this checkpoint (ms, 0.1 ms resolution) */
  sync_duration: number;
  /** longest asynchronous part of a subtask as its TaskManager reports it: serialization after the barrier plus the upload (ms) */
  async_duration: number;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
  external_path: string | null;
  failure_message: string | null;
  failure_timestamp: number | null;
}

interface MinMaxAvg {
  min: number;
  max: number;
  avg: number;
}

const HISTORY = 10;

class Summary {
  private readonly decimals: number;
  private n = 0;
  private sum = 0;
  private minV = 0;
  private maxV = 0;
  constructor(decimals = 0) {
    this.decimals = decimals;
  }
  add(v: number): void {
    this.minV = this.n === 0 ? v : Math.min(this.minV, v);
    this.maxV = this.n === 0 ? v : Math.max(this.maxV, v);
    this.sum += v;
    this.n++;
  }
  toJSON(): MinMaxAvg {
    const f = 10 ** this.decimals;
    return { min: this.minV, max: this.maxV, avg: this.n === 0 ? 0 : Math.round((this.sum / this.n) * f) / f };
  }
}

export interface RestoredCheckpoint {
  readonly id: number;
  readonly external_path: string;
  readonly is_savepoint: boolean;
  readonly restore_timestamp: number;
}

export class CheckpointStats {
  private readonly history: CheckpointHistoryEntry[] = [];
  private completed = 0;
  private failed = 0;
  private restored = 0;
  private inProgress = 0;
  private readonly duration = new Summary();
  private readonly size = new Summary();
  private readonly alignment = new Summary();
  private readonly sync = new Summary(1);
  latestCompleted: CheckpointHistoryEntry | undefined;
  latestFailed: CheckpointHistoryEntry | undefined;
  latestRestored: RestoredCheckpoint | undefined;

  started(id: number, isSavepoint: boolean, at: number, subtasks: number): CheckpointHistoryEntry {
    const e: CheckpointHistoryEntry = {
      id, status: 'IN_PROGRESS', is_savepoint: isSavepoint, trigger_timestamp: at, latest_ack_timestamp: null,
      end_to_end_duration: null, state_size: 0, alignment_duration: 0, sync_duration: 0, async_duration: 0, num_subtasks: subtasks, num_acknowledged_subtasks: 0,
      external_path: null, failure_message: null, failure_timestamp: null,
    };
    this.history.unshift(e);
    if (this.history.length > HISTORY) this.history.pop();
    this.inProgress++;
    return e;
  }

  acknowledged(e: CheckpointHistoryEntry, at: number, bytes: number, alignmentMs: number, syncMs = 0, asyncMs = 0): void {
    e.num_acknowledged_subtasks++;
    e.latest_ack_timestamp = at;
    e.state_size += bytes;
    e.alignment_duration = Math.max(e.alignment_duration, Math.round(alignmentMs));
    e.sync_duration = Math.max(e.sync_duration, Math.round(syncMs * 10) / 10);
    e.async_duration = Math.max(e.async_duration, Math.round(asyncMs));
  }

  completedAt(e: CheckpointHistoryEntry, at: number, path: string): void {
    e.status = 'COMPLETED';
    e.end_to_end_duration = at - e.trigger_timestamp;
    e.external_path = path;
    this.inProgress--;
    this.completed++;
    this.duration.add(e.end_to_end_duration);
    this.size.add(e.state_size);
    this.alignment.add(e.alignment_duration);
    this.sync.add(e.sync_duration);
    this.latestCompleted = e;
  }

  failedAt(e: CheckpointHistoryEntry, at: number, message: string): void {
    if (e.status !== 'IN_PROGRESS') return;
    e.status = 'FAILED';
    e.failure_message = message;
    e.failure_timestamp = at;
    e.end_to_end_duration = at - e.trigger_timestamp;
    this.inProgress--;
    this.failed++;
    this.latestFailed = e;
  }

  restoredFrom(r: RestoredCheckpoint): void {
    this.restored++;
    this.latestRestored = r;
  }

  get completedCount(): number {
    return this.completed;
  }

  get failedCount(): number {
    return this.failed;
  }

  get inProgressCount(): number {
    return this.inProgress;
  }

  /** The body of GET /jobs/:id/checkpoints. */
  toRest(): unknown {
    const c = this.latestCompleted;
    const f = this.latestFailed;
    return {
      counts: { restored: this.restored, total: this.completed + this.failed + this.inProgress, in_progress: this.inProgress, completed: this.completed, failed: this.failed },
      summary: { end_to_end_duration: this.duration.toJSON(), state_size: this.size.toJSON(), alignment_duration: this.alignment.toJSON(), sync_duration: this.sync.toJSON() },
      latest: {
        completed: c ? { id: c.id, external_path: c.external_path, end_to_end_duration: c.end_to_end_duration, state_size: c.state_size, alignment_duration: c.alignment_duration, sync_duration: c.sync_duration, async_duration: c.async_duration, latest_ack_timestamp: c.latest_ack_timestamp, is_savepoint: c.is_savepoint } : null,
        failed: f ? { id: f.id, failure_message: f.failure_message, failure_timestamp: f.failure_timestamp } : null,
        restored: this.latestRestored ?? null,
      },
      history: this.history.map((e) => ({ ...e })),
    };
  }
}
