// When has a job recovered from a kill? Not at its first output after the restore: it has
// recovered when its output keeps the rate it had before the kill AND the backlog that piled up
// meanwhile is consumed (issue 15). Pure: works on the sink's progress markers.
//
// The job's source is paced on a fixed wall-clock schedule (bench/jobs/recovery-load.ts): every
// steady record has a due time, and a restart does not move the schedule, so what was due while
// the job was down is owed and emitted as fast as the job can. A sink subtask writes a marker at
// most every ~100 ms with its record count in this attempt and the largest lag (arrival − due) of
// the records since its previous marker. Summed over subtasks in time buckets this is a series of
// (records, largest lag); a record that was owed arrives with a large lag, so the backlog is
// consumed once the lag is back to what it was before the kill.

export interface LagMarker {
  /** epoch ms when the marker was written */
  readonly at: number;
  readonly attempt: number;
  readonly subtask: number;
  /** records this subtask wrote in this attempt so far */
  readonly records: number;
  /** largest arrival − due (ms) of the records since this writer's previous marker; null when none had a due time */
  readonly maxLagMs: number | null;
}

export interface Bucket {
  /** end of the bucket (epoch ms, exclusive start = end − bucketMs) */
  readonly end: number;
  readonly records: number;
  /** the largest lag of the bucket's records; null when it had none with a due time */
  readonly maxLagMs: number | null;
}

/**
 * Output per bucket of `bucketMs`, from `from` to `to`: each marker contributes the records its
 * writer (subtask, attempt) wrote since that writer's previous marker, in the bucket of its time.
 */
export function bucketMarkers(markers: readonly LagMarker[], from: number, to: number, bucketMs: number): Bucket[] {
  const n = Math.max(0, Math.ceil((to - from) / bucketMs));
  const records = new Array<number>(n).fill(0);
  const lags = new Array<number | null>(n).fill(null);
  const previous = new Map<string, number>();
  for (const m of [...markers].sort((a, b) => a.at - b.at)) {
    const writer = `${m.subtask}/${m.attempt}`;
    const delta = m.records - (previous.get(writer) ?? 0);
    previous.set(writer, m.records);
    if (m.at < from || m.at >= to) continue;
    const i = Math.floor((m.at - from) / bucketMs);
    records[i]! += Math.max(0, delta);
    if (m.maxLagMs !== null) lags[i] = Math.max(lags[i] ?? Number.NEGATIVE_INFINITY, m.maxLagMs);
  }
  return records.map((r, i) => ({ end: from + (i + 1) * bucketMs, records: r, maxLagMs: lags[i]! }));
}

export interface RecoveryCriteria {
  /** the steady state before the kill is measured over this long (ms) */
  readonly baselineMs: number;
  /** output rate is averaged over windows this long (ms) */
  readonly windowMs: number;
  /** the rate is back when it is at least (1 − rateTolerance) × the pre-kill rate */
  readonly rateTolerance: number;
  /** the backlog is consumed when the largest lag is at most the pre-kill largest lag + lagSlackMs */
  readonly lagSlackMs: number;
  /** both must hold for this long from the moment of recovery on (ms), so a momentary good bucket does not count */
  readonly holdMs: number;
}

export const DEFAULT_CRITERIA: RecoveryCriteria = { baselineMs: 10_000, windowMs: 2000, rateTolerance: 0.1, lagSlackMs: 250, holdMs: 4000 };

export type RecoveryDetection =
  | {
    readonly recovered: true;
    /** records/s over the baseline before the kill */
    readonly preKillRate: number;
    /** the largest lag over the baseline before the kill */
    readonly preKillLagMs: number;
    /** kill → the first output after the kill that came late (the restored job's first records); null if none came late */
    readonly firstOutputMs: number | null;
    /** kill → caught up: from then on every bucket's lag is back to the pre-kill lag and the rate keeps the pre-kill rate */
    readonly recoveryMs: number;
    /** the largest lag seen after the kill: how far behind the job fell */
    readonly worstLagMs: number;
  }
  | { readonly recovered: false; readonly reason: string };

