// Periodic savepoints and their history (pure), like the Flink Kubernetes Operator's
// periodic.savepoint.interval and savepoint.history.max.count / max.age. Everything is derived
// from the Savepoint objects of the deployment, so an operator restart neither takes an extra
// savepoint nor forgets when the next one is due. The one thing held in memory is the Savepoint
// this process created a moment ago and the informer cache does not show yet
// (PeriodicRequests): without it a pass reading the cache before our own create reached it
// would take a second savepoint for the same interval.
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
  /** A periodic Savepoint this process created that `savepoints` (the cache) does not show yet: in flight. */
  unseenRequest?: string;
  now: number;
}

export interface PeriodicDecision {
  /** Create this Savepoint (origin periodic); its name carries the time it is taken (now). */
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

/** `<deployment>-periodic-YYYYMMDD-HHMMSS` of the time it is taken (UTC). */
export function periodicSavepointName(deployment: string, takenAt: number): string {
  const iso = new Date(Math.floor(takenAt / 1000) * 1000).toISOString();
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
  const inFlight = input.unseenRequest !== undefined || present.some((s) => IN_FLIGHT.has(s.phase ?? 'Pending'));
  if (input.jobRunning && !inFlight && now >= dueAt) decision.create = { name: periodicSavepointName(input.deployment, now) };
  return decision;
}

/**
 * Periodic Savepoints this process created, per deployment key, until the informer cache shows
 * them. A create goes through reserve(), which is synchronous: of any number of passes in flight
 * for one deployment (the work queue runs one per key, but a pass may read a cache older than
 * the previous pass's create) only the first reserves; the others see the reservation as a
 * savepoint in flight. A reservation the cache never shows (the object was deleted before the
 * watch delivered it) lapses after `ttlMs`.
 */
export class PeriodicRequests {
  private readonly pending = new Map<string, { name: string; at: number }>();
  private readonly ttlMs: number;

  constructor(ttlMs = 60_000) { this.ttlMs = ttlMs; }

  /** The Savepoint created for `key` that `cachedNames` does not show yet, if any. */
  unseen(key: string, cachedNames: readonly string[], now: number): string | undefined {
    const p = this.pending.get(key);
    if (!p) return undefined;
    if (cachedNames.includes(p.name) || now - p.at > this.ttlMs) { this.pending.delete(key); return undefined; }
    return p.name;
  }

  /** Reserves `name` for `key` unless another creation is still unseen; true when the caller may create it. */
  reserve(key: string, name: string, cachedNames: readonly string[], now: number): boolean {
    if (this.unseen(key, cachedNames, now) !== undefined) return false;
    this.pending.set(key, { name, at: now });
    return true;
  }

  /** Drops a reservation whose create failed. */
  release(key: string, name: string): void {
    if (this.pending.get(key)?.name === name) this.pending.delete(key);
  }

  get size(): number { return this.pending.size; }
}

const requestsByContext = new WeakMap<object, PeriodicRequests>();
/** The PeriodicRequests of one operator (one per ReconcileContext). */
export function periodicRequestsOf(ctx: object): PeriodicRequests {
  let r = requestsByContext.get(ctx);
  if (!r) { r = new PeriodicRequests(); requestsByContext.set(ctx, r); }
  return r;
}
