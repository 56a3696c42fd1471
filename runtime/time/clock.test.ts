import { ManualClock, ownedTimers } from './clock.ts';

describe('ManualClock', () => {
  test('runs due timers in time order at their own time, including timers they schedule', () => {
    const clock = new ManualClock(1000);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      seen.push(`a@${clock.now()}`);
      clock.setTimeout(() => seen.push(`c@${clock.now()}`), 5);
    }, 10);
    clock.setTimeout(() => seen.push('late'), 100);
    clock.advance(30);
    expect(seen).toEqual(['a@1010', 'c@1015', 'b@1020']);
    expect(clock.now()).toBe(1030);
    expect(clock.pending).toBe(1);
  });

  test('a cleared timer never runs', () => {
    const clock = new ManualClock();
    let ran = false;
    clock.clearTimeout(clock.setTimeout(() => { ran = true; }, 5));
    clock.advance(10);
    expect(ran).toBe(false);
  });

  test('advanceAsync lets promise continuations of each timer settle before the next one', async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    clock.setTimeout(() => { void Promise.resolve().then(() => seen.push('continuation of first')); }, 1);
    clock.setTimeout(() => seen.push('second'), 2);
    await clock.advanceAsync(5);
    expect(seen).toEqual(['continuation of first', 'second']);
  });
});

describe('ownedTimers', () => {
  test('clearAll cancels the timers still pending, and only those', () => {
    const base = new ManualClock();
    const owned = ownedTimers(base);
    const seen: string[] = [];
    owned.setTimeout(() => seen.push('early'), 5);
    owned.setTimeout(() => seen.push('late'), 50);
    base.setTimeout(() => seen.push('not owned'), 50);
    base.advance(10);
    owned.clearAll();
    base.advance(100);
    expect(seen).toEqual(['early', 'not owned']);
    expect(owned.now()).toBe(110);
  });
});
