// Entry of one slot: a worker thread with its own event loop (one core), its own data-plane
// server, and the tasks the JobManager deployed into it (one subtask per vertex, slot sharing).

import { parentPort, workerData } from 'node:worker_threads';
import { NetworkEnvironment } from '../network/network-environment.ts';
import { TaskCanceledError, type StreamTask } from '../task/stream-task.ts';
import { createTask, executionId, forgetGraphs, prepareJob, type TaskDeploymentDescriptor } from './deployment.ts';
import { noRestoreReads, TaskStateIO, type RestoreReads } from '../checkpoint/task-state-io.ts';
import { LocalStateCopies } from '../checkpoint/local-state-copies.ts';
import type { SnapshotTarget } from '../checkpoint/messages.ts';
import type { TaskCheckpointSnapshot } from '../checkpoint/task-snapshot.ts';
import type { FromSlot, SlotWorkerData, ToSlot } from './slot-messages.ts';
import { DeploymentKey } from '../auth/deployment-key.ts';
import { RuntimeError } from '../errors/runtime-error.ts';

const port = parentPort!;
const { host, keySecret, loadPolicy, localStateDir } = workerData as SlotWorkerData;
const dataKey = keySecret ? new DeploymentKey(keySecret, 'the TaskManager').derive('data') : undefined;
const net = new NetworkEnvironment({
  key: dataKey,
  // the TaskManager logs it with the peer; the slot and its other connections go on
  onRefused: (peer, code, reason) => port.postMessage({ type: 'peer-refused', peer, code, reason } satisfies FromSlot),
});
/** a deployment (job module import, state download) that takes longer fails the task */
const DEPLOY_TIMEOUT_MS = Number(process.env.MILLRACE_DEPLOY_TIMEOUT_MS ?? 300_000);
const tasks = new Map<string, { task?: StreamTask; tdd: TaskDeploymentDescriptor; canceled: boolean; deploying?: AbortController }>();

const send = (m: FromSlot): void => port.postMessage(m);
// the TaskManager's local copies of checkpoint state (shared by its slots; it clears them at start and stop)
const localCopies = localStateDir ? new LocalStateCopies(localStateDir) : undefined;
const stateIO = new TaskStateIO(process.env, localCopies, (error) => send({ type: 'local-copy-failed', reason: error.message }));

// Where checkpoint n of an attempt goes. Non-source tasks learn the id from the barrier, which
// may overtake the trigger message to this slot: their upload waits for the target.
const TARGET_WAIT_MS = 60_000;
const targets = new Map<string, { target?: SnapshotTarget; isSavepoint?: boolean; waiters: Array<(t: SnapshotTarget | undefined) => void> }>();
const targetKey = (jobId: string, attempt: number, id: number) => `${jobId}/${attempt}/${id}`;

function targetFor(jobId: string, attempt: number, id: number): Promise<SnapshotTarget | undefined> {
  const k = targetKey(jobId, attempt, id);
  let e = targets.get(k);
  if (!e) targets.set(k, (e = { waiters: [] }));
  if (e.target) return Promise.resolve(e.target);
  const entry = e;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), TARGET_WAIT_MS);
    timer.unref();
    entry.waiters.push((t) => {
      clearTimeout(timer);
      resolve(t);
    });
  });
}

function setTarget(jobId: string, attempt: number, id: number, target: SnapshotTarget, isSavepoint: boolean): void {
  const k = targetKey(jobId, attempt, id);
  const e = targets.get(k) ?? { waiters: [] };
  e.target = target;
  e.isSavepoint = isSavepoint;
  targets.set(k, e);
  for (const w of e.waiters.splice(0)) w(target);
  // older checkpoints of the job are over (at most one is in flight)
  for (const key of [...targets.keys()]) {
    const [j, a, n] = key.split('/');
    if (j === jobId && (Number(a) < attempt || Number(n) < id - 1)) targets.delete(key);
  }
}

/** Uploads a task's snapshot while the task goes on, then acknowledges (or declines); the asynchronous part is serialization plus upload. */
async function uploadAndAcknowledge(d: TaskDeploymentDescriptor, snap: TaskCheckpointSnapshot): Promise<void> {
  const base = { jobId: d.jobId, attempt: d.attempt, checkpointId: snap.checkpointId, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex };
  const t0 = performance.now();
  try {
    const target = await targetFor(d.jobId, d.attempt, snap.checkpointId);
    if (!target) throw new Error(`MR_ERR_CHECKPOINT_TARGET: no trigger for checkpoint ${snap.checkpointId} reached this slot within ${TARGET_WAIT_MS} ms`);
    // a checkpoint (not a savepoint: it is not restored by failovers) of a job with local recovery leaves a local copy
    const keepLocal = d.localRecovery === true && targets.get(targetKey(d.jobId, d.attempt, snap.checkpointId))?.isSavepoint === false;
    const handles = await stateIO.upload(target, snap, keepLocal ? { jobId: d.jobId } : undefined);
    send({ type: 'checkpoint-ack', ack: { ...base, handles, alignmentMs: snap.alignmentMs, syncMs: snap.syncMs, asyncMs: snap.serializeWallMs + (performance.now() - t0) } });
  } catch (err) {
    send({ type: 'checkpoint-decline', decline: { ...base, reason: (err as Error).message } });
  }
}

