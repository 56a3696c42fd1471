// What both task loops (source-loop.ts, input-loop.ts) share: the parts of the task they drive
// and the start of every turn — stop if canceled, run the mailbox's control actions, and wait
// for output capacity (flushing first) instead of producing into full writers.

import type { Clock } from '../time/clock.ts';
import type { Cancellation } from './cancellation.ts';
import type { LoadMeter } from './load-meter.ts';
import type { Mailbox } from './mailbox.ts';
import type { TaskWriters } from './task-writers.ts';

export interface LoopParts {
  readonly taskName: string;
  readonly mailbox: Mailbox;
  readonly cancellation: Cancellation;
  readonly writers: TaskWriters;
  readonly load: LoadMeter;
  /** monotonic */
  readonly clock: Clock;
  /** assigners in the chain emit their periodic watermarks (Flink's auto-watermark interval) */
  readonly periodicWatermarks: () => void;
}

/** Lets the slot's other tasks, the mailbox's timers and the network run. */
export const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The start of a turn: throws when canceled, drains the mailbox; when some writer is full it
 * flushes and returns false: the loop then awaits `writers.waitAvailable()` and starts the turn
 * again. Synchronous, so a turn with capacity costs no extra promise.
 */
export function beginTurn(p: LoopParts): boolean {
  p.cancellation.check(p.taskName);
  p.mailbox.drain();
  if (p.writers.available()) return true;
  p.writers.flush();
  return false;
}
