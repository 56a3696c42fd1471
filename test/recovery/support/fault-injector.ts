// Carries out a fault plan against a running job: before each fault it waits until the job runs
// again (a new attempt since the previous fault, all its subtasks running, input flowing), then
// waits the planned delay and SIGKILLs the target. A job that ends before the plan is done is an error: the input was too
// small for the plan, and the test would prove less than it claims.

import { describeFault, type Fault } from './fault-plan.ts';
import { isRunning, TERMINAL, waitFor, type JobApi } from './job-api.ts';
import type { RecoveryCluster } from './recovery-cluster.ts';

export interface InjectedFault {
  readonly fault: Fault;
  readonly at: number;
  readonly pid: number | undefined;
  /** Job attempt when the kill happened. */
  readonly attempt: number;
}

export interface FaultInjectionOptions {
  readonly cluster: RecoveryCluster;
  readonly api: JobApi;
  readonly jobId: string;
  readonly plan: readonly Fault[];
  readonly log: (line: string) => void;
  /** How long a recovery may take before the test gives up. */
  readonly recoveryTimeoutMs?: number;
  /** Extra condition before a kill, e.g. "a checkpoint completed since the last one". */
  readonly ready?: () => Promise<boolean>;
}

export async function injectFaults(o: FaultInjectionOptions): Promise<InjectedFault[]> {
  const done: InjectedFault[] = [];
  let lastAttempt = -1;
  for (const [i, fault] of o.plan.entries()) {
    const running = await waitFor(`the job to run again before fault ${i + 1}`, async () => {
      const s = await o.api.job(o.jobId);
      if (TERMINAL.has(s.state)) {
        throw new Error(`MR_ERR_JOB_ENDED: job ended ${s.state} after ${done.length} of ${o.plan.length} faults; give it more input (or a lower rate) so every fault hits a running job`);
      }
      const flowing = s.vertices.every((v) => v.recordsIn > 0 || v.isSource);
      // the JobManager may not have noticed the last kill yet: wait for the attempt after it
      if (!isRunning(s) || s.attempt <= lastAttempt || !flowing) return undefined;
      return (o.ready ? await o.ready() : true) ? s : undefined;
    }, o.recoveryTimeoutMs ?? 120_000);
    await new Promise((r) => setTimeout(r, fault.delayMs));
    const pid = fault.target.role === 'jobmanager' ? o.cluster.killJobManager() : o.cluster.killTaskManager(fault.target.index);
    const injected = { fault, at: Date.now(), pid, attempt: running.attempt };
    lastAttempt = running.attempt;
    done.push(injected);
    o.log(`fault ${i + 1}/${o.plan.length}: ${describeFault(fault)} (pid ${pid ?? 'none: not running'}, attempt ${running.attempt})`);
  }
  return done;
}
