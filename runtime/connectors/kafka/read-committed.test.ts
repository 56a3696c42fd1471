import { AbortedTransactionFilter, type BatchHead } from './read-committed.ts';

const marker = (type: 0 | 1) => {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
};
const data = (firstOffset: number, producerId: number, transactional = true): BatchHead => ({
  firstOffset: BigInt(firstOffset), lastOffsetDelta: 1, attributes: transactional ? 0x10 : 0, producerId: BigInt(producerId), records: [{ key: null }, { key: null }],
});
const control = (offset: number, producerId: number, type: 0 | 1): BatchHead => ({
  firstOffset: BigInt(offset), lastOffsetDelta: 0, attributes: 0x30, producerId: BigInt(producerId), records: [{ key: marker(type) }],
});

describe('read_committed: records of aborted transactions are dropped', () => {
  test('an aborted producer is skipped until its ABORT marker, a committed one is kept', () => {
    const f = new AbortedTransactionFilter();
    f.addAborted([{ producerId: 7n, firstOffset: 0n }]);
    expect(f.skip(data(0, 7))).toBe(true);
    expect(f.skip(data(2, 8))).toBe(false);
    expect(f.skip(control(4, 7, 0))).toBe(true);
    expect(f.skip(control(5, 8, 1))).toBe(true);
    // the same producer's next transaction (committed) after its abort marker
    expect(f.skip(data(6, 7))).toBe(false);
  });

  test('the abort marker may arrive in a later fetch than the aborted records', () => {
    const f = new AbortedTransactionFilter();
    f.addAborted([{ producerId: 7n, firstOffset: 10n }]);
    expect(f.skip(data(8, 7))).toBe(false); // before its aborted transaction began
    expect(f.skip(data(10, 7))).toBe(true);
    // next fetch: no aborted list repeated for the range already seen
    f.addAborted([]);
    expect(f.skip(data(12, 7))).toBe(true);
    expect(f.skip(control(14, 7, 0))).toBe(true);
    expect(f.skip(data(15, 7))).toBe(false);
  });

  test('non-transactional records are never dropped', () => {
    const f = new AbortedTransactionFilter();
    f.addAborted([{ producerId: 7n, firstOffset: 0n }]);
    expect(f.skip(data(0, 7, false))).toBe(false);
  });
});
