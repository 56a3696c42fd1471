// What a task is given (its spec). Types only: the TaskManager's deployment and the local
// executor import them (through stream-task.ts) without pulling in the task loop. What a task
// hands back from a checkpoint lives in checkpoint/task-snapshot.ts (re-exported here).

import type { JobEdge, JobVertex } from '../graph/job-graph.ts';
import type { StreamGraph } from '../graph/stream-graph.ts';
import type { SliceOptions } from '../checkpoint/async-snapshot.ts';
import type { ChannelWriter } from '../network/buffers.ts';
import type { OperatorSnapshot } from '../state/state-file-format.ts';
import type { ProcessingTimeService } from '../time/processing-time-service.ts';
import type { InputChannelInfo } from './input-gate.ts';
import type { TaskCheckpointSnapshot } from '../checkpoint/task-snapshot.ts';

export type { OperatorStateBytes, TaskCheckpointSnapshot } from '../checkpoint/task-snapshot.ts';

export interface TaskOutputSpec {
  readonly edge: JobEdge;
  readonly targetParallelism: number;
  readonly channels: ChannelWriter[];
}

export interface TaskSpec {
  readonly jobId: string;
  readonly attempt: number;
  readonly graph: StreamGraph;
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly inputs: InputChannelInfo[];
  readonly outputs: TaskOutputSpec[];
  /** operator uid → snapshots to restore (one per previous subtask whose key groups overlap) */
  readonly restored?: Readonly<Record<string, OperatorSnapshot[]>>;
  readonly processingTimeService?: ProcessingTimeService;
  readonly batchMode?: boolean;
  /** Source tasks emit a latency marker this often (0 = off). */
  readonly latencyTrackingIntervalMs?: number;
  /** wall-clock start of this attempt (epoch ms): sources pace from it, sinks measure latency to it */
  readonly startTime?: number;
  /**
   * The attempt restores from a snapshot: a source subtask that got no state (a rescale to more
   * subtasks) must not start from the beginning.
   */
  readonly restoring?: boolean;
  /** Receives each snapshot once serialized; uploads it and acknowledges asynchronously. */
  readonly onCheckpoint?: (snapshot: TaskCheckpointSnapshot) => void;
  /** How the asynchronous part of a checkpoint slices its work (tests pass their own clock). */
  readonly snapshotSlices?: SliceOptions;
}

export interface CheckpointTriggerOptions {
  /** stop-with-savepoint --drain: sources emit the final watermark (all windows fire) before the barrier */
  readonly drain?: boolean;
}
