// Helpers the generated code calls (passed in as `$h`): exact DECIMAL and 64-bit integer
// arithmetic, comparisons across number/bigint/decimal text, casts, LIKE, DATE_FORMAT with
// Java-style patterns. Values follow the table world's representation
// (runtime/connectors/factory/row.ts): BIGINT a number while safe, a bigint beyond; DECIMAL the
// exact decimal text; TIMESTAMP epoch milliseconds of the wall-clock time read as UTC.
import { toTimestamp, toTimestampDefault, toTimestampLtz } from '../functions/to-timestamp.ts';

export class SqlRuntimeError extends Error {
  readonly code = 'MR_ERR_SQL_RUNTIME';
  constructor(message: string) {
    super(`MR_ERR_SQL_RUNTIME: ${message}`);
    this.name = 'SqlRuntimeError';
  }
}

// ---- 64-bit integers: numbers while safe, bigint beyond, wrapping like Java's long.

type Int = number | bigint;

function normalize(v: bigint): Int {
  const w = BigInt.asIntN(64, v);
  return w >= BigInt(Number.MIN_SAFE_INTEGER) && w <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(w) : w;
}

const big = (v: Int): bigint => (typeof v === 'bigint' ? v : BigInt(v));

export const i64 = {
  add: (a: Int, b: Int): Int => (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a + b) ? a + b : normalize(big(a) + big(b))),
  sub: (a: Int, b: Int): Int => (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a - b) ? a - b : normalize(big(a) - big(b))),
  mul: (a: Int, b: Int): Int => (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a * b) ? a * b : normalize(big(a) * big(b))),
  div: (a: Int, b: Int): Int => {
    if (big(b) === 0n) throw new SqlRuntimeError('Division by zero');
    return normalize(big(a) / big(b));
  },
  mod: (a: Int, b: Int): Int => {
    if (big(b) === 0n) throw new SqlRuntimeError('Division by zero');
    return normalize(big(a) % big(b));
  },
};

/** 32-bit (and smaller) integer arithmetic wraps like Java's int. */
export const i32 = {
  div: (a: number, b: number): number => {
    if (b === 0) throw new SqlRuntimeError('Division by zero');
    return Math.trunc(a / b) | 0;
  },
  mod: (a: number, b: number): number => {
    if (b === 0) throw new SqlRuntimeError('Division by zero');
    return a % b;
  },
};

// ---- DECIMAL: exact decimal text, computed as an integer scaled by 10^scale. A JavaScript number
// holds such an integer exactly while it is safe (|v| <= 2^53 - 1), which covers nearly every value
// seen (a price times 0.908 in Nexmark q1): each operation tries that path first and falls back to
// bigint when a value or an intermediate result would leave the safe range. Both paths give the
// same text (decimal.test.ts checks them against each other).

const POW10_BIG: bigint[] = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));
const pow10Big = (k: number): bigint => POW10_BIG[k] ?? 10n ** BigInt(k);
/** 10^k as a number, exact up to 10^22; NaN beyond (the caller then takes the bigint path). */
const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
const pow10 = (k: number): number => POW10[k] ?? NaN;

/**
 * v scaled by 10^scale as a safe integer number, or NaN when that is not exact without rounding
 * (a bigint, a non-integer number, more fraction digits than scale, text that is not plain digits,
 * or a result beyond 2^53 - 1).
 */
function scaledNumber(v: unknown, scale: number): number {
  if (typeof v === 'number') {
    const r = v * pow10(scale);
    return Number.isSafeInteger(r) && Number.isInteger(v) ? r : NaN;
  }
  if (typeof v !== 'string') return NaN;
  const n = v.length;
  let i = 0;
  let neg = false;
  if (v.charCodeAt(0) === 45) { neg = true; i = 1; }
  if (i === n) return NaN;
  let acc = 0;
  let fraction = -1;
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c === 46 && fraction < 0) { fraction = 0; continue; }
    const d = c - 48;
    if (d < 0 || d > 9) return NaN;
    acc = acc * 10 + d;
    if (fraction >= 0) fraction++;
  }
  if (fraction > scale || !(acc <= Number.MAX_SAFE_INTEGER)) return NaN;
  const r = acc * pow10(fraction < 0 ? scale : scale - fraction);
  if (!Number.isSafeInteger(r)) return NaN;
  return neg ? -r : r;
}

