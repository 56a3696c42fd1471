// Which subtasks of two connected vertices are connected by a channel: forward edges connect
// subtask i to subtask i only; every other partitioner connects all to all.

import type { JobEdge } from './job-graph.ts';

export function targetSubtasks(edge: JobEdge, targetParallelism: number, sourceSubtask: number): number[] {
  if (edge.partitioner === 'forward') return [sourceSubtask];
  return Array.from({ length: targetParallelism }, (_, i) => i);
}

export function sourceSubtasks(edge: JobEdge, sourceParallelism: number, targetSubtask: number): number[] {
  if (edge.partitioner === 'forward') return [targetSubtask];
  return Array.from({ length: sourceParallelism }, (_, i) => i);
}

/** Stable name of one channel of one attempt. */
export function channelKey(jobId: string, attempt: number, edgeId: number, from: number, to: number): string {
  return `${jobId}/${attempt}/${edgeId}/${from}/${to}`;
}
