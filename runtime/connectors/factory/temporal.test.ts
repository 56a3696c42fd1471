// The SQL timestamp text both ways: the arithmetic fast paths (formatSqlTimestamp for 1970–9999,
// parseTimestamp for `yyyy-MM-dd HH:mm:ss[.f…]`) give what Date gives, and what they do not take
// still goes through the general rules.
import { formatSqlTimestamp, parseTimestamp } from './temporal.ts';

/** The text by Date's ISO form (what the format wrote before the fast path), fraction as short as it can be. */
function byDate(ms: number, separator = ' '): string {
  const iso = new Date(ms).toISOString(); // 2025-01-01T00:00:04.500Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)}${separator}${iso.slice(11, 19)}${frac ? '.' + frac : ''}`;
}

/** A fixed pseudo-random sequence (the test sees the same values every run). */
function* sample(count: number, max: number): Generator<number> {
  let x = 0x2545f491;
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    yield Math.floor(((x >>> 0) / 2 ** 32) * max);
  }
}

const YEAR_10000 = Date.UTC(10000, 0, 1);

describe('formatSqlTimestamp', () => {
  test('matches Date for instants from 1970 to 9999, leap days and ends of months included', () => {
    const edges = [0, 1, 999, 1000, 86_399_999, 86_400_000, Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(2100, 1, 28, 12), Date.UTC(2024, 11, 31, 23, 59, 59, 10), YEAR_10000 - 1];
    const instants = [...edges, ...sample(20_000, YEAR_10000)];
    expect(instants.map((ms) => formatSqlTimestamp(ms))).toEqual(instants.map((ms) => byDate(ms)));
    expect(formatSqlTimestamp(Date.UTC(2025, 0, 1, 0, 0, 4, 500), 'T')).toBe('2025-01-01T00:00:04.5');
  });

  test('before 1970 and from year 10000 on it writes the same shapes as before', () => {
    expect(formatSqlTimestamp(-1)).toBe('1969-12-31 23:59:59.999');
    expect(formatSqlTimestamp(Date.UTC(1, 0, 1) - 1000 * 86_400_000)).toBe(byDate(Date.UTC(1, 0, 1) - 1000 * 86_400_000));
    expect(formatSqlTimestamp(YEAR_10000)).toBe('10000-01-01 00:00:00');
  });
});

describe('parseTimestamp', () => {
  test('reads the text formatSqlTimestamp writes back to the same instant', () => {
    const instants = [...sample(20_000, YEAR_10000)].filter((ms) => ms >= Date.UTC(1000, 0, 1));
    expect(instants.map((ms) => parseTimestamp(byDate(ms)))).toEqual(instants);
    expect(instants.map((ms) => parseTimestamp(byDate(ms, 'T')))).toEqual(instants);
  });

  test('fractions of 1 to 9 digits keep their first three (milliseconds)', () => {
    expect(parseTimestamp('2025-01-01 00:00:04.5')).toBe(Date.UTC(2025, 0, 1, 0, 0, 4, 500));
    expect(parseTimestamp('2025-01-01 00:00:04.05')).toBe(Date.UTC(2025, 0, 1, 0, 0, 4, 50));
    expect(parseTimestamp('2025-01-01 00:00:04.123456789')).toBe(Date.UTC(2025, 0, 1, 0, 0, 4, 123));
    expect(parseTimestamp('2025-01-01 00:00:04.1234567890')).toBeUndefined();
    expect(parseTimestamp('2025-01-01 00:00:04.')).toBeUndefined();
  });

  test('shapes outside the fast path still follow the general rules', () => {
    expect(parseTimestamp('2025-02-29 00:00:00')).toBeUndefined(); // no such day
    expect(parseTimestamp('2024-02-29 10:00:00')).toBe(Date.UTC(2024, 1, 29, 10));
    expect(parseTimestamp('2025-1-2 3:04')).toBe(Date.UTC(2025, 0, 2, 3, 4));
    expect(parseTimestamp(' 2025-01-02 03:04:05Z ')).toBe(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(parseTimestamp('2025-01-02')).toBe(Date.UTC(2025, 0, 2));
    expect(parseTimestamp('2025-01-02 03:04:05x')).toBeUndefined();
    expect(parseTimestamp('2025-13-02 03:04:05')).toBeUndefined();
    expect(parseTimestamp('not a time')).toBeUndefined();
  });
});
