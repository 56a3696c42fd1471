// TO_TIMESTAMP(string, pattern) and TO_TIMESTAMP_LTZ(numeric[, precision]) as Flink 1.20 computes
// them (DateTimeUtils.parseTimestampData / toTimestampData):
// - the pattern is a java.time DateTimeFormatter pattern (ofPattern: strict, case-sensitive,
//   English texts, SMART resolution: 2025-02-30 becomes 2025-02-28, 24:00:00 the next midnight);
//   missing fields default to 1970-01-01 00:00:00.000; an offset (X, x, Z) is read but ignored;
// - when the pattern does not match, Flink falls back to java.sql.Timestamp.valueOf (when the
//   trimmed text has a space) or java.sql.Date.valueOf ('1999-9-10 05:20:10', '1999-9-10'),
//   both lenient (2025-02-31 is 2025-03-03); when that fails too the result is NULL.
// Patterns compile once and are cached. Results are epoch milliseconds of the wall clock (UTC).
import { SqlRuntimeError } from '../codegen/sql-runtime.ts';

type Field = 'year' | 'yearOfEra' | 'month' | 'day' | 'dayOfYear' | 'hour' | 'clockHourAmPm' | 'hourAmPm' | 'clockHourDay' | 'minute' | 'second' | 'nano' | 'ampm' | 'dayOfWeek';

type Element =
  | { kind: 'literal'; text: string }
  /** digits; `exceedsPad`: more than `min` digits need a sign (yyyy); `subsequent`: digits the adjacent fixed-width fields after it take */
  | { kind: 'number'; field: Field; min: number; max: number; exceedsPad: boolean; subsequent: number }
  | { kind: 'reducedYear'; field: Field }
  /** fraction digits (S…S: exactly `min` = `max`); `point`: after a '.' (TO_TIMESTAMP's default format) */
  | { kind: 'fraction'; min: number; max: number; point: boolean }
  | { kind: 'text'; field: Field; texts: ReadonlyArray<readonly [string, number]> }
  | { kind: 'offset'; colon: boolean; zeroZ: boolean; minutes: 'optional' | 'required' }
  /** a zone name or id (z, VV): read, then ignored like an offset */
  | { kind: 'zone' }
  | { kind: 'optional'; elements: Element[] };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const texts = (names: readonly string[], short: boolean): Array<readonly [string, number]> =>
  names.map((n, i) => [short ? n.slice(0, 3) : n, i + 1] as const).sort((a, b) => b[0].length - a[0].length);

const SUPPORTED = "y u M L d D H h k K m s S a E X x Z z VV, quoted text and [optional] sections";

function unsupported(pattern: string, what: string): never {
  throw new SqlRuntimeError(`TO_TIMESTAMP: ${what} in the pattern '${pattern}' is not supported; Millrace reads the DateTimeFormatter letters ${SUPPORTED}`);
}