/**
 * Recovery of one kill at `killedAt` from the buckets (consecutive, of equal size): the first
 * bucket end t after the kill such that over [t, t + holdMs] every bucket's lag is at most the
 * pre-kill lag + slack, and every `windowMs` window starting in [t, t + holdMs − windowMs] has at
 * least (1 − tolerance) × the pre-kill rate. Not recovered while the buckets do not reach far enough.
 */
export function detectRecovery(buckets: readonly Bucket[], killedAt: number, c: RecoveryCriteria = DEFAULT_CRITERIA): RecoveryDetection {
  if (buckets.length < 2) return { recovered: false, reason: 'no output' };
  const bucketMs = buckets[1]!.end - buckets[0]!.end;
  const before = buckets.filter((b) => b.end <= killedAt && b.end > killedAt - c.baselineMs);
  if (before.length * bucketMs < c.baselineMs * 0.9) return { recovered: false, reason: `less than ${c.baselineMs} ms of output before the kill` };
  const preKillRate = (before.reduce((a, b) => a + b.records, 0) * 1000) / (before.length * bucketMs);
  if (preKillRate <= 0) return { recovered: false, reason: 'no output in the baseline before the kill' };
  const preKillLagMs = Math.max(0, ...before.map((b) => b.maxLagMs ?? 0));
  const lagLimit = preKillLagMs + c.lagSlackMs;
  const rateLimit = preKillRate * (1 - c.rateTolerance);
  const after = buckets.filter((b) => b.end > killedAt);
  const perWindow = Math.max(1, Math.round(c.windowMs / bucketMs));
  const perHold = Math.max(perWindow, Math.round(c.holdMs / bucketMs));
  const rateFrom = (i: number) => (after.slice(i, i + perWindow).reduce((a, b) => a + b.records, 0) * 1000) / (perWindow * bucketMs);
  const lagOk = (b: Bucket) => b.maxLagMs === null || b.maxLagMs <= lagLimit;
  const late = after.find((b) => b.records > 0 && b.maxLagMs !== null && b.maxLagMs > lagLimit);
  const worstLagMs = Math.max(preKillLagMs, ...after.map((b) => b.maxLagMs ?? 0));
  // the job must have fallen behind at all: otherwise the kill is not seen in the output yet
  if (late === undefined) return { recovered: false, reason: 'no late output after the kill yet' };
  const lateIndex = after.indexOf(late);
  for (let i = lateIndex + 1; i + perHold <= after.length; i++) {
    let ok = true;
    for (let j = i; j < i + perHold && ok; j++) ok = lagOk(after[j]!);
    for (let j = i; j + perWindow <= i + perHold && ok; j++) ok = rateFrom(j) >= rateLimit;
    if (ok) {
      // recovered at the start of bucket i (its records were already on time)
      const at = after[i]!.end - bucketMs;
      return { recovered: true, preKillRate, preKillLagMs, firstOutputMs: late.end - bucketMs - killedAt, recoveryMs: at - killedAt, worstLagMs };
    }
  }
  return { recovered: false, reason: 'not caught up yet' };
}

/**
 * On the node tier the sink's markers go to the TaskManager's stdout, one line each with this
 * prefix (progressDir `-` in bench/jobs/recovery-load.ts): the pod's log, which the bench follows.
 */
export const PROGRESS_LOG_PREFIX = 'MR_BENCH_PROGRESS ';

/** The markers in a chunk of a TaskManager's log (other lines, and torn ones, skipped). */
export function markersInLog(text: string): LagMarker[] {
  const out: LagMarker[] = [];
  for (const line of text.split('\n')) {
    const i = line.indexOf(PROGRESS_LOG_PREFIX);
    if (i < 0) continue;
    try {
      const m = JSON.parse(line.slice(i + PROGRESS_LOG_PREFIX.length)) as LagMarker;
      if (typeof m.at === 'number' && typeof m.records === 'number' && typeof m.subtask === 'number' && typeof m.attempt === 'number') out.push(m);
    } catch {
      // not a whole marker
    }
  }
  return out;
}
