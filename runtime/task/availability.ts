// A one-shot "something is available" signal, as Flink's AvailabilityProvider: a waiter awaits
// `next()`, a producer calls `notify()`. Shared by the input gate and the mailbox.

export class AvailabilitySignal {
  private wake: (() => void) | undefined;

  /** Resolves at the next notify() (at once if `ready`). */
  next(ready: boolean): Promise<void> {
    if (ready) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  notify(): void {
    const w = this.wake;
    if (w) {
      this.wake = undefined;
      w();
    }
  }
}