function report(d: TaskDeploymentDescriptor, state: 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED', error?: string, task?: StreamTask, deployed?: { ms: number; reads: RestoreReads }): void {
  send({
    type: 'task-state', executionId: executionId(d), jobId: d.jobId, attempt: d.attempt, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, state, error, metrics: task?.metrics(), lastCheckpointId: task?.lastCheckpointId,
    ...(deployed !== undefined ? { deployMs: deployed.ms, restored: d.restore !== undefined, ...(d.restore !== undefined ? { stateReads: deployed.reads } : {}) } : {}),
  });
}

async function deploy(d: TaskDeploymentDescriptor): Promise<void> {
  const id = executionId(d);
  // canceled while deploying (a failover came first): the restore stops instead of taking the CPU the next attempt needs
  const entry: { task?: StreamTask; tdd: TaskDeploymentDescriptor; canceled: boolean; deploying?: AbortController } = { tdd: d, canceled: false, deploying: new AbortController() };
  tasks.set(id, entry);
  const started = performance.now();
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new RuntimeError('MR_ERR_DEPLOY_TIMEOUT', `MR_ERR_DEPLOY_TIMEOUT: deploying ${id} took longer than ${DEPLOY_TIMEOUT_MS} ms`);
        // the restore of a deployment given up on stops too
        entry.deploying?.abort(error);
        reject(error);
      }, DEPLOY_TIMEOUT_MS);
    });
    const reads = noRestoreReads();
    const task = await Promise.race([createTask(d, net, { stateIO, loadPolicy, restoreReads: reads, signal: entry.deploying!.signal, onCheckpoint: (snap) => void uploadAndAcknowledge(d, snap) }), timeout]).finally(() => clearTimeout(timer));
    entry.task = task;
    entry.deploying = undefined;
    if (entry.canceled) task.cancel();
    report(d, 'RUNNING', undefined, undefined, { ms: Math.round(performance.now() - started), reads });
    await task.run();
    report(d, 'FINISHED', undefined, task);
  } catch (err) {
    if (entry.canceled || err instanceof TaskCanceledError) report(d, 'CANCELED', undefined, entry.task);
    else report(d, 'FAILED', (err as Error).stack ?? String(err), entry.task);
  } finally {
    tasks.delete(id);
    const attemptHere = () => [...tasks.values()].some((t) => t.tdd.jobId === d.jobId && t.tdd.attempt === d.attempt);
    if (!attemptHere()) {
      // keep channels until the attempt's last local task ended: peers may still read them. A
      // task of the attempt may still arrive (a restored source with nothing to read ends before
      // its slot neighbours are deployed): then the channels stay.
      setTimeout(() => {
        if (attemptHere()) return;
        forgetGraphs(d.jobId, d.attempt);
        net.release(`${d.jobId}/${d.attempt}/`);
      }, 5000).unref();
    }
  }
}

function publishMetrics(): void {
  const byJob = new Map<string, { jobId: string; attempt: number; tasks: ReturnType<StreamTask['metrics']>[] }>();
  for (const t of tasks.values()) {
    if (!t.task) continue;
    const k = `${t.tdd.jobId}/${t.tdd.attempt}`;
    const e = byJob.get(k) ?? { jobId: t.tdd.jobId, attempt: t.tdd.attempt, tasks: [] };
    e.tasks.push(t.task.metrics());
    byJob.set(k, e);
  }
  for (const e of byJob.values()) send({ type: 'metrics', ...e });
}

port.on('message', (m: ToSlot) => {
  if (m.type === 'deploy') void deploy(m.tdd);
  // a failed warm-up is no failure: the deployment, if one comes, reports the error
  else if (m.type === 'prepare') void prepareJob(m, loadPolicy).catch(() => undefined);
  else if (m.type === 'cancel') {
    for (const t of tasks.values()) {
      if ((m.jobId !== '*' && t.tdd.jobId !== m.jobId) || t.tdd.attempt > m.attempt) continue;
      t.canceled = true;
      t.task?.cancel();
      t.deploying?.abort(new TaskCanceledError(`the deployment of ${executionId(t.tdd)} was canceled`));
    }
  } else if (m.type === 'trigger-checkpoint') {
    const t = m.trigger;
    setTarget(t.jobId, t.attempt, t.checkpointId, t.target, t.isSavepoint);
    for (const e of tasks.values()) {
      if (e.tdd.jobId === t.jobId && e.tdd.attempt === t.attempt && e.task?.spec.vertex.isSource) e.task.triggerCheckpoint(t.checkpointId, { drain: t.drain === true });
    }
  } else if (m.type === 'checkpoint-complete') {
    const n = m.notify;
    // older local copies are subsumed (only if this TaskManager holds one of n: a savepoint leaves none)
    localCopies?.subsume(n.jobId, n.checkpointId).catch((error: Error) => send({ type: 'local-copy-failed', reason: error.message }));
    for (const e of tasks.values()) {
      if (e.tdd.jobId === n.jobId && e.tdd.attempt === n.attempt) e.task?.notifyCheckpointComplete(n.checkpointId, n.stopAfter === true);
    }
  } else if (m.type === 'checkpoint-aborted') {
    const n = m.notify;
    for (const e of tasks.values()) {
      if (e.tdd.jobId === n.jobId && e.tdd.attempt === n.attempt) e.task?.abortCheckpoint(n.checkpointId);
    }
  } else if (m.type === 'shutdown') {
    for (const t of tasks.values()) t.task?.cancel();
    void net.close().then(() => process.exit(0));
  }
});

const timer = setInterval(publishMetrics, 500);
timer.unref();

send({ type: 'ready', address: await net.start(host) });
