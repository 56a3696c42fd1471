import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { listState, mapState, valueState } from '../api/state.ts';
import { KeyedStateBackend } from './keyed-state-backend.ts';
import { decodeOperatorSnapshot, encodeOperatorSnapshot, FILE_HEADER } from './state-file-format.ts';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url));
const bytes = (chunks: Buffer[]) => Buffer.concat(chunks);

describe('operator state file format', () => {
  test('keyed state, timers (in chunks) and operator state round-trip record by record', async () => {
    const eventTime = Array.from({ length: 25_000 }, (_, i) => [i, `k${i}`, 'w'] as [number, string, string]);
    const snap = {
      keyed: { maxParallelism: 128, keyGroups: { 3: { count: [['a', 1]] }, 70: { count: [['b', 2]], list: [['b', [1, 2]]] } } },
      timers: [{ eventTime, processingTime: [[5, 'a', 'p'] as [number, string, string]] }],
      operator: { splits: [{ s: 0, p: 2, emitted: 10 }] },
    };
    const chunks = encodeOperatorSnapshot(snap);
    // header, keyed header, one entries record per state and key group, 3 timer chunks, operator state
    expect(chunks.length).toBe(1 + 1 + 3 + 3 + 1);
    expect(chunks[0]!.equals(FILE_HEADER)).toBe(true);
    const back = await decodeOperatorSnapshot(Readable.from(chunks));
    expect(back.keyed).toEqual(snap.keyed);
    expect(back.operator).toEqual(snap.operator);
    expect(back.timers!.flatMap((t) => t.eventTime)).toEqual(eventTime);
    expect(back.timers!.flatMap((t) => t.processingTime)).toEqual([[5, 'a', 'p']]);
  });

  test('bigint, Date, bytes, Map, Set, undefined, NaN and -0 come back as they were (JSON lost or refused them)', async () => {
    const value = {
      big: 2n ** 80n, small: -5n, when: new Date(1_700_000_000_123), bytes: new Uint8Array([0, 255, 7]), buf: Buffer.from('hé'),
      nested: new Map<unknown, unknown>([[1, { deep: new Map([['x', [1n]]]) }], ['k', new Set([1, 'a'])]]),
      gone: undefined, list: [undefined, null, Number.NaN, -0, Number.POSITIVE_INFINITY, 1e300, 2 ** 31, -(2 ** 31)],
    };
    const snap = {
      keyed: { maxParallelism: 128, keyGroups: { 9: { v: [['key', value]], m: [[7, [[new Date(5), 3n]]]] } } },
      timers: [{ eventTime: [[1, 'key', 'w']] as Array<[number, string, string]>, processingTime: [] }],
      operator: { offset: 12_345_678_901_234_567_890n, since: new Date(0) },
    };
    const back = await decodeOperatorSnapshot(Readable.from(encodeOperatorSnapshot(snap)));
    expect(back).toStrictEqual(snap);
    const v = back.keyed!.keyGroups[9]!.v![0] as [string, typeof value];
    expect(v[1].when).toBeInstanceOf(Date);
    expect(Object.is(v[1].list[3], -0)).toBe(true);
    expect(Object.hasOwn(v[1], 'gone')).toBe(true);
  });

  test('a file arriving in pieces of any size decodes the same', async () => {
    const snap = {
      keyed: { maxParallelism: 128, keyGroups: { 1: { s: Array.from({ length: 300 }, (_, i) => [`k${i}`, { n: i, text: 'x'.repeat(i % 40) }]) } } },
      operator: 'done',
    };
    const whole = bytes(encodeOperatorSnapshot(snap));
    for (const size of [1, 3, 7, 64, 4096]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < whole.length; i += size) pieces.push(whole.subarray(i, i + size));
      expect(await decodeOperatorSnapshot(Readable.from(pieces))).toEqual(snap);
    }
  });

  test('a state file of the JSON-lines format (written before session 9) still restores', async () => {
    // written by the runtime at 9860180 (an asynchronous capture in slices of 7 entries):
    // value, list and map state, a namespaced table, event- and processing-time timers, operator state
    const file = fixture('json-lines-session8.state');
    expect(file[0]).toBe('{'.charCodeAt(0));
    const snap = await decodeOperatorSnapshot(Readable.from([file.subarray(0, 1000), file.subarray(1000)]));
    const b = new KeyedStateBackend({ start: 0, end: 127 }, 128, { now: () => 0 });
    b.restore([snap.keyed!], new Set(['win']));
    const v = b.getValueState(valueState<unknown>('v'));
    const l = b.getListState(listState<unknown>('l'));
    const m = b.getMapState(mapState<string, number>('m'));
    for (let i = 0; i < 40; i++) {
      const key = i % 2 === 0 ? `user-${i}` : i;
      b.setCurrentKey(key);
      expect(v.value()).toEqual(i % 3 === 0 ? { name: `n${i}`, score: i * 1.5, tags: ['a', 'b'], nested: { ok: true, none: null } } : 1_700_000_000_000 + i);
      expect(l.get()).toEqual([`item-${i}`, i]);
      expect([m.get(`p${i}`), m.get('é')]).toEqual([i, -i || 0]); // JSON wrote -0 as 0
      expect(b.currentGroup(b.table('win', true)).get(b.currentKey)).toEqual(new Map([[1000 * i, [i, 'x']], [1000 * i + 500, [i + 1]]]));
    }
    expect(b.stateSize('win')).toBe(80);
    expect(snap.timers!.flatMap((t) => t.eventTime)).toHaveLength(40);
    expect(snap.timers!.flatMap((t) => t.processingTime).map((t) => t[0]).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => 5000 + i));
    expect(snap.operator).toEqual({ splits: [{ split: 0, position: 123 }], watermark: 77 });
  });

  test('an operator with only operator state', async () => {
    expect(await decodeOperatorSnapshot(Readable.from(encodeOperatorSnapshot({ operator: 7 })))).toEqual({ operator: 7 });
  });

  test('a truncated, damaged or newer file is MR_ERR_CHECKPOINT_CORRUPT', async () => {
    const whole = bytes(encodeOperatorSnapshot({ keyed: { maxParallelism: 128, keyGroups: { 2: { s: [['a', [1, 2, 3]]] } } }, operator: 1 }));
    const decode = (b: Buffer) => decodeOperatorSnapshot(Readable.from([b]));
    await expect(decode(whole.subarray(0, whole.length - 3))).rejects.toThrow(/MR_ERR_CHECKPOINT_CORRUPT: the state file ends inside a record/);
    const damaged = Buffer.from(whole);
    // header, keyed header record (9 bytes), then the entries record's length, kind, key group, name and count
    damaged[FILE_HEADER.length + 9 + 4 + 1 + 4 + 2 + 1 + 4] = 0x3f; // the first entry's key tag
    await expect(decode(damaged)).rejects.toThrow(/MR_ERR_CHECKPOINT_CORRUPT: a state record cannot be decoded \(MR_ERR_STATE_FORMAT: unknown value tag 63/);
    const newer = Buffer.from(whole);
    newer[4] = 2;
    await expect(decode(newer)).rejects.toThrow(/MR_ERR_CHECKPOINT_CORRUPT: the state file has format version 2/);
    await expect(decode(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1]))).rejects.toThrow(/neither the binary header nor JSON/);
  });

  test('a stream failure (corrupt file detected at its end) rejects, in both formats', async () => {
    for (const first of [Buffer.from('{"operator":1}\n'), bytes(encodeOperatorSnapshot({ operator: 1 }))]) {
      const failing = new Readable({ read() {} });
      failing.push(first);
      setImmediate(() => failing.destroy(new Error('MR_ERR_CHECKPOINT_CORRUPT: sha256 differs')));
      await expect(decodeOperatorSnapshot(failing)).rejects.toThrow(/MR_ERR_CHECKPOINT_CORRUPT: sha256 differs/);
    }
  });
});
