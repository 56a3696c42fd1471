// Messages between a TaskManager process and its slot worker threads.

import type { TaskMetrics } from '../task/stream-task.ts';
import type { TaskDeploymentDescriptor } from './deployment.ts';

export type TaskState = 'DEPLOYING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

export type ToSlot =
  | { type: 'deploy'; tdd: TaskDeploymentDescriptor }
  | { type: 'cancel'; jobId: string; attempt: number }
  | { type: 'shutdown' };

export type FromSlot =
  | { type: 'ready'; address: string }
  | { type: 'task-state'; executionId: string; jobId: string; attempt: number; vertexId: string; subtaskIndex: number; state: TaskState; error?: string; metrics?: TaskMetrics }
  | { type: 'metrics'; jobId: string; attempt: number; tasks: TaskMetrics[] };
