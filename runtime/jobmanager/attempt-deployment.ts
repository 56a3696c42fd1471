// The deployment descriptors of one attempt: subtask i of every vertex goes to slot i, and each
// learns where every other subtask runs (its data address) and which state files it restores.
// Pure: the job master sends them.

import { taskKey } from '../checkpoint/messages.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { TaskDeploymentDescriptor } from '../taskmanager/deployment.ts';
import type { RestoreSource } from './failover/restore-choice.ts';
import type { JobSpec } from './job-spec.ts';
import type { SlotInfo } from './resource-manager.ts';

export interface TaskDeployment {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  /** the task as errors name it: vertex name (i+1/parallelism) */
  readonly task: string;
  readonly slot: SlotInfo;
  readonly tdd: TaskDeploymentDescriptor;
}

export interface AttemptToDeploy {
  readonly jobId: string;
  readonly attempt: number;
  readonly spec: JobSpec;
  readonly jobGraph: JobGraph;
  readonly slots: readonly SlotInfo[];
  readonly restore: RestoreSource | undefined;
  readonly startTime: number;
}

/** One deployment per subtask, vertex by vertex in the job graph's order. */
export function attemptDeployments(a: AttemptToDeploy): TaskDeployment[] {
  const { spec, restore } = a;
  const locations: Record<string, string[]> = {};
  for (const v of a.jobGraph.vertices) locations[v.id] = Array.from({ length: v.parallelism }, (_, i) => a.slots[i]!.address);
  const out: TaskDeployment[] = [];
  for (const v of a.jobGraph.vertices) {
    for (let i = 0; i < v.parallelism; i++) {
      const tdd: TaskDeploymentDescriptor = {
        jobId: a.jobId, attempt: a.attempt, jobUrl: spec.jobUrl, params: spec.params, parallelism: spec.parallelism,
        vertexId: v.id, subtaskIndex: i, locations, batchMode: spec.batchMode, latencyTrackingIntervalMs: spec.latencyTrackingIntervalMs, startTime: a.startTime,
        ...(spec.localRecovery ? { localRecovery: true } : {}),
        ...(restore ? {
          restoring: true,
          restore: { storageUri: restore.snapshot.target.storageUri, dir: restore.snapshot.target.dir, checkpointId: restore.snapshot.checkpointId, files: restore.assignment.files.get(taskKey(v.id, i)) ?? {} },
        } : {}),
      };
      out.push({ vertexId: v.id, subtaskIndex: i, task: `${v.name} (${i + 1}/${v.parallelism})`, slot: a.slots[i]!, tdd });
    }
  }
  return out;
}
