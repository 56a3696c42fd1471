// Which TaskManager pods a job runs on, from the JobManager's view (subtask → TaskManager id →
// its REST address) and the pods' IPs (pure). The node-tier recovery bench deletes one of these,
// and afterwards checks the restarted attempt ran only on pods that existed before the deletion
// (the standby), not on the pod created to replace the deleted one.

export interface TaskManagerPod {
  readonly name: string;
  readonly uid: string;
  readonly ip: string;
}

export interface JobPlacement {
  readonly vertices: ReadonlyArray<{ readonly subtasks: ReadonlyArray<{ readonly taskManagerId?: string }> }>;
}

export interface RegisteredTaskManager {
  readonly id: string;
  /** http://<pod IP>:<port> on the node tier */
  readonly restUrl: string;
}

/** The pods that host a subtask of the job, by name; a TaskManager whose address matches no pod is left out. */
export function hostingPods(job: JobPlacement, taskManagers: readonly RegisteredTaskManager[], pods: readonly TaskManagerPod[]): TaskManagerPod[] {
  const ids = new Set(job.vertices.flatMap((v) => v.subtasks.map((s) => s.taskManagerId).filter((id): id is string => id !== undefined)));
  const ipOf = new Map(taskManagers.map((tm) => [tm.id, hostOf(tm.restUrl)]));
  const ips = new Set([...ids].map((id) => ipOf.get(id)).filter((ip): ip is string => ip !== undefined));
  return pods.filter((p) => ips.has(p.ip)).sort((a, b) => a.name.localeCompare(b.name));
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** Whether every hosting pod existed before the deletion (same name and uid): the restart went to the standby, not to the replacement. */
export function ranOnPodsFromBefore(hosting: readonly TaskManagerPod[], before: readonly TaskManagerPod[]): boolean {
  const uids = new Set(before.map((p) => p.uid));
  return hosting.length > 0 && hosting.every((p) => uids.has(p.uid));
}
