// What a counted failure leads to (Flink's ExecutionFailureHandler): the restart strategy (Flink's
// RestartBackoffTimeStrategy) says whether and after how long to restart, the restore choice drops
// a snapshot the failure found damaged. Pure, driven by the time it is given: the job master then
// cancels, releases and restarts or fails.

import type { RestartStrategy } from '../restart-strategy.ts';
import type { RestoreChoice, UnusableSnapshot } from './restore-choice.ts';

export interface FailureHandling {
  readonly timestamp: number;
  readonly cause: string;
  /** the snapshot the failed attempt restored from, when the failure found it damaged */
  readonly unusable: UnusableSnapshot | undefined;
  /** delay before the restart (all tasks, a new attempt); undefined: the job fails */
  readonly restartDelayMs: number | undefined;
}

export class FailureHandler {
  private readonly restart: RestartStrategy;
  private readonly restoreChoice: RestoreChoice;

  constructor(restart: RestartStrategy, restoreChoice: RestoreChoice) {
    this.restart = restart;
    this.restoreChoice = restoreChoice;
  }

  /** A failure of the running attempt (or of its restart) at `now`. */
  handle(cause: string, now: number): FailureHandling {
    const unusable = this.restoreChoice.failedWith(cause);
    return { timestamp: now, cause, unusable, restartDelayMs: this.restart.onFailure(now) };
  }
}
