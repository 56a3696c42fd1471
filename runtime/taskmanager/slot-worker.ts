// Entry of one slot: a worker thread with its own event loop (one core), its own data-plane
// server, and the tasks the JobManager deployed into it (one subtask per vertex, slot sharing).

import { parentPort, workerData } from 'node:worker_threads';
import { NetworkEnvironment } from '../network/network-environment.ts';
import { TaskCancelledError, type StreamTask } from '../task/stream-task.ts';
import { createTask, executionId, forgetGraphs, type TaskDeploymentDescriptor } from './deployment.ts';
import type { FromSlot, ToSlot } from './slot-messages.ts';

const port = parentPort!;
const { host } = workerData as { host: string };
const net = new NetworkEnvironment();
const tasks = new Map<string, { task?: StreamTask; tdd: TaskDeploymentDescriptor; cancelled: boolean }>();

const send = (m: FromSlot): void => port.postMessage(m);

function report(d: TaskDeploymentDescriptor, state: 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED', error?: string, task?: StreamTask): void {
  send({ type: 'task-state', executionId: executionId(d), jobId: d.jobId, attempt: d.attempt, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, state, error, metrics: task?.metrics() });
}

async function deploy(d: TaskDeploymentDescriptor): Promise<void> {
  const id = executionId(d);
  const entry: { task?: StreamTask; tdd: TaskDeploymentDescriptor; cancelled: boolean } = { tdd: d, cancelled: false };
  tasks.set(id, entry);
  try {
    const task = await createTask(d, net);
    entry.task = task;
    if (entry.cancelled) task.cancel();
    report(d, 'RUNNING');
    await task.run();
    report(d, 'FINISHED', undefined, task);
  } catch (err) {
    if (entry.cancelled || err instanceof TaskCancelledError) report(d, 'CANCELED', undefined, entry.task);
    else report(d, 'FAILED', (err as Error).stack ?? String(err), entry.task);
  } finally {
    tasks.delete(id);
    if (![...tasks.values()].some((t) => t.tdd.jobId === d.jobId && t.tdd.attempt === d.attempt)) {
      // keep channels until the attempt's last local task ended: peers may still read them
      forgetGraphs(d.jobId, d.attempt);
      setTimeout(() => net.release(`${d.jobId}/${d.attempt}/`), 5000).unref();
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
  else if (m.type === 'cancel') {
    for (const t of tasks.values()) {
      if (t.tdd.jobId !== m.jobId || t.tdd.attempt > m.attempt) continue;
      t.cancelled = true;
      t.task?.cancel();
    }
  } else if (m.type === 'shutdown') {
    for (const t of tasks.values()) t.task?.cancel();
    void net.close().then(() => process.exit(0));
  }
});

const timer = setInterval(publishMetrics, 500);
timer.unref();

send({ type: 'ready', address: await net.start(host) });
