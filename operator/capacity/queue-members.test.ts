import { decideAdmission } from './admission.ts';
import type { AdmissionCandidate } from './admission.ts';
import { QueueMembers } from './queue-members.ts';
import type { MemberFacts } from './queue-members.ts';

/** mulberry32: the same sequence on every run */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const candidate = (f: MemberFacts): AdmissionCandidate => ({
  name: f.name, creationTimestamp: new Date(f.arrivalMs).toISOString(), requiredCU: f.requiredCU,
  admitted: f.admitted, wantsToRun: f.wantsToRun, holdsPods: f.holdsPods,
});

describe('a queue kept up to date member by member', () => {
  test('decides exactly as decideAdmission over the same members, after every change of a random sequence', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
      const queue = new QueueMembers();
      const facts = new Map<string, MemberFacts>();
      const queueCU = pick([2, 4, 10]);
      for (let step = 0; step < 400; step++) {
        const name = `d${Math.floor(next() * 25)}`;
        if (next() < 0.15) {
          queue.remove(name);
          facts.delete(name);
        } else {
          // equal arrival times on purpose: the name breaks ties
          const f: MemberFacts = {
            name, arrivalMs: facts.get(name)?.arrivalMs ?? 1_000_000 + Math.floor(next() * 20) * 1000,
            requiredCU: pick([0.5, 0.75, 1, 2, 3, 12]), admitted: next() < 0.4, wantsToRun: next() < 0.85, holdsPods: next() < 0.2,
          };
          queue.upsert(f);
          facts.set(name, f);
        }
        const expected = decideAdmission(queueCU, 'q', [...facts.values()].map(candidate));
        expect(queue.result(queueCU, 'q')).toEqual(expected);
        // The head: the waiting ones decideAdmission admits, then the first it keeps waiting (never-fitting ones aside).
        const waitingInOrder = [...facts.values()].filter((f) => f.wantsToRun && !f.admitted && f.requiredCU <= queueCU)
          .sort((a, b) => a.arrivalMs - b.arrivalMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((f) => f.name);
        const admittedNow = waitingInOrder.findIndex((n) => !expected.decisions.get(n)?.admitted);
        expect(queue.head(queueCU)).toEqual(admittedNow < 0 ? waitingInOrder : waitingInOrder.slice(0, admittedNow + 1));
        for (const n of facts.keys()) expect(queue.decision(queueCU, 'q', n)).toEqual(expected.decisions.get(n));
      }
      expect(queue.size).toBe(facts.size);
    }
  });

  test('a decision walks the waiting line only up to the deployment asked about', () => {
    const queue = new QueueMembers();
    for (let i = 0; i < 1000; i++) queue.upsert({ name: `w${String(i).padStart(4, '0')}`, arrivalMs: i, requiredCU: 1, admitted: false, wantsToRun: true, holdsPods: false });
    expect(queue.decision(500, 'q', 'w0000')).toEqual({ admitted: true });
    expect(queue.decision(500, 'q', 'w0499')).toEqual({ admitted: true });
    expect(queue.decision(500, 'q', 'w0500')).toEqual({ admitted: false, position: 1, reason: 'needs 1 CU, queue q has 0 of 500 CU free' });
    expect(queue.result(500, 'q')).toMatchObject({ usedCU: 500, queued: 500 });
  });

  test('when capacity frees, only the head of the waiting line is woken, not all that wait', () => {
    const queue = new QueueMembers();
    const running = (name: string, cu: number, arrivalMs: number) => ({ name, arrivalMs, requiredCU: cu, admitted: true, wantsToRun: true, holdsPods: true });
    queue.upsert(running('r1', 2, 0));
    queue.upsert(running('r2', 2, 1));
    for (let i = 0; i < 1000; i++) queue.upsert({ name: `w${String(i).padStart(4, '0')}`, arrivalMs: 10 + i, requiredCU: 1, admitted: false, wantsToRun: true, holdsPods: false });
    queue.upsert({ name: 'huge', arrivalMs: 5, requiredCU: 100, admitted: false, wantsToRun: true, holdsPods: false });
    // Full: the first in line learns that nothing is free; the other 999 are not woken.
    expect(queue.head(4)).toEqual(['w0000']);
    // r1 stops (2 CU free): two are admitted, the third waits on.
    queue.upsert({ ...running('r1', 2, 0), admitted: false, wantsToRun: false, holdsPods: false });
    expect(queue.head(4)).toEqual(['w0000', 'w0001', 'w0002']);
  });
});
