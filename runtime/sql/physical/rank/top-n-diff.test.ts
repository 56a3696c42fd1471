// Top-N's two ways to diff the rank range before and after an input (top-n.ts): comparing entries
// directly (small ranges) and keying them by row text (large ranges) must remove and add the same
// entries in the same order, also with equal rows, NaN, -0, NULL/undefined and nested values.
import { diffByText, diffSmall } from './top-n.ts';

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const VALUES: unknown[] = [1, 2, -0, 0, Number.NaN, 'a', 'b', '1', null, undefined, 2n, true, [1, 'a'], [1, 'b']];

describe('Top-N rank range diff', () => {
  it('gives the same removed and added entries, in the same order, either way', () => {
    const next = random(7);
    const pick = (): unknown => VALUES[Math.floor(next() * VALUES.length)];
    // a few distinct rows, shared as objects and as equal copies, as state and input give them
    const rows = Array.from({ length: 6 }, () => [pick(), pick()]);
    const row = (): unknown[] => {
      const r = rows[Math.floor(next() * rows.length)]!;
      return next() < 0.5 ? r : [...r];
    };
    let differing = 0;
    for (let i = 0; i < 2000; i++) {
      const before: Array<[unknown[], number]> = Array.from({ length: Math.floor(next() * 8) }, (_, k) => [row(), k + 1]);
      const after: Array<[unknown[], number]> = Array.from({ length: Math.floor(next() * 8) }, (_, k) => [next() < 0.5 && before[k] ? before[k][0] : row(), k + 1]);
      for (const ranked of [true, false]) {
        const small = diffSmall(before, after, ranked);
        const text = diffByText(before, after, ranked);
        expect(small.added).toStrictEqual(text.added);
        expect(small.removed).toStrictEqual(text.removed);
        // the same entries, not only equal ones
        expect(small.added.every((e, k) => e === text.added[k])).toBe(true);
        expect(small.removed.every((e, k) => e === text.removed[k])).toBe(true);
        if (small.added.length + small.removed.length > 0) differing++;
      }
    }
    expect(differing).toBeGreaterThan(400);
  });
});
