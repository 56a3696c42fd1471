import { exponentialDelay, failureRate, fixedDelay, parseRestartStrategy } from './restart-strategy.ts';

describe('restart strategies', () => {
  test('fixed-delay allows a fixed number of restarts with the same delay', () => {
    const s = fixedDelay(2, 500);
    expect([s.onFailure(0), s.onFailure(1), s.onFailure(2)]).toEqual([500, 500, undefined]);
  });
  test('exponential-delay doubles up to the maximum and resets after a quiet period', () => {
    const s = exponentialDelay({ initialMs: 100, maxMs: 350, multiplier: 2, resetThresholdMs: 10_000, jitter: 0 });
    expect([s.onFailure(0), s.onFailure(10), s.onFailure(20), s.onFailure(30)]).toEqual([100, 200, 350, 350]);
    expect(s.onFailure(20_000)).toBe(100);
  });
  test('failure-rate gives up when too many failures fall into the interval', () => {
    const s = failureRate(2, 1000, 50);
    expect([s.onFailure(0), s.onFailure(100)]).toEqual([50, 50]);
    expect(s.onFailure(200)).toBeUndefined();
    const t = failureRate(2, 1000, 50);
    expect([t.onFailure(0), t.onFailure(100), t.onFailure(1500)]).toEqual([50, 50, 50]);
  });
  test('specs parse and errors name the problem', () => {
    expect(parseRestartStrategy('fixed-delay:attempts=1,delayMs=5').onFailure(0)).toBe(5);
    expect(parseRestartStrategy('none').onFailure(0)).toBeUndefined();
    expect(() => parseRestartStrategy('sometimes')).toThrow(/MR_ERR_RESTART_STRATEGY/);
  });
});
