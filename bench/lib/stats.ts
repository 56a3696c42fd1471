// Median and spread of repeated runs (pure). Three runs per system: the median is the middle one,
// the spread is (max − min) / median, so a reader sees at once how far the runs disagree.

export interface Spread {
  readonly runs: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / median; 0 for one run */
  readonly relativeSpread: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('MR_ERR_BENCH_STATS: the median of no runs');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spreadOf(values: readonly number[]): Spread {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { runs: [...values], median: m, min, max, relativeSpread: m === 0 ? 0 : (max - min) / m };
}

/** A whole number with thousands separators, or n/a. */
export const formatCount = (v: number | null): string => (v === null ? 'n/a' : Math.round(v).toLocaleString('en-US'));

/** `median (min–max, spread N%)` as the reports print a spread. */
export const formatSpread = (s: Spread | null): string => (s === null ? 'n/a' : `${formatCount(s.median)} (${formatCount(s.min)}–${formatCount(s.max)}, spread ${(s.relativeSpread * 100).toFixed(0)}%)`);
