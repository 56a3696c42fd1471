// Savepoints of the SQL client's in-process jobs (local-jobs.ts), as Flink's SQL client has them:
// `STOP JOB '<id>' WITH SAVEPOINT [WITH DRAIN]` takes a savepoint into the configured directory
// and stops the job; `SET 'execution.savepoint.path' = '<dir>'` makes the next INSERTs start from
// one. The savepoint is the same thing a JobManager writes (state files by TaskStateIO, then
// _metadata by SnapshotWriter), so `millrace run --savepoint` and Deployments restore from it too,
// and the client restores savepoints they wrote. There is no checkpoint coordinator here: the
// client triggers the barrier at every task, waits for every task's snapshot, writes them and
// tells the tasks that the savepoint completed, which ends them (stop-with-savepoint).
import { randomBytes } from 'node:crypto';
import { assignState } from '../../checkpoint/state-assignment.ts';
import { snapshotAt } from '../../checkpoint/restore-points.ts';
import { taskKey } from '../../checkpoint/messages.ts';
import { TaskStateIO } from '../../checkpoint/task-state-io.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import type { OperatorSnapshot } from '../../state/state-file-format.ts';
import { SnapshotWriter } from '../../storage/snapshot-writer.ts';
import type { StreamTask, TaskCheckpointSnapshot } from '../../task/stream-task.ts';
import { SqlError } from '../errors.ts';

/** Flink 1.20's key and its older name (both read; the first wins). */
export const SAVEPOINT_DIR_KEYS = ['execution.checkpointing.savepoint-dir', 'state.savepoints.dir'] as const;
export const SAVEPOINT_PATH_KEY = 'execution.savepoint.path';
export const IGNORE_UNCLAIMED_STATE_KEY = 'execution.savepoint.ignore-unclaimed-state';

/** How long a stop-with-savepoint waits for every task's snapshot. */
export const SAVEPOINT_TIMEOUT_MS = 120_000;

/** The state each subtask of `jobGraph` restores from the savepoint (or checkpoint) at `path`. */
export async function loadRestoredState(path: string, jobGraph: JobGraph, allowNonRestoredState: boolean): Promise<(vertexId: string, subtaskIndex: number) => Record<string, OperatorSnapshot[]> | undefined> {
  const found = await snapshotAt(path).catch((err: unknown) => {
    throw new SqlError('MR_ERR_SQL_SAVEPOINT', `'${SAVEPOINT_PATH_KEY}' = '${path}': no savepoint can be read there (${(err as Error).message}); give a savepoint directory (the path STOP JOB ... WITH SAVEPOINT printed), or RESET '${SAVEPOINT_PATH_KEY}'`);
  });
  let assignment;
  try {
    assignment = assignState(found.snapshot.metadata, jobGraph, allowNonRestoredState, found.snapshot.path);
  } catch (err) {
    throw new SqlError('MR_ERR_SQL_SAVEPOINT', `${(err as Error).message.replace(/--allow-non-restored-state/, `SET '${IGNORE_UNCLAIMED_STATE_KEY}' = 'true'`)}`);
  }
  const io = new TaskStateIO();
  const out = new Map<string, Record<string, OperatorSnapshot[]>>();
  try {
    const { storageUri, dir } = found.snapshot.target;
    for (const [key, files] of assignment.files) out.set(key, await io.load({ storageUri, dir, checkpointId: found.snapshot.checkpointId, files }));
  } finally {
    io.close();
  }
  return (vertexId, subtaskIndex) => out.get(taskKey(vertexId, subtaskIndex));
}

interface Pending {
  readonly checkpointId: number;
  readonly snapshots: TaskCheckpointSnapshot[];
  readonly resolve: (snapshots: TaskCheckpointSnapshot[]) => void;
}

/** Takes the stop-with-savepoint of one in-process job: `receive` is the tasks' onCheckpoint. */
export class LocalSavepoints {
  private readonly jobId: string;
  private tasks: readonly StreamTask[] = [];
  private lastCheckpointId = 0;
  private pending: Pending | undefined;

  constructor(jobId: string) {
    this.jobId = jobId;
  }

  attach(tasks: readonly StreamTask[]): void {
    this.tasks = tasks;
  }

  receive(snapshot: TaskCheckpointSnapshot): void {
    const p = this.pending;
    if (p === undefined || snapshot.checkpointId !== p.checkpointId) return;
    p.snapshots.push(snapshot);
    if (p.snapshots.length === this.tasks.length) p.resolve(p.snapshots);
  }

  /**
   * Barrier at every source (after the final watermark with `drain`), every task's snapshot
   * written as `savepoint-<id>/` under `targetDirectory`, then the tasks end. Resolves with the
   * savepoint's path; the job keeps running when it fails. `stopping` runs once the savepoint is
   * written, before the tasks are told to end (their end is not a failure).
   */
  async stopWithSavepoint(targetDirectory: string, drain: boolean, stopping: () => void = () => {}, timeoutMs = SAVEPOINT_TIMEOUT_MS): Promise<string> {
    if (this.pending !== undefined) throw new SqlError('MR_ERR_SQL_SAVEPOINT', `a savepoint of job ${this.jobId} is already being taken`);
    const checkpointId = ++this.lastCheckpointId;
    let timer: NodeJS.Timeout | undefined;
    try {
      const snapshots = await new Promise<TaskCheckpointSnapshot[]>((resolve, reject) => {
        this.pending = { checkpointId, snapshots: [], resolve };
        timer = setTimeout(() => reject(new SqlError('MR_ERR_SQL_SAVEPOINT', `the savepoint of job ${this.jobId} did not complete within ${timeoutMs} ms (${this.pending?.snapshots.length ?? 0} of ${this.tasks.length} tasks took theirs; a task whose input ended takes none); the job goes on`)), timeoutMs);
        for (const t of this.tasks) t.triggerCheckpoint(checkpointId, { drain });
      });
      const path = await this.write(targetDirectory, checkpointId, snapshots);
      stopping();
      for (const t of this.tasks) t.notifyCheckpointComplete(checkpointId, true);
      return path;
    } catch (err) {
      for (const t of this.tasks) t.abortCheckpoint(checkpointId);
      throw err;
    } finally {
      clearTimeout(timer);
      this.pending = undefined;
    }
  }

  private async write(targetDirectory: string, checkpointId: number, snapshots: readonly TaskCheckpointSnapshot[]): Promise<string> {
    const savepointId = `${this.jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`;
    const target = { storageUri: targetDirectory, dir: `savepoint-${savepointId}/` };
    const io = new TaskStateIO();
    try {
      const handles = (await Promise.all(snapshots.map((s) => io.upload(target, s)))).flat();
      const store = io.store(targetDirectory);
      await new SnapshotWriter(store, target.dir).finalize({ kind: 'savepoint', savepointId, jobId: this.jobId, checkpointId, timestamp: Date.now() }, handles);
      return `${store.description}${target.dir}`;
    } finally {
      io.close();
    }
  }
}
