// Queue admission (pure): a deployment is admitted only if the whole deployment fits in what
// its queue has left. First come, first served by creationTimestamp (name breaks ties); the
// oldest waiting deployment blocks younger ones, so a large deployment is never starved by a
// stream of small ones.
import { CU_STEP, quarters } from './compute-units.ts';

export interface AdmissionCandidate {
  name: string;
  creationTimestamp: string;
  requiredCU: number;
  /** Already holds its CU (pods exist or were admitted earlier) and wants to keep running. */
  admitted: boolean;
  /** Wants to run (spec.state running and not terminal). */
  wantsToRun: boolean;
  /** Still has pods (for example while stopping): their CU are not free yet. */
  holdsPods?: boolean;
}

export type AdmissionDecision =
  | { admitted: true }
  | { admitted: false; reason: string; position: number };

export interface AdmissionResult {
  decisions: Map<string, AdmissionDecision>;
  usedCU: number;
  queued: number;
}

export function compareArrival(a: { creationTimestamp: string; name: string }, b: { creationTimestamp: string; name: string }): number {
  const ta = Date.parse(a.creationTimestamp);
  const tb = Date.parse(b.creationTimestamp);
  if (ta !== tb) return ta - tb;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function decideAdmission(queueCU: number, queueName: string, candidates: readonly AdmissionCandidate[]): AdmissionResult {
  const decisions = new Map<string, AdmissionDecision>();
  let used = 0;
  for (const c of candidates) {
    if (c.admitted && c.wantsToRun) {
      used += quarters(c.requiredCU);
      decisions.set(c.name, { admitted: true });
    } else if (c.holdsPods) {
      used += quarters(c.requiredCU);
    }
  }
  // Each timestamp parsed once: a queue of a thousand is sorted on every reconcile of its members.
  const waiting = candidates.filter((c) => c.wantsToRun && !c.admitted)
    .map((c) => ({ c, at: Date.parse(c.creationTimestamp) }))
    .sort((a, b) => a.at - b.at || (a.c.name < b.c.name ? -1 : a.c.name > b.c.name ? 1 : 0))
    .map((w) => w.c);
  const walk = walkWaiting(queueCU, queueName, used, waiting);
  for (const [name, decision] of walk.decisions) decisions.set(name, decision);
  return { decisions, usedCU: walk.usedQuarters * CU_STEP, queued: walk.queued };
}

/**
 * The first-come-first-served walk over the waiting deployments in arrival order, from `usedQuarters`
 * already held: each is admitted while it fits and no older one waits; `stopAt` ends the walk at
 * that deployment (its decision is the last one), so a decision costs its position, not the queue.
 */
export function walkWaiting(queueCU: number, queueName: string, usedQuarters: number, waiting: Iterable<{ name: string; requiredCU: number }>, stopAt?: string): { decisions: Map<string, AdmissionDecision>; usedQuarters: number; queued: number } {
  const decisions = new Map<string, AdmissionDecision>();
  const capacity = quarters(queueCU);
  let used = usedQuarters;
  let blocked = false;
  let position = 0;
  for (const c of waiting) {
    const need = quarters(c.requiredCU);
    if (!blocked && used + need <= capacity) {
      used += need;
      decisions.set(c.name, { admitted: true });
      if (c.name === stopAt) break;
      continue;
    }
    position += 1;
    const free = Math.max(0, capacity - used) * CU_STEP;
    const reason = need > capacity
      ? `needs ${c.requiredCU} CU but queue ${queueName} has only ${queueCU} CU in total; enlarge the queue or shrink the deployment`
      : blocked
        ? `waiting behind ${position - 1} older deployment(s) in queue ${queueName} (${free} of ${queueCU} CU free, needs ${c.requiredCU} CU)`
        : `needs ${c.requiredCU} CU, queue ${queueName} has ${free} of ${queueCU} CU free`;
    decisions.set(c.name, { admitted: false, reason, position });
    // One that can never fit does not hold the line; anything else keeps its place.
    if (need <= capacity) blocked = true;
    if (c.name === stopAt) break;
  }
  return { decisions, usedQuarters: used, queued: position };
}
