// Restart strategies as small pure objects with an injected clock (as Flink's): after a failure
// the job master asks whether it may restart and how long to wait first.

export interface RestartStrategy {
  readonly description: string;
  /** Records a failure at `now`; returns the delay before restarting, or undefined to give up. */
  onFailure(now: number): number | undefined;
}

export function noRestart(): RestartStrategy {
  return { description: 'none', onFailure: () => undefined };
}

export function fixedDelay(attempts: number, delayMs: number): RestartStrategy {
  let used = 0;
  return {
    description: `fixed-delay(attempts=${attempts}, delayMs=${delayMs})`,
    onFailure() {
      if (used >= attempts) return undefined;
      used++;
      return delayMs;
    },
  };
}

export interface ExponentialDelayOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  /** a failure this long after the previous one resets the backoff to initialMs */
  readonly resetThresholdMs: number;
  /** 0..1: random share subtracted/added, spreads restarts of many jobs */
  readonly jitter: number;
  readonly attempts: number;
}

export function exponentialDelay(o: Partial<ExponentialDelayOptions> = {}, random: () => number = Math.random): RestartStrategy {
  const opts: ExponentialDelayOptions = { initialMs: 1000, maxMs: 60_000, multiplier: 2, resetThresholdMs: 600_000, jitter: 0.1, attempts: Number.POSITIVE_INFINITY, ...o };
  let current = 0;
  let last = Number.NEGATIVE_INFINITY;
  let used = 0;
  return {
    description: `exponential-delay(initialMs=${opts.initialMs}, maxMs=${opts.maxMs}, multiplier=${opts.multiplier}, resetThresholdMs=${opts.resetThresholdMs}, jitter=${opts.jitter}${Number.isFinite(opts.attempts) ? `, attempts=${opts.attempts}` : ''})`,
    onFailure(now) {
      if (used >= opts.attempts) return undefined;
      used++;
      current = now - last >= opts.resetThresholdMs || current === 0 ? opts.initialMs : Math.min(opts.maxMs, current * opts.multiplier);
      last = now;
      const j = current * opts.jitter * (2 * random() - 1);
      return Math.max(0, Math.round(current + j));
    },
  };
}

/**
 * The restart strategy of a job submitted without one (and with no JobManager-wide default), as
 * Flink chooses it: with checkpointing on, exponential delay without an attempt limit (Flink 1.19+
 * defaults: 1 s initial, 1 min at most, x1.5, back to 1 s after 1 h without failure, jitter 0.1),
 * so a job that can resume from its checkpoints never gives up. Without checkpoints a restart
 * replays from the start, so a few attempts are tried (Flink would not restart at all).
 */
export function defaultRestartStrategySpec(checkpointing: boolean): string {
  return checkpointing
    ? 'exponential-delay:initialMs=1000,maxMs=60000,multiplier=1.5,resetThresholdMs=3600000,jitter=0.1'
    : 'fixed-delay:attempts=3,delayMs=1000';
}

export function failureRate(maxFailures: number, intervalMs: number, delayMs: number): RestartStrategy {
  const failures: number[] = [];
  return {
    description: `failure-rate(maxFailures=${maxFailures}, intervalMs=${intervalMs}, delayMs=${delayMs})`,
    onFailure(now) {
      failures.push(now);
      while (failures.length > 0 && failures[0]! <= now - intervalMs) failures.shift();
      return failures.length > maxFailures ? undefined : delayMs;
    },
  };
}

/**
 * Parses "none", "fixed-delay:attempts=3,delayMs=1000", "exponential-delay:initialMs=500,maxMs=10000",
 * "failure-rate:maxFailures=3,intervalMs=60000,delayMs=1000".
 */
export function parseRestartStrategy(spec: string): RestartStrategy {
  const [kind, rest = ''] = spec.split(':', 2) as [string, string?];
  const opts: Record<string, number> = {};
  for (const part of rest.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    const n = Number(v);
    if (!k || !Number.isFinite(n)) throw new Error(`MR_ERR_RESTART_STRATEGY: '${part}' in '${spec}' must be name=number`);
    opts[k] = n;
  }
  switch (kind) {
    case 'none':
      return noRestart();
    case 'fixed-delay':
      return fixedDelay(opts.attempts ?? 3, opts.delayMs ?? 1000);
    case 'exponential-delay':
      return exponentialDelay(opts);
    case 'failure-rate':
      return failureRate(opts.maxFailures ?? 3, opts.intervalMs ?? 60_000, opts.delayMs ?? 1000);
    default:
      throw new Error(`MR_ERR_RESTART_STRATEGY: unknown restart strategy '${kind}'; use none, fixed-delay, exponential-delay or failure-rate`);
  }
}
