// DECIMAL arithmetic tries safe JavaScript numbers first and falls back to bigint (sql-runtime.ts):
// both paths must give the same exact text, NULL on overflow, half-up rounding. The bigint path
// (`decExact`) is the reference here; values are drawn around the edges of the safe range.
import { dec, decExact } from './sql-runtime.ts';

/** A small deterministic generator (xorshift), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function decimalText(next: () => number, scale: number): unknown {
  const kind = next();
  const digits = Math.floor(next() * 19);
  let s = '';
  for (let i = 0; i < digits; i++) s += Math.floor(next() * 10);
  const int = s.replace(/^0+(?=\d)/, '') || '0';
  const frac = Array.from({ length: scale }, () => Math.floor(next() * 10)).join('');
  const text = scale === 0 ? int : `${int}.${frac}`;
  const neg = next() < 0.4;
  if (kind < 0.15 && scale === 0) return Number(int) <= Number.MAX_SAFE_INTEGER ? (neg ? -Number(int) : Number(int)) : BigInt(int);
  if (kind < 0.2) return neg ? `-${text}` : text;
  if (kind < 0.25) return ['0', '-0.000', '9007199254740991', '-9007199254740991', '9007199254740992', '0.908', '.5', '1.'][Math.floor(next() * 8)];
  return neg ? `-${text}` : text;
}

describe('DECIMAL arithmetic', () => {
  it('gives the bigint path\'s text for every operation on values around the safe range', () => {
    const next = random(42);
    const mismatches: string[] = [];
    const check = (what: string, got: unknown, want: unknown): void => {
      if (got !== want) mismatches.push(`${what}: ${String(got)} instead of ${String(want)}`);
    };
    for (let i = 0; i < 20_000; i++) {
      const sa = Math.floor(next() * 6);
      const sb = Math.floor(next() * 6);
      const s = Math.floor(next() * 7);
      const p = 1 + Math.floor(next() * 38);
      const a = decimalText(next, sa);
      const b = decimalText(next, sb);
      const at = `${String(a)}(${sa}) ? ${String(b)}(${sb}) as DECIMAL(${p}, ${s})`;
      check(`mul ${at}`, dec.mul(a, sa, b, sb, p, s), decExact.mul(a, sa, b, sb, p, s));
      check(`add ${at}`, dec.add(a, sa, b, sb, p, s), decExact.add(a, sa, b, sb, p, s));
      check(`sub ${at}`, dec.sub(a, sa, b, sb, p, s), decExact.sub(a, sa, b, sb, p, s));
      check(`cmp ${at}`, dec.cmp(a, sa, b, sb), decExact.cmp(a, sa, b, sb));
      check(`cast ${at}`, dec.cast(a, sa, p, s), decExact.cast(a, sa, p, s));
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('computes Nexmark q1\'s 0.908 * price exactly, rounding half up and NULL on overflow', () => {
    expect(dec.mul('0.908', 3, 1_000_001, 0, 23, 3)).toBe('908000.908');
    expect(dec.mul('0.908', 3, -7, 0, 23, 3)).toBe('-6.356');
    expect(dec.mul('0.908', 3, 9_007_199_254_740_991, 0, 23, 3)).toBe('8178536923304819.828');
    // results of 10^9 and more are written as two small integers (digitsOf): zeros inside kept
    expect(dec.mul('0.908', 3, 1_101_322, 0, 23, 3)).toBe('1000000.376');
    expect(dec.mul('1', 0, 1_000_000_007, 0, 20, 2)).toBe('1000000007.00');
    expect(dec.mul('-1', 0, 5_000_000_000_000, 0, 20, 0)).toBe('-5000000000000');
    expect(dec.cast(999_999_999, 0, 20, 0)).toBe('999999999');
    expect(dec.cast('0.001', 3, 5, 3)).toBe('0.001');
    expect(dec.mul('0.5', 1, 3, 0, 10, 0)).toBe('2');
    expect(dec.mul('-0.5', 1, 3, 0, 10, 0)).toBe('-2');
    expect(dec.mul('0.5', 1, 5, 0, 10, 0)).toBe('3');
    expect(dec.cast('12.345', 3, 4, 2)).toBe('12.35');
    expect(dec.cast('12.345', 3, 3, 2)).toBeNull();
    expect(dec.cast(' +1.5', 1, 5, 1)).toBe('1.5');
    expect(dec.cast('0.000', 3, 5, 3)).toBe('0.000');
    expect(dec.cast('-0.000', 3, 5, 3)).toBe('0.000');
  });
});
