import { TimerHeap } from './timer-heap.ts';

describe('timer queue', () => {
  test('fires in timestamp order, once per (timestamp, key, namespace)', () => {
    const q = new TimerHeap();
    expect(q.add(30, 'a', 0)).toBe(true);
    expect(q.add(10, 'b', 0)).toBe(true);
    expect(q.add(10, 'b', 0)).toBe(false);
    expect(q.add(10, 'b', 1)).toBe(true);
    q.add(20, 'a', 'x');
    const fired: string[] = [];
    q.drainUntil(20, (ts, k, ns) => fired.push(`${ts}:${k}:${ns}`));
    expect(fired).toEqual(['10:b:0', '10:b:1', '20:a:x']);
    expect(q.size).toBe(1);
    expect(q.peekTimestamp()).toBe(30);
  });

  test('deleted timers do not fire; timers added while firing fire in the same drain', () => {
    const q = new TimerHeap();
    q.add(10, 'a', 0);
    q.add(10, 'b', 0);
    q.add(15, 'c', 0);
    q.delete(15, 'c', 0);
    const fired: string[] = [];
    q.drainUntil(20, (ts, k) => {
      fired.push(`${ts}:${k}`);
      if (k === 'a') {
        q.delete(10, 'b', 0);
        q.add(12, 'd', 0);
      }
    });
    expect(fired).toEqual(['10:a', '12:d']);
    expect(q.size).toBe(0);
    expect(q.peekTimestamp()).toBeUndefined();
  });

  test('a limited drain fires the same timers in the same order over several calls', () => {
    const fill = (q: TimerHeap) => {
      for (let k = 0; k < 50; k++) {
        q.add(10, `k${k}`, 0);
        q.add(20, `k${k}`, 0);
        if (k % 5 === 0) q.add(10, `k${k}`, 1); // two namespaces of one key at one timestamp
      }
      q.add(30, 'late', 0);
    };
    const all: string[] = [];
    const whole = new TimerHeap();
    fill(whole);
    expect(whole.drainUntil(25, (ts, k, ns) => all.push(`${ts}:${k}:${ns}`))).toBe(true);

    const q = new TimerHeap();
    fill(q);
    const batched: string[] = [];
    const fired: number[] = [];
    let calls = 0;
    for (let done = false; !done; calls++) {
      const before = batched.length;
      done = q.drainUntil(25, (ts, k, ns) => batched.push(`${ts}:${k}:${ns}`), 7);
      fired.push(batched.length - before);
    }
    expect(batched).toEqual(all);
    expect(all).toHaveLength(110);
    expect(calls).toBeGreaterThanOrEqual(110 / 8);
    expect(Math.max(...fired)).toBeLessThanOrEqual(8); // a key's two namespaces fire together
    expect(q.size).toBe(1);
    expect(q.peekTimestamp()).toBe(30);
  });

  test('between limited drains, deleted timers are skipped and new due ones still fire', () => {
    const q = new TimerHeap();
    for (const k of ['a', 'b', 'c', 'd']) q.add(10, k, 0);
    const fired: string[] = [];
    const fire = (ts: number, k: unknown) => fired.push(`${ts}:${String(k)}`);
    expect(q.drainUntil(20, fire, 2)).toBe(false);
    q.delete(10, 'c', 0);
    q.add(5, 'e', 0); // an earlier timestamp added meanwhile comes first
    q.add(10, 'f', 0);
    expect(q.drainUntil(20, fire)).toBe(true);
    expect(fired).toEqual(['10:a', '10:b', '5:e', '10:d', '10:f']);
    expect(q.size).toBe(0);
  });
});
