// Runs a whole job inside the current thread: every subtask is a StreamTask, every channel a
// LocalChannel. Used by tests (fast, deterministic) and as the reference for the distributed path:
// the tasks are exactly the ones a TaskManager slot runs.

import { buildStreamGraph, type JobDefinition } from '../api/environment.ts';
import { buildJobGraph, type JobGraph } from '../graph/job-graph.ts';
import { sourceSubtasks, targetSubtasks } from '../graph/channel-plan.ts';
import type { StreamGraph } from '../graph/stream-graph.ts';
import { LocalChannel } from '../network/local-channel.ts';
import type { OperatorSnapshot } from '../state/state-file-format.ts';
import type { ProcessingTimeService } from '../time/processing-time-service.ts';
import type { InputChannelInfo } from '../task/input-gate.ts';
import { StreamTask, type TaskCheckpointSnapshot, type TaskOutputSpec } from '../task/stream-task.ts';

export interface LocalExecutionOptions {
  readonly parallelism?: number;
  readonly params?: Record<string, string>;
  readonly jobId?: string;
  readonly processingTimeService?: ProcessingTimeService;
  readonly restored?: Readonly<Record<string, OperatorSnapshot[]>>;
  /** per subtask instead of `restored` (state assigned by checkpoint/state-assignment.ts) */
  readonly restoredFor?: (vertexId: string, subtaskIndex: number) => Readonly<Record<string, OperatorSnapshot[]>> | undefined;
  /** receives each task's checkpoint snapshot (the SQL client's stop-with-savepoint) */
  readonly onCheckpoint?: (snapshot: TaskCheckpointSnapshot) => void;
  readonly batchMode?: boolean;
}

export interface LocalExecution {
  readonly graph: StreamGraph;
  readonly jobGraph: JobGraph;
  readonly tasks: StreamTask[];
  /** resolves when every task finished; rejects with the first failure (others are canceled) */
  readonly done: Promise<void>;
  cancel(): void;
}

export function createLocalTasks(graph: StreamGraph, jobGraph: JobGraph, opts: LocalExecutionOptions = {}): StreamTask[] {
  const jobId = opts.jobId ?? 'local';
  const byId = new Map(jobGraph.vertices.map((v) => [v.id, v]));
  // channels[edgeId][from][to]
  const channels = new Map<string, LocalChannel>();
  const ch = (edgeId: number, from: number, to: number): LocalChannel => {
    const k = `${edgeId}/${from}/${to}`;
    let c = channels.get(k);
    if (!c) {
      c = new LocalChannel();
      channels.set(k, c);
    }
    return c;
  };
  const tasks: StreamTask[] = [];
  for (const v of jobGraph.vertices) {
    for (let s = 0; s < v.parallelism; s++) {
      const inputs: InputChannelInfo[] = [];
      for (const e of v.inputs) {
        const src = byId.get(e.source)!;
        for (const u of sourceSubtasks(e, src.parallelism, s)) inputs.push({ reader: ch(e.id, u, s), inputIndex: e.inputIndex });
      }
      const outputs: TaskOutputSpec[] = v.outputs.map((e) => {
        const dst = byId.get(e.target)!;
        return { edge: e, targetParallelism: dst.parallelism, channels: targetSubtasks(e, dst.parallelism, s).map((d) => ch(e.id, s, d)) };
      });
      tasks.push(new StreamTask({
        jobId, attempt: 0, graph, vertex: v, subtaskIndex: s, inputs, outputs, restored: opts.restoredFor?.(v.id, s) ?? opts.restored,
        processingTimeService: opts.processingTimeService, batchMode: opts.batchMode, ...(opts.onCheckpoint ? { onCheckpoint: opts.onCheckpoint } : {}),
      }));
    }
  }
  return tasks;
}

export function executeLocally(job: JobDefinition, opts: LocalExecutionOptions = {}): LocalExecution {
  const graph = buildStreamGraph(job, opts.parallelism ?? 1, opts.params ?? {});
  const jobGraph = buildJobGraph(graph);
  const tasks = createLocalTasks(graph, jobGraph, opts);
  const cancel = () => tasks.forEach((t) => t.cancel());
  const done = Promise.all(tasks.map((t) => t.run().catch((err: unknown) => {
    cancel();
    throw err;
  }))).then(() => undefined);
  return { graph, jobGraph, tasks, done, cancel };
}
