import { WorkQueue } from './work-queue.ts';
import { ManualClock } from '../../runtime/time/clock.ts';

/** A manual clock: timers fire only when the test advances time. */
function manualClock() {
  const clock = new ManualClock();
  return { clock, advance: (ms: number) => clock.advance(ms) };
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
  test('new work goes before follow-ups: high keys first, FIFO within a priority', async () => {
    const q = new WorkQueue({ clock: manualClock().clock, random: () => 0.5 });
    q.add('ns/wave-0', 'low'); q.add('ns/wave-1', 'low');
    q.add('ns/new-0'); q.add('ns/new-1', 'high');
    expect(q.depthByPriority).toEqual({ high: 2, low: 2 });
    const order = [];
    for (let i = 0; i < 4; i++) order.push(await q.get());
    expect(order).toEqual(['ns/new-0', 'ns/new-1', 'ns/wave-0', 'ns/wave-1']);
  });

  test('a low key added high moves up; a high key added low stays high', async () => {
    const q = new WorkQueue({ clock: manualClock().clock, random: () => 0.5 });
    q.add('a', 'low'); q.add('b', 'low'); q.add('c');
    q.add('b', 'high');
    q.add('c', 'low');
    expect(q.depthByPriority).toEqual({ high: 2, low: 1 });
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['c', 'b', 'a']);
  });

  test('follow-ups are not starved: one of every lowEvery keys is low while both wait', async () => {
    const q = new WorkQueue({ clock: manualClock().clock, random: () => 0.5, lowEvery: 3 });
    for (let i = 0; i < 4; i++) q.add(`l${i}`, 'low');
    for (let i = 0; i < 6; i++) q.add(`h${i}`);
    const order = [];
    for (let i = 0; i < 10; i++) order.push(await q.get());
    expect(order).toEqual(['h0', 'h1', 'l0', 'h2', 'h3', 'l1', 'h4', 'h5', 'l2', 'l3']);
  });

  test('a key added during processing is queued again at the priority it was added with', async () => {
    const q = new WorkQueue({ clock: manualClock().clock, random: () => 0.5 });
    q.add('k');
    const k = await q.get();
    q.add('k', 'low');
    q.add('other', 'low');
    q.add('fresh');
    q.done(k!);
    expect(q.depthByPriority).toEqual({ high: 1, low: 2 });
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['fresh', 'other', 'k']);
    q.add('k', 'low');
    q.done('k');
    // added low while processing, then high: high wins
    const again = await q.get();
    q.add(again!, 'low'); q.add(again!, 'high');
    q.add('z', 'low');
    q.done(again!);
    expect(await q.get()).toBe('k');
  });

  test('delayed adds fire when the clock reaches them at their priority; the earlier delay wins and keeps a high priority', async () => {
    const { clock, advance } = manualClock();
    const q = new WorkQueue({ clock, random: () => 0.5 });
    q.addAfter('poll', 1000, 'low');
    q.addAfter('poll', 5000, 'low'); // later: ignored
    advance(999);
    expect(q.depth).toBe(0);
    advance(1);
    expect(q.depthByPriority).toEqual({ high: 0, low: 1 });
    q.addAfter('urgent', 500, 'high');
    q.addAfter('urgent', 800, 'low'); // later, low: the pending high one stands
    advance(500);
    expect(q.depthByPriority).toEqual({ high: 1, low: 1 });
    expect(await q.get()).toBe('urgent');
    expect(await q.get()).toBe('poll');
  });

  test('a waiting worker gets a key of either priority at once', async () => {
    const q = new WorkQueue({ clock: manualClock().clock, random: () => 0.5 });
    const waiting = q.get();
    q.add('k', 'low');
    expect(await waiting).toBe('k');
    expect(q.depth).toBe(0);
  });

  test('lowEvery must be a positive integer', () => {
    expect(() => new WorkQueue({ clock: manualClock().clock, random: () => 0.5, lowEvery: 0 })).toThrow(/lowEvery/);
  });
});