/** Compiles a DateTimeFormatter.ofPattern pattern into elements (the letters users write). */
function compile(pattern: string): Element[] {
  const stack: Element[][] = [[]];
  let i = 0;
  const top = (): Element[] => stack[stack.length - 1]!;
  // adjacent value parsing: a variable-width number followed directly by fixed-width ones leaves them their digits
  let base: Extract<Element, { kind: 'number' }> | undefined;
  const push = (e: Element): void => {
    if (e.kind === 'number' || e.kind === 'reducedYear' || (e.kind === 'fraction')) {
      const fixed = e.kind === 'number' ? (e.min === e.max && !e.exceedsPad ? e.max : undefined) : e.kind === 'reducedYear' ? 2 : e.min === e.max && !e.point ? e.max : undefined;
      if (base !== undefined && fixed !== undefined) {
        base.subsequent += fixed;
        top().push(e);
        return;
      }
      base = e.kind === 'number' ? e : undefined;
    } else {
      base = undefined;
    }
    top().push(e);
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      // quoted text; '' is a quote, inside quotes and out
      let j = i + 1;
      let text = '';
      if (pattern[j] === "'") {
        j++;
        text = "'";
      } else {
        for (;;) {
          if (j >= pattern.length) unsupported(pattern, 'an unclosed quote');
          if (pattern[j] === "'") {
            if (pattern[j + 1] !== "'") break;
            j++;
          }
          text += pattern[j++];
        }
        j++;
      }
      push({ kind: 'literal', text });
      i = j;
      continue;
    }
    if (c === '[') {
      const optional: Element = { kind: 'optional', elements: [] };
      push(optional);
      stack.push((optional as { elements: Element[] }).elements);
      base = undefined;
      i++;
      continue;
    }
    if (c === ']') {
      if (stack.length === 1) unsupported(pattern, "a ']' without '['");
      stack.pop();
      base = undefined;
      i++;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      if ('#{}'.includes(c)) unsupported(pattern, `the reserved character '${c}'`);
      push({ kind: 'literal', text: c });
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    push(letter(c, n, pattern));
  }
  if (stack.length !== 1) unsupported(pattern, "a '[' without ']'");
  return stack[0]!;
}

function letter(c: string, n: number, pattern: string): Element {
  const num = (field: Field, min: number, max: number, exceedsPad = false): Element => ({ kind: 'number', field, min, max, exceedsPad, subsequent: 0 });
  const oneOrTwo = (field: Field): Element => {
    if (n > 2) unsupported(pattern, `'${c.repeat(n)}' (too many pattern letters)`);
    return n === 1 ? num(field, 1, 19) : num(field, 2, 2);
  };
  switch (c) {
    case 'y': case 'u': {
      const field = c === 'y' ? 'yearOfEra' : 'year';
      if (n === 2) return { kind: 'reducedYear', field };
      return n < 4 ? num(field, n, 19) : num(field, n, 19, true);
    }
    case 'M': case 'L':
      if (n <= 2) return oneOrTwo('month');
      if (n > 4) unsupported(pattern, `'${c.repeat(n)}' (narrow month names)`);
      return { kind: 'text', field: 'month', texts: texts(MONTHS, n === 3) };
    case 'd': return oneOrTwo('day');
    case 'D':
      if (n > 3) unsupported(pattern, `'${c.repeat(n)}' (too many pattern letters)`);
      return n === 1 ? num('dayOfYear', 1, 19) : n === 2 ? num('dayOfYear', 2, 3) : num('dayOfYear', 3, 3);
    case 'H': return oneOrTwo('hour');
    case 'h': return oneOrTwo('clockHourAmPm');
    case 'K': return oneOrTwo('hourAmPm');
    case 'k': return oneOrTwo('clockHourDay');
    case 'm': return oneOrTwo('minute');
    case 's': return oneOrTwo('second');
    case 'S': return { kind: 'fraction', min: n, max: n, point: false };
    case 'a':
      if (n > 1) unsupported(pattern, `'${c.repeat(n)}' (too many pattern letters)`);
      return { kind: 'text', field: 'ampm', texts: [['AM', 0], ['PM', 1]] };
    case 'E':
      if (n > 4) unsupported(pattern, `'${c.repeat(n)}' (narrow day names)`);
      return { kind: 'text', field: 'dayOfWeek', texts: texts(DAYS, n <= 3) };
    case 'X': case 'x':
      if (n > 3) unsupported(pattern, `'${c.repeat(n)}'`);
      return { kind: 'offset', colon: n === 3, zeroZ: c === 'X', minutes: n === 1 ? 'optional' : 'required' };
    case 'Z':
      if (n > 3) unsupported(pattern, `'${c.repeat(n)}'`);
      return { kind: 'offset', colon: false, zeroZ: false, minutes: 'required' };
    case 'z':
      if (n > 3) unsupported(pattern, `'${c.repeat(n)}' (full zone names)`);
      return { kind: 'zone' };
    case 'V':
      if (n !== 2) unsupported(pattern, `'${c.repeat(n)}' (only VV)`);
      return { kind: 'zone' };
    default: return unsupported(pattern, `the pattern letter '${c}'`);
  }
}

