// Messages between a TaskManager process and its slot worker threads.

import type { JobLoadPolicy } from '../artifacts/job-loader.ts';
import type { CheckpointAck, CheckpointDecline, NotifyCheckpointAborted, NotifyCheckpointComplete, TriggerCheckpoint } from '../checkpoint/messages.ts';
import type { TaskMetrics } from '../metrics/task-metrics.ts';
import type { RestoreReads } from '../checkpoint/task-state-io.ts';
import type { TaskDeploymentDescriptor } from './deployment.ts';

export type TaskState = 'DEPLOYING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

/** What a slot worker starts with. */
export interface SlotWorkerData {
  readonly host: string;
  /** the Deployment key's text (cluster): data connections are authenticated with it */
  readonly keySecret?: string;
  readonly loadPolicy: JobLoadPolicy;
  /** where the TaskManager keeps local copies of checkpoint state (local recovery); absent: none kept */
  readonly localStateDir?: string;
}

export type ToSlot =
  | { type: 'deploy'; tdd: TaskDeploymentDescriptor }
  /** import the job module and build its graph ahead of a deployment (standby warm-up) */
  | { type: 'prepare'; jobUrl: string; params: Record<string, string>; parallelism: number }
  /** jobId '*': every task (the JobManager that deployed them is gone) */
  | { type: 'cancel'; jobId: string; attempt: number }
  | { type: 'trigger-checkpoint'; trigger: TriggerCheckpoint }
  | { type: 'checkpoint-complete'; notify: NotifyCheckpointComplete }
  | { type: 'checkpoint-aborted'; notify: NotifyCheckpointAborted }
  | { type: 'shutdown' };

export type FromSlot =
  | { type: 'ready'; address: string }
  | { type: 'task-state'; executionId: string; jobId: string; attempt: number; vertexId: string; subtaskIndex: number; state: TaskState; error?: string; metrics?: TaskMetrics; lastCheckpointId?: number;
    /** RUNNING: how long the deployment took (job module, channels, state download and restore), for the log */
    deployMs?: number; restored?: boolean;
    /** RUNNING after a restore: how many state files and bytes came from local copies and from checkpoint storage */
    stateReads?: RestoreReads }
  | { type: 'metrics'; jobId: string; attempt: number; tasks: TaskMetrics[] }
  | { type: 'checkpoint-ack'; ack: CheckpointAck }
  | { type: 'checkpoint-decline'; decline: CheckpointDecline }
  /** a data connection was refused (bad handshake or frame): logged by the TaskManager with the peer */
  | { type: 'peer-refused'; peer: string; code: string; reason: string }
  /** keeping or deleting a local copy of state failed (logged; checkpoints and restores go on with the remote copy) */
  | { type: 'local-copy-failed'; reason: string };
