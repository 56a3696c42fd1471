// Time and randomness as values, so tests drive them. The clock is the runtime's one clock
// interface (runtime/time/clock.ts); the operator needs its timers.
export { systemClock, type TimerClock as Clock } from '../../runtime/time/clock.ts';

export type Random = () => number;

/** Exponential backoff with ±50 % jitter, capped. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: Random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(raw * (0.5 + random()));
}
