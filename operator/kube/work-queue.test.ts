import { WorkQueue } from './work-queue.ts';
import type { Clock } from './clock.ts';

/** A manual clock: timers fire only when the test advances time. */
function manualClock() {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => { const t = { at: now + ms, fn }; timers.add(t); return t; },
    clearTimeout: (h) => { timers.delete(h as { at: number; fn: () => void }); },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of [...timers].sort((a, b) => a.at - b.at)) if (t.at <= now) { timers.delete(t); t.fn(); }
  };
  return { clock, advance };
}

describe('work queue', () => {
  test('duplicate adds collapse into one key', async () => {
    const q = new WorkQueue({ clock: manualClock().clock, random: () => 0.5 });
    q.add('ns/a'); q.add('ns/a'); q.add('ns/b');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
  });

  test('a key is never handed to two workers at once; an add during processing re-queues it after done', async () => {
    const q = new WorkQueue({ clock: manualClock().clock, random: () => 0.5 });
    q.add('k');
    const first = await q.get();
    q.add('k');
    expect(q.depth).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => { second = k; });
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first!);
    await Promise.resolve();
    expect(second).toBe('k');
  });

  test('failures back off exponentially per key and forget() resets it', () => {
    const { clock, advance } = manualClock();
    const q = new WorkQueue({ clock, random: () => 0.5, baseDelayMs: 100, maxDelayMs: 1000 });
    expect(q.addRateLimited('k')).toBe(100);
    expect(q.addRateLimited('k')).toBe(200);
    expect(q.addRateLimited('k')).toBe(400);
    expect(q.addRateLimited('k')).toBe(800);
    expect(q.addRateLimited('k')).toBe(1000);
    q.forget('k');
    expect(q.addRateLimited('k')).toBe(100);
    advance(99);
    expect(q.depth).toBe(0);
    advance(1);
    expect(q.depth).toBe(1);
  });

  test('shutdown releases waiting workers', async () => {
    const q = new WorkQueue({ clock: manualClock().clock, random: () => 0.5 });
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
  });
});
