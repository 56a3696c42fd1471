// Text forms of the temporal values (row.ts representation: epoch milliseconds, days, ms of day),
// as Flink writes them: SQL style `2025-01-01 00:00:04.5` (fraction only as long as needed, like
// Flink's SQL_TIMESTAMP_FORMAT), ISO-8601 `2025-01-01T00:00:04.5`, and Java's
// LocalDateTime#toString `2025-01-01T00:00:04.500` that Flink's print connector shows.

const DAY_MS = 86_400_000;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function parts(ms: number): { date: string; h: number; m: number; s: number; frac: number } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const date = `${y < 0 ? '-' + pad(-y, 4) : pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return { date, h: d.getUTCHours(), m: d.getUTCMinutes(), s: d.getUTCSeconds(), frac: d.getUTCMilliseconds() };
}

/** `.5` for 500 ms, `` for 0 (appendFraction(NANO_OF_SECOND, 0, 9, true)). */
function minimalFraction(ms: number): string {
  return ms === 0 ? '' : '.' + pad(ms, 3).replace(/0+$/, '');
}

/** `yyyy-MM-dd HH:mm:ss[.fff]`: Flink's SQL timestamp text (JSON and CSV formats, CAST to STRING). */
export function formatSqlTimestamp(ms: number, separator: ' ' | 'T' = ' '): string {
  // years 1970–9999 (every record a Kafka or file pipeline usually carries) by arithmetic; the rest through Date
  if (Number.isInteger(ms) && ms >= 0 && ms < YEAR_10000_MS) return formatSqlTimestampFast(ms, separator);
  const p = parts(ms);
  return `${p.date}${separator}${pad(p.h)}:${pad(p.m)}:${pad(p.s)}${minimalFraction(p.frac)}`;
}

/** 0000-01-01 … 9999-12-31 as epoch ms: 10000-01-01T00:00:00Z */
const YEAR_10000_MS = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => pad(i));
/** `.5` for 500 ms, `` for 0: minimalFraction of every millisecond value */
const FRACTIONS = Array.from({ length: 1000 }, (_, i) => minimalFraction(i));

/**
 * formatSqlTimestamp for 0 <= ms < year 10000, without a Date: the civil date of the day number
 * (Howard Hinnant's days_from_civil inverse), the time of day by division. Same text as parts().
 */
function formatSqlTimestampFast(ms: number, separator: string): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}${separator}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[s]}${FRACTIONS[rest - s * 1000]}`;
}

/** Java's LocalDateTime#toString: seconds and fraction only when non-zero, fraction in groups of three digits. */
export function formatJavaLocalDateTime(ms: number): string {
  const p = parts(ms);
  return `${p.date}T${javaTime(p.h, p.m, p.s, p.frac)}`;
}

function javaTime(h: number, m: number, s: number, frac: number): string {
  const hm = `${pad(h)}:${pad(m)}`;
  if (s === 0 && frac === 0) return hm;
  return `${hm}:${pad(s)}${frac === 0 ? '' : '.' + pad(frac, 3)}`;
}

/** Java's LocalTime#toString of milliseconds of the day. */
export function formatJavaLocalTime(msOfDay: number): string {
  return javaTime(Math.floor(msOfDay / 3_600_000), Math.floor(msOfDay / 60_000) % 60, Math.floor(msOfDay / 1000) % 60, msOfDay % 1000);
}

/** Java's Instant#toString (TIMESTAMP_LTZ in print): ISO with `Z`, seconds always shown. */
export function formatJavaInstant(ms: number): string {
  const p = parts(ms);
  return `${p.date}T${pad(p.h)}:${pad(p.m)}:${pad(p.s)}${p.frac === 0 ? '' : '.' + pad(p.frac, 3)}Z`;
}

const TIMESTAMP = /^\s*(-?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z)?\s*$/;

/** Parses `yyyy-MM-dd[( |T)HH:mm[:ss[.f…]]][Z]` to epoch ms (wall clock read as UTC); undefined when it is not one. */
export function parseTimestamp(text: string): number | undefined {
  const fast = parseCanonicalTimestamp(text);
  return fast >= 0 ? fast : parseTimestampText(text);
}

/** The value of the two digits at i, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The common shape, `yyyy-MM-dd( |T)HH:mm:ss[.f{1,9}]` with a year from 1000 and every field in
 * range, without a regular expression (Flink's json and csv formats write it; a Kafka source reads
 * one per record); -1 for anything else, which parseTimestampText then decides.
 */
function parseCanonicalTimestamp(text: string): number {
  const n = text.length;
  if (n < 19 || n > 29 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return -1;
  const sep = text.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return -1;
  const y1 = twoDigits(text, 0);
  const y2 = twoDigits(text, 2);
  const mo = twoDigits(text, 5);
  const d = twoDigits(text, 8);
  const h = twoDigits(text, 11);
  const mi = twoDigits(text, 14);
  const s = twoDigits(text, 17);
  if (y1 < 10 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return -1;
  const y = y1 * 100 + y2;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return -1;
  let frac = 0;
  if (n > 19) {
    // `.` and 1–9 digits, the first three are the milliseconds
    if (text.charCodeAt(19) !== 46 || n === 20) return -1;
    for (let i = 20; i < n; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      if (i < 23) frac = frac * 10 + c;
    }
    for (let i = n; i < 23; i++) frac *= 10;
  }
  return Date.UTC(y, mo - 1, d, h, mi, s, frac);
}

function parseTimestampText(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, f] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number((f ?? '').padEnd(3, '0').slice(0, 3)));
  const check = new Date(ms);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined; // 2025-02-30
  return Number.isFinite(ms) ? ms : undefined;
}

export function formatDate(days: number): string {
  return parts(days * DAY_MS).date;
}

export function parseDate(text: string): number | undefined {
  if (!/^\s*-?\d{4,}-\d{1,2}-\d{1,2}\s*$/.test(text)) return undefined;
  const ms = parseTimestamp(text);
  return ms === undefined ? undefined : Math.floor(ms / DAY_MS);
}

/** `HH:mm:ss[.fff]` (SQL form). */
export function formatTime(msOfDay: number): string {
  return `${pad(Math.floor(msOfDay / 3_600_000))}:${pad(Math.floor(msOfDay / 60_000) % 60)}:${pad(Math.floor(msOfDay / 1000) % 60)}${minimalFraction(msOfDay % 1000)}`;
}

export function parseTime(text: string): number | undefined {
  const m = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*$/.exec(text);
  if (!m) return undefined;
  const [, h, mi, s, f] = m;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  return Number(h) * 3_600_000 + Number(mi) * 60_000 + Number(s ?? 0) * 1000 + Number((f ?? '').padEnd(3, '0').slice(0, 3));
}
