import { ManualClock } from '../time/clock.ts';
import { LoadMeter } from './load-meter.ts';

describe('task load meter', () => {
  test('busy and backpressure shares are taken over intervals of at least 250 ms', () => {
    const clock = new ManualClock(1000);
    const load = new LoadMeter(clock);
    load.addBusy(50);
    clock.advance(100);
    // the interval is too short: the previous shares (none yet) stay
    expect(load.recentRatios()).toEqual({ backpressure: 0, busy: 0 });
    load.startBackpressure();
    clock.advance(100);
    load.endBackpressure();
    load.addBusy(50);
    clock.advance(50);
    expect(load.recentRatios()).toEqual({ backpressure: 100 / 250, busy: 100 / 250 });
    expect(load.backpressuredMs).toBe(100);
    // nothing happened in the next interval
    clock.advance(500);
    expect(load.recentRatios()).toEqual({ backpressure: 0, busy: 0 });
  });

  test('a wait still in progress counts in every interval it spans, so a stuck task reads fully backpressured', () => {
    const clock = new ManualClock();
    const load = new LoadMeter(clock);
    load.startBackpressure();
    clock.advance(300);
    expect(load.recentRatios().backpressure).toBe(1);
    clock.advance(400);
    expect(load.recentRatios().backpressure).toBe(1);
    load.endBackpressure();
    expect(load.backpressuredMs).toBe(700);
    clock.advance(300);
    expect(load.recentRatios().backpressure).toBe(0);
  });
});
