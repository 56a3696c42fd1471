// One queue's admission kept up to date member by member (pure), so a reconcile does not
// rebuild the whole queue: the CU its members hold is a running sum, and the deployments waiting
// for CU are kept in arrival order. A decision walks the waiting line only up to the deployment
// asked about (first come, first served, as decideAdmission in ./admission.ts, whose walk it
// shares): O(position) instead of O(members) per reconcile, which made a queue of N deployments
// cost O(N²) to start.
import { walkWaiting } from './admission.ts';
import type { AdmissionDecision, AdmissionResult } from './admission.ts';
import { CU_STEP, quarters } from './compute-units.ts';

/** What admission needs to know of one member (see AdmissionCandidate). */
export interface MemberFacts {
  readonly name: string;
  /** creation time, ms since the epoch */
  readonly arrivalMs: number;
  readonly requiredCU: number;
  /** already holds its CU (pods exist or were admitted earlier) */
  readonly admitted: boolean;
  /** wants to run (spec.state running and not terminal) */
  readonly wantsToRun: boolean;
  /** still has pods while not admitted-and-running (for example while stopping): their CU are not free yet */
  readonly holdsPods: boolean;
}

const holds = (f: MemberFacts) => (f.admitted && f.wantsToRun) || f.holdsPods;
const waits = (f: MemberFacts) => f.wantsToRun && !f.admitted;
/** arrival order: creation time, then name */
const before = (a: MemberFacts, b: MemberFacts) => a.arrivalMs < b.arrivalMs || (a.arrivalMs === b.arrivalMs && a.name < b.name);

export class QueueMembers {
  private readonly members = new Map<string, MemberFacts>();
  /** the members that wait for CU, in arrival order */
  private readonly waiting: MemberFacts[] = [];
  private usedQuarters = 0;

  get size(): number { return this.members.size; }

  /** Adds a member or replaces what is known of it. */
  upsert(f: MemberFacts): void {
    this.remove(f.name);
    this.members.set(f.name, f);
    if (holds(f)) this.usedQuarters += quarters(f.requiredCU);
    if (waits(f)) this.waiting.splice(this.slot(f), 0, f);
  }

  remove(name: string): void {
    const f = this.members.get(name);
    if (!f) return;
    this.members.delete(name);
    if (holds(f)) this.usedQuarters -= quarters(f.requiredCU);
    if (waits(f)) {
      const i = this.slot(f);
      if (this.waiting[i] === f) this.waiting.splice(i, 1);
      else this.waiting.splice(this.waiting.indexOf(f), 1);
    }
  }

  /** Where `f` is or would go in the waiting line (binary search). */
  private slot(f: MemberFacts): number {
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.waiting[mid]!, f)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The decision about one member, as decideAdmission would give it; undefined for a non-member or one that neither runs nor waits. */
  decision(queueCU: number, queueName: string, name: string): AdmissionDecision | undefined {
    const f = this.members.get(name);
    if (!f) return undefined;
    if (f.admitted && f.wantsToRun) return { admitted: true };
    if (!waits(f)) return undefined;
    return walkWaiting(queueCU, queueName, this.usedQuarters, this.waiting, name).decisions.get(name);
  }

  /**
   * The waiting deployments whose decision a change of the CU in use can alter: each one the
   * first-come-first-served walk admits now, and the first that then has to wait (its free CU
   * changed). Those behind it keep waiting whatever changed ahead, so waking them all on every change
   * made O(waiting) passes per change. One that can never fit (larger than the queue) holds no place
   * and is skipped. Costs the head's length, not the queue's.
   */
  head(queueCU: number): string[] {
    const capacity = quarters(queueCU);
    let used = this.usedQuarters;
    const names: string[] = [];
    for (const f of this.waiting) {
      const need = quarters(f.requiredCU);
      if (need > capacity) continue;
      names.push(f.name);
      if (used + need > capacity) break;
      used += need;
    }
    return names;
  }

  /** Every member's decision, the CU in use and how many wait: what decideAdmission returns for the same members. */
  result(queueCU: number, queueName: string): AdmissionResult {
    const decisions = new Map<string, AdmissionDecision>();
    for (const f of this.members.values()) if (f.admitted && f.wantsToRun) decisions.set(f.name, { admitted: true });
    const walk = walkWaiting(queueCU, queueName, this.usedQuarters, this.waiting);
    for (const [name, d] of walk.decisions) decisions.set(name, d);
    return { decisions, usedCU: walk.usedQuarters * CU_STEP, queued: walk.queued };
  }
}
