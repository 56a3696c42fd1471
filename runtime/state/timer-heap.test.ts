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
});
