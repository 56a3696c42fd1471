// When the sink closes an in-progress file and starts a new one (Flink's DefaultRollingPolicy):
// at the configured size, after the rollover interval since the file was opened, or after the
// inactivity interval without writes. Every checkpoint also closes the open files (as Flink does
// for bulk formats), so a file's data becomes visible when the next checkpoint completes. Time
// conditions are checked at most once per check interval. Pure: the clock is passed in.

export interface RollingPolicy {
  readonly fileSizeBytes: number;
  readonly rolloverIntervalMs: number;
  readonly inactivityIntervalMs: number;
  readonly checkIntervalMs: number;
}

/** Flink's defaults: 128 MB, 30 min, 30 min, 1 min. */
export const DEFAULT_ROLLING_POLICY: RollingPolicy = {
  fileSizeBytes: 128 * 1024 * 1024,
  rolloverIntervalMs: 30 * 60_000,
  inactivityIntervalMs: 30 * 60_000,
  checkIntervalMs: 60_000,
};

export interface OpenFileStats {
  readonly bytes: number;
  readonly openedAt: number;
  readonly lastWriteAt: number;
}

export const rollsOnSize = (p: RollingPolicy, f: OpenFileStats): boolean => f.bytes >= p.fileSizeBytes;

export const rollsOnTime = (p: RollingPolicy, f: OpenFileStats, now: number): boolean =>
  now - f.openedAt >= p.rolloverIntervalMs || now - f.lastWriteAt >= p.inactivityIntervalMs;
