// Periodic savepoints and their history (pure), like the Flink Kubernetes Operator's
// periodic.savepoint.interval and savepoint.history.max.count / max.age. Everything is derived
// from the Savepoint objects of the deployment, never from memory, so an operator restart
// neither takes an extra savepoint nor forgets when the next one is due.
import type { SavepointPolicy } from '../../api/v1alpha1/deployment.ts';

/** What the decision needs to know of one Savepoint object of the deployment. */
export interface SavepointView {
  name: string;
  origin: string;
  phase?: string;
  path?: string;
  /** When it completed or failed (status.completedAt). */
  completedAt?: string;
  deleting: boolean;
}

export interface PeriodicInput {
  deployment: string;
  policy: SavepointPolicy;
  /** The job runs (phase Running, job RUNNING) and the operator is not stopping it with a savepoint. */
  jobRunning: boolean;
  /** Counts the first interval when no periodic savepoint finished yet (the job's start, else the Deployment's creation). */
  since: string;
  savepoints: readonly SavepointView[];
  /** Savepoints a restart would restore from (restore.savepointName, status.restoreSavepointPath): never deleted. */
  protectedNames: readonly string[];
  protectedPaths: readonly string[];
  now: number;
}

export interface PeriodicDecision {
  /** Create this Savepoint (origin periodic); its name is derived from its due time, so a repeat is a no-op. */
  create?: { name: string };
  /** Periodic Savepoints to delete (their files go with them: disposeOnDelete), and why. */
  prune: Array<{ name: string; why: string }>;
  last?: { name: string; path: string; completedAt: string };
  /** When the next periodic savepoint is due (only while they are on). */
  nextAt?: string;
}

/** The shortest interval the CRD accepts (CEL rule of spec.savepoints). */
export const MIN_PERIODIC_INTERVAL_SECONDS = 10;

const IN_FLIGHT = new Set(['Pending', 'InProgress']);
const ms = (t: string | undefined) => (t ? Date.parse(t) : Number.NaN);
const newestFirst = (a: SavepointView, b: SavepointView) => ms(b.completedAt) - ms(a.completedAt) || b.name.localeCompare(a.name);

/** `<deployment>-periodic-YYYYMMDD-HHMMSS` of the due time (UTC). */
export function periodicSavepointName(deployment: string, dueAt: number): string {
  const iso = new Date(Math.floor(dueAt / 1000) * 1000).toISOString();
  return `${deployment}-periodic-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

export function decidePeriodicSavepoints(input: PeriodicInput): PeriodicDecision {
  const { policy, now } = input;
  const present = input.savepoints.filter((s) => !s.deleting);
  const periodic = present.filter((s) => s.origin === 'periodic');
  const completed = periodic.filter((s) => s.phase === 'Completed' && s.path && s.completedAt).sort(newestFirst);
  const failed = periodic.filter((s) => s.phase === 'Failed').sort(newestFirst);
  const newest = completed[0];
  const last = newest ? { name: newest.name, path: newest.path ?? '', completedAt: newest.completedAt ?? '' } : undefined;

  // History: the newest completed one always stays (something to restore from); a failed one is
  // only worth keeping while it is the latest news.
  const prune: PeriodicDecision['prune'] = [];
  const keep = (s: SavepointView) => input.protectedNames.includes(s.name) || (s.path !== undefined && input.protectedPaths.includes(s.path));
  completed.forEach((s, i) => {
    if (i === 0 || keep(s)) return;
    if (i >= policy.historyMaxCount) prune.push({ name: s.name, why: `beyond spec.savepoints.historyMaxCount ${policy.historyMaxCount}` });
    else if (policy.historyMaxAgeSeconds > 0 && now - ms(s.completedAt) > policy.historyMaxAgeSeconds * 1000) prune.push({ name: s.name, why: `older than spec.savepoints.historyMaxAgeSeconds ${policy.historyMaxAgeSeconds}` });
  });
  failed.forEach((s, i) => {
    if (i > 0 || (newest && ms(newest.completedAt) > ms(s.completedAt))) prune.push({ name: s.name, why: 'a failed periodic savepoint superseded by a newer one' });
  });

  if (policy.periodicIntervalSeconds <= 0) return { prune, last };
  const interval = Math.max(policy.periodicIntervalSeconds, MIN_PERIODIC_INTERVAL_SECONDS) * 1000;
  // Counted from the last periodic savepoint that finished (a failed one too, so a job that
  // cannot be snapshotted is asked once per interval, not on every pass).
  const finished = [...completed, ...failed].map((s) => ms(s.completedAt)).filter((t) => !Number.isNaN(t));
  const base = finished.length > 0 ? Math.max(...finished) : ms(input.since);
  const dueAt = Number.isNaN(base) ? now : base + interval;
  const decision: PeriodicDecision = { prune, last, nextAt: new Date(dueAt).toISOString() };
  const inFlight = present.some((s) => IN_FLIGHT.has(s.phase ?? 'Pending'));
  if (input.jobRunning && !inFlight && now >= dueAt) decision.create = { name: periodicSavepointName(input.deployment, dueAt) };
  return decision;
}
