// TO_TIMESTAMP(s, pattern) and TO_TIMESTAMP_LTZ(n, precision): each expected value is what Flink
// 1.20.3 printed for the same call (the oracle run in test/sql/flink-oracle/oracle.test.ts checks a
// slice of them against Flink itself; this file keeps the whole list fast and JVM-free).
import { toTimestamp, toTimestampDefault, toTimestampLtz } from './to-timestamp.ts';

const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe('TO_TIMESTAMP with a java.time DateTimeFormatter pattern, as Flink 1.20 parses it', () => {
  test.each([
    ['2025-01-01 10:00:04', 'yyyy-MM-dd HH:mm:ss', at(2025, 1, 1, 10, 0, 4)],
    ['2025-01-01T10:00:04.123', "yyyy-MM-dd'T'HH:mm:ss.SSS", at(2025, 1, 1, 10, 0, 4, 123)],
    ['31/12/2024', 'dd/MM/yyyy', at(2024, 12, 31)],
    ['2025-01-01 10:00', 'yyyy-MM-dd HH:mm', at(2025, 1, 1, 10)],
    ['20250101103000', 'yyyyMMddHHmmss', at(2025, 1, 1, 10, 30)], // adjacent fields: yyyy leaves MMddHHmmss their digits
    ['2025-01-01 03:04 PM', 'yyyy-MM-dd hh:mm a', at(2025, 1, 1, 15, 4)],
    ['2025-01-01 12:30 AM', 'yyyy-MM-dd hh:mm a', at(2025, 1, 1, 0, 30)],
    ['10:30', 'HH:mm', at(1970, 1, 1, 10, 30)], // missing fields: 1970-01-01
    ['2025-03', 'yyyy-MM', at(2025, 3, 1)],
    ['25-01-01', 'yy-MM-dd', at(2025, 1, 1)],
    ['01-Jan-2025', 'dd-MMM-yyyy', at(2025, 1, 1)],
    ['January 1 2025', 'MMMM d yyyy', at(2025, 1, 1)],
    ['Wed, 01 Jan 2025 10:00:00', 'EEE, dd MMM yyyy HH:mm:ss', at(2025, 1, 1, 10)],
    ['2025-01-01T10:00:00+02:00', "yyyy-MM-dd'T'HH:mm:ssXXX", at(2025, 1, 1, 10)], // the offset is read, not applied
    ['2025-01-01 10:00:00 +0200', 'yyyy-MM-dd HH:mm:ss Z', at(2025, 1, 1, 10)],
    ['2025-01-01 10:00:00 UTC', 'yyyy-MM-dd HH:mm:ss z', at(2025, 1, 1, 10)],
    ['2025-1-5', 'yyyy-M-d', at(2025, 1, 5)],
    ['1/2/2025 7:05', 'd/M/yyyy H:mm', at(2025, 2, 1, 7, 5)],
    ['2025-01-01 10:00:00', 'yyyy-MM-dd[ HH:mm:ss]', at(2025, 1, 1, 10)],
    ['2025-01-01', 'yyyy-MM-dd[ HH:mm:ss]', at(2025, 1, 1)],
    ['2025-01-01 10:00:04.123456', 'yyyy-MM-dd HH:mm:ss.SSSSSS', at(2025, 1, 1, 10, 0, 4, 123)],
    ['2025-001', 'yyyy-DDD', at(2025, 1, 1)],
    ['2025-01-01 10:00:00', 'uuuu-MM-dd HH:mm:ss', at(2025, 1, 1, 10)],
    ["it's 2025", "'it''s' yyyy", at(2025, 1, 1)],
    // SMART resolution: a day past the month's end is its last day; 24:00:00 is the next midnight
    ['2025-02-30 10:00:00', 'yyyy-MM-dd HH:mm:ss', at(2025, 2, 28, 10)],
    ['2025-01-01 24:00:00', 'yyyy-MM-dd HH:mm:ss', at(2025, 1, 2)],
    // hh without a: the hour of day stays unknown (0), as java.time leaves it
    ['2025-01-01 03:04', 'yyyy-MM-dd hh:mm', at(2025, 1, 1, 0, 4)],
    // no match: Flink falls back to java.sql.Timestamp.valueOf / Date.valueOf, which roll over
    ['2025-1-5 3:04:05', 'dd/MM/yyyy', at(2025, 1, 5, 3, 4, 5)],
    ['2025-01-01 25:00:00', 'yyyy-MM-dd HH:mm:ss', at(2025, 1, 2, 1)],
    ['2025-01-01 10:00:04.5', 'yyyy-MM-dd HH:mm:ss.SSS', at(2025, 1, 1, 10, 0, 4, 500)],
    ['2025-01-01 100:00:00', 'dd', at(2025, 1, 5, 4)],
    ['2025-02-31', 'x', at(2025, 3, 3)],
    [' 2025-01-01 10:00:04 ', 'yyyy-MM-dd HH:mm:ss', at(2025, 1, 1, 10, 0, 4)],
  ])('%s with %s', (s, pattern, expected) => {
    expect(toTimestamp(s, pattern)).toBe(expected);
  });

  test.each([
    ['not a date', 'yyyy-MM-dd'],
    ['2025-01-01 10:00:04xyz', 'yyyy-MM-dd HH:mm:ss'],
    ['Thu, 01 Jan 2025 10:00:00', 'EEE, dd MMM yyyy HH:mm:ss'], // 2025-01-01 is a Wednesday
    ['2025-13-01 10:00:00', 'yyyy-MM-dd HH:mm:ss'],
    ['jan 1 2025', 'MMM d yyyy'], // texts are case-sensitive
    ['2025-01-01 12:30 pm', 'yyyy-MM-dd hh:mm a'],
  ])('%s with %s is NULL', (s, pattern) => {
    expect(toTimestamp(s, pattern)).toBeNull();
  });

  test('a pattern letter Millrace does not read fails with the letter, the pattern and the ones it reads', () => {
    expect(() => toTimestamp('2025 Q1', 'yyyy QQ')).toThrow("MR_ERR_SQL_RUNTIME: TO_TIMESTAMP: the pattern letter 'Q' in the pattern 'yyyy QQ' is not supported; Millrace reads the DateTimeFormatter letters y u M L d D H h k K m s S a E X x Z z VV");
    expect(() => toTimestamp('2025', "yyyy 'x")).toThrow(/an unclosed quote in the pattern/);
  });
});

