import { assignWindows, sessionsOverlap, windowStart } from './window-assigner.ts';

describe('window assignment', () => {
  test('TUMBLE: one window, aligned to the size and the offset, also before 1970', () => {
    expect(assignWindows({ kind: 'TUMBLE', timeIndex: 0, size: 10_000 }, 12_345)).toEqual([{ start: 10_000, end: 20_000 }]);
    expect(assignWindows({ kind: 'TUMBLE', timeIndex: 0, size: 10_000, offset: 3_000 }, 12_345)).toEqual([{ start: 3_000, end: 13_000 }]);
    expect(windowStart(-1, 10_000)).toBe(-10_000);
  });

  test('HOP of size 10 s sliding 2 s: the five windows holding the time, earliest end first', () => {
    const ws = assignWindows({ kind: 'HOP', timeIndex: 0, size: 10_000, slide: 2_000 }, 11_000);
    expect(ws).toEqual([2_000, 4_000, 6_000, 8_000, 10_000].map((start) => ({ start, end: start + 10_000 })));
    expect(ws.every((w) => w.start <= 11_000 && 11_000 < w.end)).toBe(true);
  });

  test('CUMULATE of size 10 s with a 2 s step: the windows of the cycle that end after the time', () => {
    expect(assignWindows({ kind: 'CUMULATE', timeIndex: 0, size: 10_000, step: 2_000 }, 13_500)).toEqual([
      { start: 10_000, end: 14_000 }, { start: 10_000, end: 16_000 }, { start: 10_000, end: 18_000 }, { start: 10_000, end: 20_000 },
    ]);
    expect(assignWindows({ kind: 'CUMULATE', timeIndex: 0, size: 10_000, step: 2_000 }, 19_999)).toEqual([{ start: 10_000, end: 20_000 }]);
  });

  test('sessions that touch merge', () => {
    expect(sessionsOverlap({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(true);
    expect(sessionsOverlap({ start: 0, end: 10 }, { start: 11, end: 20 })).toBe(false);
  });
});