type Parsed = Partial<Record<Field, number>>;

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/** Parses `s` from `pos` with `elements` into `out`; the new position, or -1. */
function parseElements(elements: readonly Element[], s: string, pos: number, out: Parsed): number {
  for (const e of elements) {
    pos = parseElement(e, s, pos, out);
    if (pos < 0) return -1;
  }
  return pos;
}

function parseElement(e: Element, s: string, pos: number, out: Parsed): number {
  switch (e.kind) {
    case 'literal': return s.startsWith(e.text, pos) ? pos + e.text.length : -1;
    case 'number': {
      let sign = 1;
      let at = pos;
      if (e.exceedsPad && (s[at] === '+' || s[at] === '-')) {
        sign = s[at] === '-' ? -1 : 1;
        at++;
      }
      let digits = 0;
      while (digits < e.max + e.subsequent && isDigit(s[at + digits])) digits++;
      if (e.subsequent > 0) digits = Math.max(e.min, digits - e.subsequent);
      if (digits < e.min) return -1;
      // strict EXCEEDS_PAD: more digits than the pad need a '+'
      if (e.exceedsPad && at === pos && digits > e.min) return -1;
      if (e.exceedsPad && at !== pos && digits <= e.min) return -1;
      out[e.field] = sign * Number(s.slice(at, at + digits));
      return at + digits;
    }
    case 'reducedYear': {
      if (!isDigit(s[pos]) || !isDigit(s[pos + 1])) return -1;
      out[e.field] = 2000 + Number(s.slice(pos, pos + 2));
      return pos + 2;
    }
    case 'fraction': {
      let at = pos;
      if (e.point) {
        if (s[at] !== '.') return e.min === 0 ? pos : -1;
        at++;
      }
      let digits = 0;
      while (digits < e.max && isDigit(s[at + digits])) digits++;
      if (digits < e.min) return -1;
      out.nano = Number(s.slice(at, at + digits).padEnd(9, '0'));
      return at + digits;
    }
    case 'text': {
      for (const [text, value] of e.texts) {
        if (s.startsWith(text, pos)) {
          out[e.field] = value;
          return pos + text.length;
        }
      }
      return -1;
    }
    case 'offset': {
      if (e.zeroZ && s[pos] === 'Z') return pos + 1;
      const m = (e.colon ? /^[+-]\d\d(?::\d\d)?/ : /^[+-]\d\d(?:\d\d)?/).exec(s.slice(pos));
      if (m === null) return -1;
      if (e.minutes === 'required' && m[0].length === 3) return -1;
      return pos + m[0].length;
    }
    case 'zone': {
      const m = /^(?:[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*(?:[+-]\d\d?(?::?\d\d)?)?|[+-]\d\d(?::?\d\d)?|Z)/.exec(s.slice(pos));
      return m === null ? -1 : pos + m[0].length;
    }
    case 'optional': {
      const tried: Parsed = { ...out };
      const end = parseElements(e.elements, s, pos, tried);
      if (end < 0) return pos;
      Object.assign(out, tried);
      return end;
    }
  }
}

const DAY_MS = 86_400_000;
const inRange = (v: number | undefined, lo: number, hi: number): boolean => v === undefined || (v >= lo && v <= hi);
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const monthLength = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC maps years 0-99 to 1900-1999
  return y >= 0 && y < 100 ? new Date(t).setUTCFullYear(y) : t;
};

