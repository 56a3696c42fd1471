// Messages between a TaskManager process and its slot worker threads.

import type { CheckpointAck, CheckpointDecline, NotifyCheckpointAborted, NotifyCheckpointComplete, TriggerCheckpoint } from '../checkpoint/messages.ts';
import type { TaskMetrics } from '../task/stream-task.ts';
import type { TaskDeploymentDescriptor } from './deployment.ts';

export type TaskState = 'DEPLOYING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

export type ToSlot =
  | { type: 'deploy'; tdd: TaskDeploymentDescriptor }
  /** jobId '*': every task (the JobManager that deployed them is gone) */
  | { type: 'cancel'; jobId: string; attempt: number }
  | { type: 'trigger-checkpoint'; trigger: TriggerCheckpoint }
  | { type: 'checkpoint-complete'; notify: NotifyCheckpointComplete }
  | { type: 'checkpoint-aborted'; notify: NotifyCheckpointAborted }
  | { type: 'shutdown' };

export type FromSlot =
  | { type: 'ready'; address: string }
  | { type: 'task-state'; executionId: string; jobId: string; attempt: number; vertexId: string; subtaskIndex: number; state: TaskState; error?: string; metrics?: TaskMetrics; lastCheckpointId?: number }
  | { type: 'metrics'; jobId: string; attempt: number; tasks: TaskMetrics[] }
  | { type: 'checkpoint-ack'; ack: CheckpointAck }
  | { type: 'checkpoint-decline'; decline: CheckpointDecline };
