import { listState, mapState, reducingState, valueState } from '../api/state.ts';
import { keyGroupFor, keyGroupRangeFor, operatorIndexForKeyGroup } from '../keys/key-groups.ts';
import { KeyedStateBackend } from './keyed-state-backend.ts';

const clock = { t: 0, now() { return this.t; } };
const full = { start: 0, end: 127 };

describe('keyed state backend', () => {
  test('value, list, map and reducing state are separate per key', () => {
    const b = new KeyedStateBackend(full, 128, clock);
    const v = b.getValueState(valueState<number>('v'));
    const l = b.getListState(listState<string>('l'));
    const m = b.getMapState(mapState<string, number>('m'));
    const r = b.getReducingState(reducingState<number>('r', (a, c) => a + c));
    b.setCurrentKey('a');
    v.update(1); l.add('x'); l.add('y'); m.put('p', 5); r.add(2); r.add(3);
    b.setCurrentKey('b');
    expect([v.value(), l.get(), m.get('p'), r.get()]).toEqual([undefined, [], undefined, undefined]);
    b.setCurrentKey('a');
    expect([v.value(), l.get(), m.entries(), r.get()]).toEqual([1, ['x', 'y'], [['p', 5]], 5]);
  });

  test('TTL hides expired values and refreshes on read when configured', () => {
    const b = new KeyedStateBackend(full, 128, clock);
    clock.t = 1000;
    const plain = b.getValueState(valueState<string>('plain', { ttl: { ttlMs: 100 } }));
    const touched = b.getValueState(valueState<string>('touched', { ttl: { ttlMs: 100, updateType: 'onReadAndWrite' } }));
    b.setCurrentKey(7);
    plain.update('p');
    touched.update('t');
    clock.t = 1080;
    expect(touched.value()).toBe('t');
    clock.t = 1120;
    expect(plain.value()).toBeUndefined();
    expect(touched.value()).toBe('t');
    clock.t = 1300;
    expect(touched.value()).toBeUndefined();
  });

  test('snapshots restore per key group into any parallelism', () => {
    const b = new KeyedStateBackend(full, 128, clock);
    const m = b.getMapState(mapState<string, number>('m'));
    for (let i = 0; i < 50; i++) {
      b.setCurrentKey(`key${i}`);
      m.put('i', i);
    }
    const snap = JSON.parse(JSON.stringify(b.snapshot()));
    let restored = 0;
    for (let idx = 0; idx < 3; idx++) {
      const range = keyGroupRangeFor(128, 3, idx);
      const r = new KeyedStateBackend(range, 128, clock);
      r.restore([snap]);
      const rm = r.getMapState(mapState<string, number>('m'));
      for (let i = 0; i < 50; i++) {
        const k = `key${i}`;
        if (operatorIndexForKeyGroup(128, 3, keyGroupFor(k, 128)) !== idx) continue;
        r.setCurrentKey(k);
        expect(rm.get('i')).toBe(i);
        restored++;
      }
    }
    expect(restored).toBe(50);
  });

  test('a key outside the subtask key groups is rejected with a clear code', () => {
    const b = new KeyedStateBackend({ start: 0, end: 0 }, 128, clock);
    const k = Array.from({ length: 100 }, (_, i) => `x${i}`).find((x) => keyGroupFor(x, 128) !== 0)!;
    expect(() => b.setCurrentKey(k)).toThrow(/MR_ERR_KEY_GROUP_OUT_OF_RANGE/);
  });
});