/** DateTimeFormatter's SMART resolution, then Flink's defaults for what is missing; undefined: not a valid date-time. */
function resolve(p: Parsed): number | undefined {
  const year = p.year ?? p.yearOfEra;
  if (p.yearOfEra !== undefined && p.yearOfEra < 1) return undefined;
  if (!inRange(p.month, 1, 12) || !inRange(p.day, 1, 31) || !inRange(p.dayOfYear, 1, 366)) return undefined;
  // hours: 24:00:00 is the next midnight; clock hours 0 are allowed (SMART)
  let hour = p.hour;
  if (p.clockHourDay !== undefined) {
    if (!inRange(p.clockHourDay, 0, 24)) return undefined;
    hour = p.clockHourDay === 24 ? 0 : p.clockHourDay;
  }
  let hourAmPm = p.hourAmPm;
  if (p.clockHourAmPm !== undefined) {
    if (!inRange(p.clockHourAmPm, 0, 12)) return undefined;
    hourAmPm = p.clockHourAmPm === 12 ? 0 : p.clockHourAmPm;
  }
  if (!inRange(hourAmPm, 0, 11)) return undefined;
  if (hourAmPm !== undefined && p.ampm !== undefined) hour = p.ampm * 12 + hourAmPm;
  let excessDays = 0;
  if (hour === 24 && (p.minute ?? 0) === 0 && (p.second ?? 0) === 0 && (p.nano ?? 0) === 0) {
    hour = 0;
    excessDays = 1;
  }
  if (!inRange(hour, 0, 23) || !inRange(p.minute, 0, 59) || !inRange(p.second, 0, 59)) return undefined;
  // the date: year-month-day (a day past the month's end becomes its last day) or year and day of year
  let y = year ?? 1970;
  let mo = p.month ?? 1;
  let d = p.day ?? 1;
  let dateResolved = false;
  if (year !== undefined && p.month !== undefined && p.day !== undefined) {
    d = Math.min(d, monthLength(year, p.month));
    dateResolved = true;
  } else if (year !== undefined && p.dayOfYear !== undefined) {
    if (p.dayOfYear === 366 && !isLeap(year)) return undefined;
    const date = new Date(utc(year, 1, 1) + (p.dayOfYear - 1) * DAY_MS);
    [y, mo, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    dateResolved = true;
  }
  // a day of week must agree with the resolved date
  if (dateResolved && p.dayOfWeek !== undefined) {
    const dow = ((new Date(utc(y, mo, d)).getUTCDay() + 6) % 7) + 1;
    if (dow !== p.dayOfWeek) return undefined;
  }
  if (!dateResolved && (mo > 12 || d > monthLength(y, mo))) {
    throw new SqlRuntimeError(`TO_TIMESTAMP: the parsed fields give no valid date (${y}-${mo}-${d})`);
  }
  const ms = Math.floor((p.nano ?? 0) / 1_000_000);
  return utc(y, mo, d, hour ?? 0, p.minute ?? 0, p.second ?? 0, ms) + excessDays * DAY_MS;
}

// Java's Integer.parseInt: an optional sign, then decimal digits only
const javaInt = (text: string): number | undefined => (/^[+-]?\d+$/.test(text) ? Number(text) : undefined);

/** java.sql.Timestamp.valueOf / java.sql.Date.valueOf (lenient: fields roll over), as Flink falls back to them. */
function fallback(text: string): number | null {
  const s = text.trim();
  const space = s.indexOf(' ');
  const dateText = space >= 0 ? s.slice(0, space) : s;
  const first = dateText.indexOf('-');
  const second = dateText.indexOf('-', first + 1);
  if (first !== 4 || second < 0 || second - first < 2 || second - first > 3) return null;
  const dayLength = dateText.length - second - 1;
  if (dayLength < 1 || dayLength > 2) return null;
  const [y, mo, d] = [javaInt(dateText.slice(0, first)), javaInt(dateText.slice(first + 1, second)), javaInt(dateText.slice(second + 1))];
  if (y === undefined || mo === undefined || d === undefined || mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  if (space < 0) return utc(y, mo, d);
  const time = s.slice(space + 1);
  const c1 = time.indexOf(':');
  const c2 = time.indexOf(':', c1 + 1);
  if (c1 <= 0 || c2 <= 0 || c2 >= time.length - 1) return null;
  const period = time.indexOf('.', c2 + 1);
  const [h, mi] = [javaInt(time.slice(0, c1)), javaInt(time.slice(c1 + 1, c2))];
  let sec: number | undefined;
  let nanos = 0;
  if (period > 0) {
    if (period >= time.length - 1) return null;
    sec = javaInt(time.slice(c2 + 1, period));
    const frac = time.slice(period + 1);
    if (frac.length > 9 || !/^\d+$/.test(frac)) return null;
    nanos = Number(frac.padEnd(9, '0'));
  } else {
    sec = javaInt(time.slice(c2 + 1));
  }
  if (h === undefined || mi === undefined || sec === undefined) return null;
  return utc(y, mo, d, h, mi, sec, Math.floor(nanos / 1_000_000));
}

const compiled = new Map<string, Element[]>();

// TO_TIMESTAMP(s) without a pattern: Flink's DEFAULT_TIMESTAMP_FORMATTER,
// `yyyy-[MM][M]-[dd][d]` then optionally ` [HH][H]:[mm][m]:[ss][s]` and a fraction of 0-9 digits after '.'
const DEFAULT_FORMAT = ((): Element[] => {
  const elements = compile('yyyy-[MM][M]-[dd][d][ [HH][H]:[mm][m]:[ss][s]]');
  (elements[elements.length - 1] as { elements: Element[] }).elements.push({ kind: 'fraction', min: 0, max: 9, point: true });
  return elements;
})();

/**
 * TO_TIMESTAMP(s): Flink 1.20 parses with its default format and has no fallback: text it cannot
 * parse ('2025-01-01T10:00:04', '2025-01-01 10:00') fails the job (DateTimeParseException), so it fails here too.
 */
export function toTimestampDefault(s: string): number {
  const parsed: Parsed = {};
  const end = parseElements(DEFAULT_FORMAT, s, 0, parsed);
  const ms = end === s.length ? resolve(parsed) : undefined;
  if (ms === undefined) throw new SqlRuntimeError(`TO_TIMESTAMP: Text '${s}' could not be parsed with the default format yyyy-MM-dd HH:mm:ss[.fraction] (Flink fails the job too); give TO_TIMESTAMP a pattern to get NULL for unparsable text instead`);
  return ms;
}

/** TO_TIMESTAMP(s, pattern): the TIMESTAMP(3) as epoch ms of the wall clock, or null when unparsable. */
export function toTimestamp(s: string, pattern: string): number | null {
  let elements = compiled.get(pattern);
  if (elements === undefined) {
    if (compiled.size > 1000) compiled.clear(); // patterns are nearly always literals; bound it anyway
    compiled.set(pattern, (elements = compile(pattern)));
  }
  const parsed: Parsed = {};
  const end = parseElements(elements, s, 0, parsed);
  const ms = end === s.length ? resolve(parsed) : undefined;
  return ms ?? fallback(s);
}

const MIN_EPOCH_MS = -62_167_219_200_000; // 0000-01-01 00:00:00 UTC
const MAX_EPOCH_MS = 253_402_300_799_999; // 9999-12-31 23:59:59.999 UTC

/**
 * TO_TIMESTAMP_LTZ(numeric, precision): epoch seconds (0) or milliseconds (3); fractions are cut
 * toward zero (Flink's (long) cast and RoundingMode.DOWN); out of the years 0000-9999: NULL.
 * A DECIMAL arrives as its text.
 */
export function toTimestampLtz(v: number | bigint | string, precision: number): number | null {
  if (precision !== 0 && precision !== 3) {
    throw new SqlRuntimeError(`The precision value '${precision}' for function TO_TIMESTAMP_LTZ(numeric, precision) is unsupported, the supported value is '0' for second or '3' for millisecond.`);
  }
  const n = Number(v);
  const ms = precision === 0 ? (typeof v === 'string' ? Math.trunc(n) * 1000 : Math.trunc(n * 1000)) : Math.trunc(n);
  return ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS ? ms : null;
}
