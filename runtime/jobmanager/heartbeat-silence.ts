// How long a TaskManager has been silent, counting only the time the JobManager could hear it.
// Heartbeats are HTTP requests that the JobManager's event loop reads. While that loop is blocked
// (the first import of a large job module: the SQL planner's takes ~5 s of one core on a loaded
// 2-core machine; a long GC pause), heartbeats wait unread in its sockets, and after the block the
// periodic check runs before they are read (Node runs due timers before polling I/O). Measured by
// the wall clock, every TaskManager then looked silent for the whole block and was declared lost:
// a job deployed right after its module was imported failed with MR_ERR_TASKMANAGER_LOST although
// its TaskManager was alive (restart strategy none: FAILED before its first record). The checks
// measure the blocks themselves: a check that runs much later than its interval says the loop was
// blocked for the delay, and that deaf time is not counted as silence. A TaskManager that really
// died is still found once it was silent for the timeout while the JobManager listened. Pure.

export class HeartbeatSilence {
  private readonly checkIntervalMs: number;
  private lastCheckAt: number | undefined;
  /** total time the JobManager's event loop was blocked, as the checks measured it */
  private deafMs = 0;

  /** `checkIntervalMs`: how often checked() is called when the event loop is free. */
  constructor(checkIntervalMs: number) {
    this.checkIntervalMs = checkIntervalMs;
  }

  /**
   * A periodic check runs at `now`. A delay of more than one interval beyond the interval is a
   * block of the event loop (smaller delays are the jitter of a busy machine and count as heard).
   * Returns the deaf time this check found (0: none).
   */
  checked(now: number): number {
    const delay = this.lastCheckAt === undefined ? 0 : now - this.lastCheckAt - this.checkIntervalMs;
    this.lastCheckAt = now;
    if (delay <= this.checkIntervalMs) return 0;
    this.deafMs += delay;
    return delay;
  }

  /** What to keep with a heartbeat (or registration) received now: the deaf time so far. */
  mark(): number {
    return this.deafMs;
  }

  /** Silence of a TaskManager last heard at `lastHeardAt` (with `markThen` = mark() then), without deaf time. */
  silenceMs(now: number, lastHeardAt: number, markThen: number): number {
    return now - lastHeardAt - (this.deafMs - markThen);
  }
}
