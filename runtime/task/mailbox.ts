// The task's mailbox: control actions (processing-time timers, cancellation, later checkpoint
// triggers) queued from outside and run by the task loop between batches, never mid-batch.

export class Mailbox {
  private readonly mails: Array<() => void> = [];
  private wake: (() => void) | undefined;

  put(mail: () => void): void {
    this.mails.push(mail);
    const w = this.wake;
    if (w) {
      this.wake = undefined;
      w();
    }
  }

  hasMail(): boolean {
    return this.mails.length > 0;
  }

  /** Runs all queued mail (mail queued while running runs too). */
  drain(): void {
    while (this.mails.length > 0) this.mails.shift()!();
  }

  /** Resolves when mail arrives. */
  available(): Promise<void> {
    if (this.mails.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Wakes a pending available() without mail (used when input arrives). */
  interrupt(): void {
    const w = this.wake;
    if (w) {
      this.wake = undefined;
      w();
    }
  }
}
