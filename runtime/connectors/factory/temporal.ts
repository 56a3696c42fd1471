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
  const p = parts(ms);
  return `${p.date}${separator}${pad(p.h)}:${pad(p.m)}:${pad(p.s)}${minimalFraction(p.frac)}`;
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
