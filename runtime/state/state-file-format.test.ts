import { Readable } from 'node:stream';
import { decodeOperatorSnapshot, encodeOperatorSnapshot } from './state-file-format.ts';

describe('operator state file format', () => {
  test('keyed state, timers (in chunks) and operator state round-trip line by line', async () => {
    const eventTime = Array.from({ length: 25_000 }, (_, i) => [i, `k${i}`, 'w'] as [number, string, string]);
    const snap = {
      keyed: { maxParallelism: 128, keyGroups: { 3: { count: [['a', 1]] }, 70: { count: [['b', 2]], list: [['b', [1, 2]]] } } },
      timers: [{ eventTime, processingTime: [[5, 'a', 'p'] as [number, string, string]] }],
      operator: { splits: [{ s: 0, p: 2, emitted: 10 }] },
    };
    const chunks = encodeOperatorSnapshot(snap);
    expect(chunks.length).toBe(1 + 2 + 3 + 1);
    const back = await decodeOperatorSnapshot(Readable.from(chunks));
    expect(back.keyed).toEqual(snap.keyed);
    expect(back.operator).toEqual(snap.operator);
    expect(back.timers!.flatMap((t) => t.eventTime)).toEqual(eventTime);
    expect(back.timers!.flatMap((t) => t.processingTime)).toEqual([[5, 'a', 'p']]);
  });

  test('an operator with only operator state', async () => {
    expect(await decodeOperatorSnapshot(Readable.from(encodeOperatorSnapshot({ operator: 7 })))).toEqual({ operator: 7 });
  });

  test('a stream failure (corrupt file detected at its end) rejects', async () => {
    const failing = new Readable({ read() {} });
    failing.push('{"operator":1}\n');
    setImmediate(() => failing.destroy(new Error('MR_ERR_CHECKPOINT_CORRUPT: sha256 differs')));
    await expect(decodeOperatorSnapshot(failing)).rejects.toThrow(/MR_ERR_CHECKPOINT_CORRUPT/);
  });
});