/** A safe integer at scale `from` rescaled to `to` (half up, away from zero); NaN if not safe. */
function rescaleNumber(v: number, from: number, to: number): number {
  if (to >= from) {
    const r = v * pow10(to - from);
    return Number.isSafeInteger(r) ? r : NaN;
  }
  const d = pow10(from - to);
  if (Number.isNaN(d)) return NaN;
  const r = v % d;
  const q = (v - r) / d;
  return Math.abs(r) * 2 >= d ? q + (v < 0 ? -1 : 1) : q;
}

const ZEROS = '0000000000000000';

/**
 * The digits of a non-negative safe integer. Below 10^9 it is a small integer, which V8 writes
 * fast; above, String() takes the double-to-text path (~0.3 µs, q1's 0.908 * price mostly lands
 * there), so it is written as two small integers: the digits above 10^9 and the nine below.
 */
function digitsOf(abs: number): string {
  if (abs < 1e9) return String(abs);
  const low = abs % 1e9; // exact for integers
  const lowText = String(low);
  return String((abs - low) / 1e9) + ZEROS.slice(0, 9 - lowText.length) + lowText;
}

/** The text of a safe integer at scale s, NULL when it has more than p digits (as `fit`). */
function fitNumber(v: number, p: number, s: number): string | null {
  const neg = v < 0;
  const abs = neg ? -v : v;
  // every safe integer has at most 16 digits
  if (p < 16 && abs >= POW10[p]!) return null;
  if (s > 15) return text(BigInt(v), s);
  let digits = digitsOf(abs);
  if (s === 0) return neg ? `-${digits}` : digits;
  if (digits.length <= s) digits = ZEROS.slice(0, s + 1 - digits.length) + digits;
  const cut = digits.length - s;
  const out = `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return neg ? `-${out}` : out;
}

function scaled(v: unknown, scale: number): bigint {
  if (typeof v === 'bigint') return v * pow10Big(scale);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return BigInt(v) * pow10Big(scale);
    return scaled(v.toFixed(Math.min(20, scale + 2)), scale);
  }
  const text = String(v).trim();
  const neg = text.startsWith('-');
  const [i = '0', f = ''] = text.replace(/^[-+]/, '').split('.');
  // Round half up at `scale`, as Java's BigDecimal.setScale(HALF_UP) does.
  const digits = BigInt((i || '0') + f.padEnd(scale + 1, '0').slice(0, scale + 1));
  const rounded = (digits + 5n) / 10n;
  return neg ? -rounded : rounded;
}

function text(v: bigint, scale: number): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return neg ? `-${out}` : out;
}

/** The value at precision p and scale s; NULL when it does not fit (Flink's overflow behaviour). */
function fit(v: bigint, p: number, s: number): string | null {
  const digits = (v < 0n ? -v : v).toString().length;
  return digits > p ? null : text(v, s);
}

function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const away = twice >= (d < 0n ? -d : d);
  return away ? q + ((n < 0n) !== (d < 0n) ? -1n : 1n) : q;
}

/** The exact path (bigint) of each operation; `dec` tries safe numbers first. */
export const decExact = {
  add: (a: unknown, sa: number, b: unknown, sb: number, p: number, s: number): string | null => {
    const k = Math.max(sa, sb, s);
    return fit(rescale(scaled(a, k) + scaled(b, k), k, s), p, s);
  },
  sub: (a: unknown, sa: number, b: unknown, sb: number, p: number, s: number): string | null => {
    const k = Math.max(sa, sb, s);
    return fit(rescale(scaled(a, k) - scaled(b, k), k, s), p, s);
  },
  mul: (a: unknown, sa: number, b: unknown, sb: number, p: number, s: number): string | null => fit(rescale(scaled(a, sa) * scaled(b, sb), sa + sb, s), p, s),
  cmp: (a: unknown, sa: number, b: unknown, sb: number): number => {
    const k = Math.max(sa, sb);
    const x = scaled(a, k);
    const y = scaled(b, k);
    return x < y ? -1 : x > y ? 1 : 0;
  },
  cast: (a: unknown, sa: number, p: number, s: number): string | null => fit(rescale(scaled(a, sa), sa, s), p, s),
};

/** a + b or a - b (sign ±1) on safe numbers at scale max(sa, sb, s); null result = not safe. */
function addNumber(a: unknown, sa: number, b: unknown, sb: number, sign: number, p: number, s: number): string | null | undefined {
  const k = Math.max(sa, sb, s);
  const x = scaledNumber(a, k);
  const y = scaledNumber(b, k);
  const sum = x + sign * y;
  if (!Number.isSafeInteger(sum)) return undefined;
  const r = rescaleNumber(sum, k, s);
  return Number.isNaN(r) ? undefined : fitNumber(r, p, s);
}

export const dec = {
  /** a op b where a has scale sa, b scale sb, the result DECIMAL(p, s). */
  add: (a: unknown, sa: number, b: unknown, sb: number, p: number, s: number): string | null => {
    const fast = addNumber(a, sa, b, sb, 1, p, s);
    return fast !== undefined ? fast : decExact.add(a, sa, b, sb, p, s);
  },
  sub: (a: unknown, sa: number, b: unknown, sb: number, p: number, s: number): string | null => {
    const fast = addNumber(a, sa, b, sb, -1, p, s);
    return fast !== undefined ? fast : decExact.sub(a, sa, b, sb, p, s);
  },
  mul: (a: unknown, sa: number, b: unknown, sb: number, p: number, s: number): string | null => {
    const m = scaledNumber(a, sa) * scaledNumber(b, sb);
    if (Number.isSafeInteger(m)) {
      const r = rescaleNumber(m, sa + sb, s);
      if (!Number.isNaN(r)) return fitNumber(r, p, s);
    }
    return decExact.mul(a, sa, b, sb, p, s);
  },
  div: (a: unknown, sa: number, b: unknown, sb: number, p: number, s: number): string | null => {
    const y = scaled(b, sb);
    if (y === 0n) throw new SqlRuntimeError('Division by zero');
    // a / b at scale s: (A / 10^sa) / (B / 10^sb) * 10^s = A * 10^(s + sb - sa) / B
    const shift = s + sb - sa;
    const n = shift >= 0 ? scaled(a, sa) * pow10Big(shift) : scaled(a, sa) / pow10Big(-shift);
    return fit(divRound(n, y), p, s);
  },
  mod: (a: unknown, sa: number, b: unknown, sb: number, p: number, s: number): string | null => {
    const k = Math.max(sa, sb, s);
    const y = scaled(b, k);
    if (y === 0n) throw new SqlRuntimeError('Division by zero');
    return fit(rescale(scaled(a, k) % y, k, s), p, s);
  },
  neg: (a: unknown, sa: number): string => text(-scaled(a, sa), sa),
  cmp: (a: unknown, sa: number, b: unknown, sb: number): number => {
    const k = Math.max(sa, sb);
    const x = scaledNumber(a, k);
    const y = scaledNumber(b, k);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
    return decExact.cmp(a, sa, b, sb);
  },
  cast: (a: unknown, sa: number, p: number, s: number): string | null => {
    const x = scaledNumber(a, sa);
    if (!Number.isNaN(x)) {
      const r = rescaleNumber(x, sa, s);
      if (!Number.isNaN(r)) return fitNumber(r, p, s);
    }
    return decExact.cast(a, sa, p, s);
  },
  toNumber: (a: unknown): number => Number(a),
  /** DECIMAL to an integer type: truncation toward zero, as Java's BigDecimal.longValue(). */
  toInt: (a: unknown, sa: number): Int => normalize(scaled(a, sa) / pow10Big(sa)),
};

function rescale(v: bigint, from: number, to: number): bigint {
  if (to >= from) return v * pow10Big(to - from);
  return divRound(v, pow10Big(from - to));
}

/** Generic comparison of numbers, bigints, strings, booleans (operands are non-null). */
export function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---- strings

const likeCache = new Map<string, RegExp>();

/** SQL LIKE: % any run, _ one character, an optional escape character. */
export function like(value: string, pattern: string, escape?: string): boolean {
  const key = `${escape ?? ''}\u0000${pattern}`;
  let re = likeCache.get(key);
  if (re === undefined) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (escape !== undefined && c === escape) { src += (pattern[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); continue; }
      src += c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`);
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(key, re);
  }
  return re.test(value);
}

