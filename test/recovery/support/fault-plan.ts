// Which process to kill and when, decided up front from a seed (pure), so a run is replayable.
// Moments are delays measured from the moment the job runs again after the previous fault:
// a kill then always hits a running job (never a job still recovering from the last kill),
// while the delay lands it anywhere in processing, checkpointing or committing.

import type { SeededRandom } from './seeded-random.ts';

export type FaultTarget = { readonly role: 'taskmanager'; readonly index: number } | { readonly role: 'jobmanager' };

export interface Fault {
  /** Wait this long after the job is running again, then SIGKILL the target. */
  readonly delayMs: number;
  readonly target: FaultTarget;
}

export interface FaultPlanOptions {
  readonly taskManagerKills: number;
  readonly jobManagerKills: number;
  readonly taskManagers: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export function planFaults(random: SeededRandom, o: FaultPlanOptions): Fault[] {
  if (o.taskManagers < 1) throw new Error(`MR_ERR_FAULT_PLAN: taskManagers must be at least 1, got ${o.taskManagers}`);
  if (o.minDelayMs < 0 || o.maxDelayMs < o.minDelayMs) {
    throw new Error(`MR_ERR_FAULT_PLAN: need 0 <= minDelayMs <= maxDelayMs, got ${o.minDelayMs} and ${o.maxDelayMs}`);
  }
  const targets: FaultTarget[] = [];
  for (let i = 0; i < o.taskManagerKills; i++) targets.push({ role: 'taskmanager', index: random.int(0, o.taskManagers - 1) });
  // The JobManager kills go to random places among the TaskManager kills.
  for (let i = 0; i < o.jobManagerKills; i++) targets.splice(random.int(0, targets.length), 0, { role: 'jobmanager' });
  return targets.map((target) => ({ delayMs: random.int(o.minDelayMs, o.maxDelayMs), target }));
}

export function describeFault(fault: Fault): string {
  const who = fault.target.role === 'jobmanager' ? 'JobManager' : `TaskManager ${fault.target.index}`;
  return `SIGKILL ${who} ${fault.delayMs} ms after the job runs`;
}
