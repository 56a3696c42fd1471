// Seeded randomness for fault injection: every random choice of a run comes from one seed that
// is logged, so a failing run can be replayed with MILLRACE_FAULT_SEED=<seed>.

import { randomInt } from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface SeededRandom {
  readonly seed: number;
  /** An integer in [from, to], both included. */
  int(from: number, to: number): number;
}

export function seededRandom(seed: number): SeededRandom {
  const generator = xoroshiro128plus(seed);
  return { seed, int: (from, to) => uniformInt(generator, from, to) };
}

/**
 * The seed of this run: MILLRACE_FAULT_SEED when set (to replay a run), else a fresh one.
 * Throws MR_ERR_FAULT_SEED for a value that is not a 32-bit integer.
 */
export function faultSeed(env: NodeJS.ProcessEnv = process.env, fresh: () => number = () => randomInt(0, 2 ** 31)): number {
  const text = env.MILLRACE_FAULT_SEED;
  if (text === undefined || text === '') return fresh();
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`MR_ERR_FAULT_SEED: MILLRACE_FAULT_SEED must be an integer in [0, 2^32), got "${text}"; unset it for a fresh seed`);
  }
  return seed;
}
