import { ownerOf, restoreFrom, type KafkaSourceState } from './assignment.ts';

const partitions = (topics: string[], n: number) => topics.flatMap((t) => Array.from({ length: n }, (_, p) => ({ t, p })));

describe('Kafka source partition ownership', () => {
  test('every partition has exactly one owner, spread over the subtasks', () => {
    const owners = partitions(['orders', 'payments'], 12).map(({ t, p }) => ownerOf(t, p, [4]));
    for (const o of owners) expect(o >= 0 && o < 4).toBe(true);
    expect(new Set(owners).size).toBe(4);
  });

  test('the first assignment is Flink KafkaSourceEnumerator\'s rule', () => {
    // values printed by Java 17 for ((topic.hashCode() * 31) & 0x7FFFFFFF) + partition) % readers
    expect(ownerOf('orders', 5, [7])).toBe(1);
    expect(ownerOf('payments', 5, [7])).toBe(2);
    expect(ownerOf('orders', 0, [3])).toBe(0);
  });

  test('after a rescale, a partition no state held lands where its former owner\'s state went', () => {
    for (const [from, to] of [[4, 3], [2, 5], [6, 2], [3, 3]] as const) {
      for (const { t, p } of partitions(['a', 'bb'], 10)) {
        const oldOwner = ownerOf(t, p, [from]);
        expect(ownerOf(t, p, [from, to])).toBe(oldOwner % to); // runtime: old subtask j -> new j mod p
      }
    }
  });

  test('restore merges the splits of the states given and extends the history on a parallelism change', () => {
    const a: KafkaSourceState = { v: 1, chain: [4], splits: [{ topic: 'x', partition: 0, offset: 7 }], started: true };
    const b: KafkaSourceState = { v: 1, chain: [4], splits: [{ topic: 'x', partition: 3, offset: 2, stop: 9 }], started: true };
    expect(restoreFrom([a, b], 2)).toEqual({ chain: [4, 2], splits: [{ topic: 'x', partition: 0, offset: 7 }, { topic: 'x', partition: 3, offset: 2, stop: 9 }], started: true });
    expect(restoreFrom([a], 4).chain).toEqual([4]);
    // scaled up beyond every earlier parallelism: no state, owns nothing
    expect(restoreFrom([], 8)).toEqual({ chain: null, splits: [], started: true });
    // checkpointed before the start offsets were resolved: the restored subtask resolves them by the start mode
    expect(restoreFrom([{ v: 1, chain: [2], splits: [] }], 2).started).toBe(false);
    expect(() => restoreFrom([{ offsets: {} }], 2)).toThrow(/MR_ERR_KAFKA_STATE/);
  });
});
