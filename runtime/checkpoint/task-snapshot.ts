// What a task hands back from a checkpoint: each operator's state bytes as of the barrier and the
// timings of the checkpoint's phases. Types only; the checkpoint upload code (task-state-io.ts)
// and the task (task/task-checkpoints.ts) share them without the checkpoint code importing the task.

import type { KeyGroupRange } from '../keys/key-groups.ts';

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
