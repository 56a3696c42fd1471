// What a task is given (its spec) and what it hands back from a checkpoint. Types only: the
// TaskManager's deployment, the local executor and the checkpoint upload code import them
// (through stream-task.ts) without pulling in the task loop.

import type { JobEdge, JobVertex } from '../graph/job-graph.ts';
import type { KeyGroupRange } from '../graph/key-groups.ts';
import type { StreamGraph } from '../graph/stream-graph.ts';
import type { SliceOptions } from '../checkpoint/async-snapshot.ts';
import type { ChannelWriter } from '../network/buffers.ts';
import type { OperatorSnapshot } from '../state/state-file-format.ts';
import type { ProcessingTimeService } from '../state/timer-service.ts';
import type { InputChannelInfo } from './input-gate.ts';

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

/** One operator's state in a checkpoint, as of the barrier (serialized after it, in slices). */
export interface OperatorStateBytes {
  readonly operatorUid: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** keyed operators: the key groups the state covers */
  readonly keyGroupRange?: KeyGroupRange;
  /** the state file's bytes (JSON lines, state/state-file-format.ts) */
  readonly chunks: Buffer[];
  /** source subtasks: their position (also inside bytes), shown in _metadata */
  readonly sourcePosition?: unknown;
}

export interface TaskCheckpointSnapshot {
  readonly checkpointId: number;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly states: OperatorStateBytes[];
  /** time from the first barrier to the last (0 for sources) */
  readonly alignmentMs: number;
  /** time the task stood still for the checkpoint: capturing views of its state, not serializing it */
  readonly syncMs: number;
  /** time the task's thread spent serializing the state afterwards, in slices between records */
  readonly serializeMs: number;
  /** from the barrier to the last slice of serialization (wall time) */
  readonly serializeWallMs: number;
}

export interface CheckpointTriggerOptions {
  /** stop-with-savepoint --drain: sources emit the final watermark (all windows fire) before the barrier */
  readonly drain?: boolean;
}