const regexCache = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(pattern);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

export function regexpExtract(s: string, pattern: string, group = 1): string | null {
  const m = regex(pattern).exec(s);
  if (m === null) return null;
  return m[group] ?? null;
}

export function splitIndex(s: string, sep: string, index: number): string | null {
  if (index < 0 || sep.length === 0) return null;
  const parts = s.split(sep);
  return index < parts.length ? parts[index]! : null;
}

export function substring(s: string, start: number, length?: number): string {
  const chars = [...s];
  // SQL positions are 1-based; 0 or negative starts count from the left edge as in Flink.
  const from = start > 0 ? start - 1 : start < 0 ? Math.max(0, chars.length + start) : 0;
  return (length === undefined ? chars.slice(from) : chars.slice(from, from + Math.max(0, length))).join('');
}

// ---- time: TIMESTAMP as epoch milliseconds of the wall-clock time read as UTC

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

type DatePart = (d: Date) => string;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function datePart(tok: string): DatePart {
  const w = tok.length;
  switch (tok[0]) {
    case 'y': return w === 2 ? (d) => pad(d.getUTCFullYear() % 100) : (d) => pad(d.getUTCFullYear(), w);
    case 'M': return (d) => pad(d.getUTCMonth() + 1, w);
    case 'd': return (d) => pad(d.getUTCDate(), w);
    case 'H': return (d) => pad(d.getUTCHours(), w);
    case 'h': return (d) => pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, w);
    case 'm': return (d) => pad(d.getUTCMinutes(), w);
    case 's': return (d) => pad(d.getUTCSeconds(), w);
    case 'S': return (d) => pad(d.getUTCMilliseconds(), 3).slice(0, w);
    case 'a': return (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM');
    default: return (d) => DAYS[d.getUTCDay()]!;
  }
}

