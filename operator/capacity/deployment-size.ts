// How many pods and CU a Deployment needs; the admission unit is the whole deployment.
import { sumCU } from './compute-units.ts';

export interface DeploymentShape {
  parallelism: number;
  jobManager: { cu: number };
  taskManager: { cu: number; slots: number };
}

export interface DeploymentSize {
  taskManagers: number;
  requiredCU: number;
}

export function deploymentSize(spec: DeploymentShape): DeploymentSize {
  const taskManagers = Math.ceil(spec.parallelism / spec.taskManager.slots);
  const requiredCU = sumCU([spec.jobManager.cu, ...Array.from({ length: taskManagers }, () => spec.taskManager.cu)]);
  return { taskManagers, requiredCU };
}
