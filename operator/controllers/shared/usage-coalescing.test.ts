import { USAGE_REFRESH_MAX_MS, USAGE_REFRESH_MIN_MS, usageRefreshDelayMs } from './usage-coalescing.ts';

describe('USED refresh window', () => {
  test('a few objects are refreshed within a second, as before', () => {
    expect(usageRefreshDelayMs(0)).toBe(USAGE_REFRESH_MIN_MS);
    expect(usageRefreshDelayMs(1)).toBe(1000);
    expect(usageRefreshDelayMs(10)).toBe(1000);
  });

  test('the window grows with the objects so that a kind takes about 10 patches a second', () => {
    expect(usageRefreshDelayMs(50)).toBe(5000);
    for (const n of [20, 50, 80, 100]) expect(n / (usageRefreshDelayMs(n) / 1000)).toBeCloseTo(10, 5);
  });

  test('and never leaves USED staler than 10 s', () => {
    expect(usageRefreshDelayMs(101)).toBe(USAGE_REFRESH_MAX_MS);
    expect(usageRefreshDelayMs(5000)).toBe(USAGE_REFRESH_MAX_MS);
  });
});