/** A pattern compiled once into its parts, with the last formatted time remembered (rows often share it). */
interface CompiledDateFormat {
  readonly parts: Array<string | DatePart>;
  lastMs: number;
  last: string;
}
const dateFormats = new Map<string, CompiledDateFormat>();

function compileDateFormat(pattern: string): CompiledDateFormat {
  const parts: Array<string | DatePart> = [];
  let at = 0;
  for (const m of pattern.matchAll(/'([^']*)'|y+|M+|d+|H+|h+|m+|s+|S+|a|E+/g)) {
    if (m.index > at) parts.push(pattern.slice(at, m.index));
    parts.push(m[1] !== undefined ? m[1] : datePart(m[0]));
    at = m.index + m[0].length;
  }
  if (at < pattern.length) parts.push(pattern.slice(at));
  return { parts, lastMs: Number.NaN, last: '' };
}

/** DATE_FORMAT with the Java SimpleDateFormat letters users write (y M d H h m s S a E). */
export function dateFormat(ms: number, pattern: string): string {
  let f = dateFormats.get(pattern);
  if (f === undefined) {
    if (dateFormats.size > 1000) dateFormats.clear(); // patterns are nearly always literals; bound it anyway
    dateFormats.set(pattern, (f = compileDateFormat(pattern)));
  }
  if (ms === f.lastMs) return f.last;
  const d = new Date(ms);
  let out = '';
  for (const p of f.parts) out += typeof p === 'string' ? p : p(d);
  f.lastMs = ms;
  f.last = out;
  return out;
}

export function extract(unit: string, ms: number): number {
  const d = new Date(ms);
  switch (unit) {
    case 'YEAR': return d.getUTCFullYear();
    case 'QUARTER': return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'MONTH': return d.getUTCMonth() + 1;
    case 'DAY': return d.getUTCDate();
    case 'HOUR': return d.getUTCHours();
    case 'MINUTE': return d.getUTCMinutes();
    case 'SECOND': return d.getUTCSeconds();
    case 'MILLISECOND': return d.getUTCMilliseconds();
    case 'DOW': return d.getUTCDay() + 1;
    case 'DOY': return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    case 'EPOCH': return Math.floor(ms / 1000);
    default: throw new SqlRuntimeError(`EXTRACT(${unit} ...) is not supported`);
  }
}

/** 'yyyy-MM-dd[ HH:mm:ss[.fff]]' → epoch ms (as UTC wall clock); DATE 'yyyy-MM-dd' → days. */
export function parseTimestamp(s: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/.exec(s.trim());
  if (m === null) return null;
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
}

export function parseDate(s: string): number | null {
  const ms = parseTimestamp(s);
  return ms === null ? null : Math.floor(ms / 86_400_000);
}

export function formatTimestamp(ms: number, precision: number): string {
  const d = new Date(ms);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return precision > 0 ? `${base}.${pad(d.getUTCMilliseconds(), 3).padEnd(precision, '0').slice(0, precision)}` : base;
}

/** The helpers object the generated functions receive. */
export const SQL_RUNTIME = { i64, i32, dec, cmp, like, regexpExtract, splitIndex, substring, dateFormat, extract, parseTimestamp, parseDate, formatTimestamp, toTimestamp, toTimestampDefault, toTimestampLtz, SqlRuntimeError };
export type SqlRuntime = typeof SQL_RUNTIME;