describe("TO_TIMESTAMP without a pattern: Flink 1.20's default format, no fallback", () => {
  test.each([
    ['2025-01-01 10:00:04', at(2025, 1, 1, 10, 0, 4)],
    ['2025-01-01 10:00:04.123456', at(2025, 1, 1, 10, 0, 4, 123)],
    ['2025-01-01 10:00:04.', at(2025, 1, 1, 10, 0, 4)],
    ['2025-1-5 3:4:5', at(2025, 1, 5, 3, 4, 5)],
    ['2025-01-01', at(2025, 1, 1)],
    ['2025-02-30 10:00:00', at(2025, 2, 28, 10)],
  ])('%s', (s, expected) => {
    expect(toTimestampDefault(s)).toBe(expected);
  });

  // Flink 1.20.3 failed its job on '2025-01-01T10:00:04' ("DateTimeParseException: Text '2025-01-01T10:00:04'
  // could not be parsed, unparsed text found at index 10"); a pattern gives NULL instead
  test.each(['2025-01-01T10:00:04', '2025-01-01 10:00', ' 2025-01-01', 'not a date', '2025-01-01 25:00:00'])('%s fails the job, naming the text', (s) => {
    expect(() => toTimestampDefault(s)).toThrow(`MR_ERR_SQL_RUNTIME: TO_TIMESTAMP: Text '${s}' could not be parsed with the default format yyyy-MM-dd HH:mm:ss[.fraction] (Flink fails the job too)`);
  });
});

describe('TO_TIMESTAMP_LTZ(numeric, precision), as Flink 1.20 computes it', () => {
  test.each([
    [1735725604, 0, at(2025, 1, 1, 10, 0, 4)],
    [1735725604500, 3, at(2025, 1, 1, 10, 0, 4, 500)],
    ['1.5', 0, 1000], // DECIMAL seconds are cut to whole seconds (RoundingMode.DOWN)
    [1735725604.9, 0, at(2025, 1, 1, 10, 0, 4, 900)], // DOUBLE seconds keep their milliseconds
    [1735725604500.7, 3, at(2025, 1, 1, 10, 0, 4, 500)],
    ['1735725604500.7', 3, at(2025, 1, 1, 10, 0, 4, 500)],
    [-1.5, 0, -1500],
    ['-1.5', 0, -1000],
    [10n ** 15n, 3, null], // past 9999-12-31: NULL
    [99999999999999, 0, null],
  ] as const)('%s with precision %s', (v, precision, expected) => {
    expect(toTimestampLtz(v, precision)).toBe(expected);
  });

  test('another precision fails as in Flink', () => {
    expect(() => toTimestampLtz(5, 6)).toThrow("The precision value '6' for function TO_TIMESTAMP_LTZ(numeric, precision) is unsupported");
  });
});
