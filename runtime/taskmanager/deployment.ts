// What the JobManager sends to deploy one subtask, and how a slot turns it into a StreamTask
// with local channels (same slot) and network channels (other slots).

import { buildStreamGraph } from '../api/environment.ts';
import { loadJob, type JobLoadPolicy } from '../artifacts/job-loader.ts';
import { buildJobGraph, type JobGraph } from '../graph/job-graph.ts';
import { channelKey, sourceSubtasks, targetSubtasks } from '../graph/channel-plan.ts';
import type { StreamGraph } from '../graph/stream-graph.ts';
import type { NetworkEnvironment } from '../network/network-environment.ts';
import type { OperatorSnapshot } from '../state/state-file-format.ts';
import type { InputChannelInfo } from '../task/input-gate.ts';
import { StreamTask, type TaskCheckpointSnapshot, type TaskOutputSpec } from '../task/stream-task.ts';
import type { SubtaskRestore } from '../checkpoint/messages.ts';
import type { RestoreReads, TaskStateIO } from '../checkpoint/task-state-io.ts';

export interface TaskHooks {
  readonly stateIO?: TaskStateIO;
  readonly onCheckpoint?: (snapshot: TaskCheckpointSnapshot) => void;
  /** what job modules this slot loads (in a cluster: only the configured one) */
  readonly loadPolicy?: JobLoadPolicy;
  /** counts where the restored state files came from (local copies or checkpoint storage) */
  readonly restoreReads?: RestoreReads;
  /** aborted when the deployment is canceled: the state download and decoding stop */
  readonly signal?: AbortSignal;
}

export interface TaskDeploymentDescriptor {
  readonly jobId: string;
  readonly attempt: number;
  readonly jobUrl: string;
  readonly params: Record<string, string>;
  readonly parallelism: number;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  /** data address of the slot running each subtask, per vertex */
  readonly locations: Record<string, string[]>;
  readonly batchMode: boolean;
  readonly latencyTrackingIntervalMs: number;
  readonly restored?: Record<string, OperatorSnapshot[]>;
  /** the state files this subtask restores from (checkpoint or savepoint in storage) */
  readonly restore?: SubtaskRestore;
  /** the attempt restores from a snapshot (also true for a subtask that got no files) */
  readonly restoring?: boolean;
  /** wall-clock start of the attempt (epoch ms), the same for all its tasks */
  readonly startTime: number;
  /** local recovery (state.backend.local-recovery): keep local copies of checkpoints and restore from them */
  readonly localRecovery?: boolean;
}

export const executionId = (d: { jobId: string; attempt: number; vertexId: string; subtaskIndex: number }): string =>
  `${d.jobId}/${d.attempt}/${d.vertexId}/${d.subtaskIndex}`;

const graphs = new Map<string, Promise<{ graph: StreamGraph; jobGraph: JobGraph }>>();

async function graphsFor(d: TaskDeploymentDescriptor, policy: JobLoadPolicy = {}): Promise<{ graph: StreamGraph; jobGraph: JobGraph }> {
  const k = `${d.jobId}/${d.attempt}`;
  let g = graphs.get(k);
  if (!g) {
    g = loadJob(d.jobUrl, policy).then((job) => {
      const graph = buildStreamGraph(job, d.parallelism, d.params);
      return { graph, jobGraph: buildJobGraph(graph) };
    });
    graphs.set(k, g);
  }
  return g;
}

/**
 * Imports the job module and builds its graph once, without deploying: a standby TaskManager's
 * slots do this when the job starts, so the first deployment after a failover does not pay for a
 * cold import (about 0.4 s for the recovery benchmark's job under load).
 */
export async function prepareJob(p: { jobUrl: string; params: Record<string, string>; parallelism: number }, policy: JobLoadPolicy = {}): Promise<void> {
  buildJobGraph(buildStreamGraph(await loadJob(p.jobUrl, policy), p.parallelism, p.params));
}

export function forgetGraphs(jobId: string, attempt: number): void {
  graphs.delete(`${jobId}/${attempt}`);
}

export async function createTask(d: TaskDeploymentDescriptor, net: NetworkEnvironment, hooks: TaskHooks = {}): Promise<StreamTask> {
  const { graph, jobGraph } = await graphsFor(d, hooks.loadPolicy);
  let restored = d.restored;
  if (d.restore) {
    if (!hooks.stateIO) throw new Error('MR_ERR_RESTORE: this slot cannot read checkpoint storage');
    restored = await hooks.stateIO.load(d.restore, d.localRecovery === true ? { jobId: d.jobId } : undefined, hooks.restoreReads, hooks.signal);
  }
  // every process rebuilds the graph (operator code can't be shipped); a single StreamGraph per
  // slot would be shared by its tasks, but operator instances are created per task anyway.
  const vertex = jobGraph.vertices.find((v) => v.id === d.vertexId);
  if (!vertex) throw new Error(`MR_ERR_UNKNOWN_VERTEX: vertex ${d.vertexId} not in job graph; the job module must build the same graph everywhere (no randomness or environment-dependent branches)`);
  const byId = new Map(jobGraph.vertices.map((v) => [v.id, v]));
  const self = d.locations[vertex.id]![d.subtaskIndex]!;
  const s = d.subtaskIndex;
  const inputs: InputChannelInfo[] = [];
  for (const e of vertex.inputs) {
    const src = byId.get(e.source)!;
    for (const u of sourceSubtasks(e, src.parallelism, s)) {
      const key = channelKey(d.jobId, d.attempt, e.id, u, s);
      const reader = d.locations[src.id]![u] === self ? net.localChannel(key) : net.inputChannel(key, e.recordType);
      inputs.push({ reader, inputIndex: e.inputIndex });
    }
  }
  const outputs: TaskOutputSpec[] = vertex.outputs.map((e) => {
    const dst = byId.get(e.target)!;
    const channels = targetSubtasks(e, dst.parallelism, s).map((t) => {
      const key = channelKey(d.jobId, d.attempt, e.id, s, t);
      const at = d.locations[dst.id]![t]!;
      return at === self ? net.localChannel(key) : net.outputChannel(at, key, e.recordType);
    });
    return { edge: e, targetParallelism: dst.parallelism, channels };
  });
  return new StreamTask({
    jobId: d.jobId, attempt: d.attempt, graph, vertex, subtaskIndex: s, inputs, outputs, restored,
    batchMode: d.batchMode, latencyTrackingIntervalMs: d.latencyTrackingIntervalMs, startTime: d.startTime,
    restoring: d.restoring === true || d.restore !== undefined, onCheckpoint: hooks.onCheckpoint,
  });
}
