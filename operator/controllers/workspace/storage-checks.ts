// When a Workspace's bucket is checked again (pure, clock passed in). The check costs a
// HeadBucket and seven PutObjects, while a Workspace is reconciled whenever a Deployment of
// it changes phase or size (its USED column): the last result is reused until it is due again
// (ready: every few minutes; failing: every 30 s) or the spec changes (a new generation).
import type { ConditionInput } from '../../kube/conditions.ts';

export interface StorageCheckTimes {
  /** Between checks of a bucket that was reachable. */
  readyMs: number;
  /** Between checks of a bucket that was not. */
  failingMs: number;
}

interface Remembered { generation: number | undefined; at: number; condition: ConditionInput }

export class StorageChecks {
  private readonly last = new Map<string, Remembered>();
  private readonly times: StorageCheckTimes;

  constructor(times: StorageCheckTimes) { this.times = times; }

  /** The last result for this Workspace if it is still good at `now`, and how long it stays so. */
  fresh(name: string, generation: number | undefined, now: number): { condition: ConditionInput; dueInMs: number } | undefined {
    const r = this.last.get(name);
    if (!r || r.generation !== generation) return undefined;
    const dueInMs = r.at + (r.condition.status === 'True' ? this.times.readyMs : this.times.failingMs) - now;
    return dueInMs > 0 ? { condition: r.condition, dueInMs } : undefined;
  }

  record(name: string, generation: number | undefined, now: number, condition: ConditionInput): void {
    this.last.set(name, { generation, at: now, condition });
  }

  forget(name: string): void { this.last.delete(name); }
}
