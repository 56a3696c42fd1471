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
 * Recovery time of one kill, for the attempt that took over (`attempt`, one that kept running):
 * from the kill until every one of its `parallelism` subtasks produced output, i.e. until output
 * flows again everywhere. Null while some subtask of that attempt has not produced anything yet.
 * Output of attempts that failed again right away does not count.
 */
export function recoveryTimeMs(killedAt: number, attempt: number, parallelism: number, markers: readonly ProgressMarker[]): number | null {
  const firstBySubtask = new Map<number, number>();
  for (const m of markers) {
    if (m.attempt !== attempt || m.at < killedAt) continue;
    const seen = firstBySubtask.get(m.subtask);
    if (seen === undefined || m.at < seen) firstBySubtask.set(m.subtask, m.at);
  }
  if (firstBySubtask.size < parallelism) return null;
  return Math.max(...firstBySubtask.values()) - killedAt;
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
