// The task's processing time: a Clock that also schedules callbacks, delivered through the task's
// mailbox so they never run in the middle of processing a batch (task/processing-time.ts has the
// system and the manual implementation). Unlike TimerClock's setTimeout, a callback gets its time.

import type { Clock } from './clock.ts';

export interface ProcessingTimeService extends Clock {
  /** Runs `callback` (inside the task mailbox) at or after `time`; returns a canceller. */
  schedule(time: number, callback: (time: number) => void): () => void;
}
