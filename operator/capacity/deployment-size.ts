// How many pods and CU a Deployment needs; the admission unit is the whole deployment.
import { sumCU } from './compute-units.ts';

export interface DeploymentShape {
  parallelism: number;
  jobManager: { cu: number };
  taskManager: { cu: number; slots: number; standby?: number };
}

export interface DeploymentSize {
  /** All TaskManager pods: those the parallelism needs plus the standby ones. */
  taskManagers: number;
  /** Of those, kept free by the JobManager for a failover (spec.taskManager.standby). */
  standby: number;
  requiredCU: number;
}

/**
 * TaskManagers = ceil(parallelism / slots) + standby. A standby TaskManager is a whole pod like
 * the others, so its CU count against the queue (admission and the queue's ResourceQuota alike):
 * a failover without waiting for a new pod is paid for with capacity held while nothing fails.
 */
export function deploymentSize(spec: DeploymentShape): DeploymentSize {
  const standby = spec.taskManager.standby ?? 0;
  const taskManagers = Math.ceil(spec.parallelism / spec.taskManager.slots) + standby;
  const requiredCU = sumCU([spec.jobManager.cu, ...Array.from({ length: taskManagers }, () => spec.taskManager.cu)]);
  return { taskManagers, standby, requiredCU };
}
