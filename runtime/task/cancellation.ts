// A task's cancellation: a flag the loop checks between turns and a promise every wait of the
// loop races against, so a canceled task wakes at once wherever it waits.

/** Thrown inside a task that was canceled; the slot reports the task CANCELED (Flink's spelling). */
export class TaskCanceledError extends Error {
  readonly code = 'MR_ERR_TASK_CANCELED';
}

export class Cancellation {
  private canceled = false;
  private wake: (() => void) | undefined;
  /** Resolves when the task is canceled (never rejects). */
  readonly promise: Promise<void>;

  constructor() {
    this.promise = new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  get isCanceled(): boolean {
    return this.canceled;
  }

  cancel(): void {
    this.canceled = true;
    this.wake?.();
  }

  /** Throws TaskCanceledError once canceled (the loop calls it at every turn). */
  check(taskName: string): void {
    if (this.canceled) throw new TaskCanceledError(`task ${taskName} was canceled`);
  }
}
