// Pure figures of the recovery benchmark: summaries of repeated measurements, recovery time
// from progress markers, and the throughput cost of checkpointing.

import type { ProgressMarker } from '../../examples/recovery/progress-sink.ts';

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly mean: number;
}

/** min/median/max/mean of the values; null for none. The median of an even count is the mean of the middle two. */
export function summarize(values: readonly number[]): Summary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, min: sorted[0]!, median, max: sorted.at(-1)!, mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/** Progress markers from the JSON lines of the progress sink's files (blank or torn last lines skipped). */
export function parseProgressMarkers(text: string): ProgressMarker[] {
  const markers: ProgressMarker[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      markers.push(JSON.parse(line) as ProgressMarker);
    } catch {
      // a line being appended while we read
    }
  }
  return markers;
}

/**
 * Recovery time of one kill: from the kill to the first output of a later attempt (what a user
 * sees as "output flowing again"); null while no such output exists.
 */
export function recoveryTimeMs(killedAt: number, attemptAtKill: number, markers: readonly ProgressMarker[]): number | null {
  let first: number | null = null;
  for (const m of markers) {
    if (m.attempt > attemptAtKill && m.at >= killedAt && (first === null || m.at < first)) first = m.at;
  }
  return first === null ? null : first - killedAt;
}

export interface ThroughputRun {
  readonly events: number;
  readonly durationMs: number;
}

export interface ThroughputCost {
  readonly withoutCheckpoints: Summary;
  readonly withCheckpoints: Summary;
  /** median events/s with checkpoints ÷ median events/s without */
  readonly ratio: number;
  /** (1 − ratio) × 100: the share of throughput checkpointing costs; negative = no cost measurable */
  readonly costPercent: number;
}

export function eventsPerSecond(run: ThroughputRun): number {
  if (run.durationMs <= 0) throw new Error(`MR_ERR_BENCH_RUN: a run reported durationMs ${run.durationMs}; it must be positive`);
  return (run.events * 1000) / run.durationMs;
}

export function throughputCost(without: readonly ThroughputRun[], withCheckpoints: readonly ThroughputRun[]): ThroughputCost | null {
  const a = summarize(without.map(eventsPerSecond));
  const b = summarize(withCheckpoints.map(eventsPerSecond));
  if (a === null || b === null) return null;
  const ratio = b.median / a.median;
  return { withoutCheckpoints: a, withCheckpoints: b, ratio, costPercent: (1 - ratio) * 100 };
}
