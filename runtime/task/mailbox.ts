// The task's mailbox: control actions (processing-time timers, cancellation, later checkpoint
// triggers) queued from outside and run by the task loop between batches, never mid-batch.

import { AvailabilitySignal } from './availability.ts';

export class Mailbox {
  private readonly mails: Array<() => void> = [];
  private readonly signal = new AvailabilitySignal();

  put(mail: () => void): void {
    this.mails.push(mail);
    this.signal.notify();
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
    return this.signal.next(this.mails.length > 0);
  }

  /** Wakes a pending available() without mail (used when input arrives). */
  interrupt(): void {
    this.signal.notify();
  }
}
