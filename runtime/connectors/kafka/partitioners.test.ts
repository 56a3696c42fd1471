import { createPartitioner } from './partitioners.ts';

describe('Kafka sink partitioners', () => {
  test('default: the key\'s partition is the Java client\'s (murmur2), keyless records go round-robin', () => {
    const p = createPartitioner<unknown>('default', 0);
    // org.apache.kafka.common.utils.Utils.toPositive(Utils.murmur2("a".getBytes())) % 10 = 4 and for "hello" % 7 = 4 (printed by kafka-clients 4.4.0)
    expect(p(null, Buffer.from('a'), 10)).toBe(4);
    expect(p(null, Buffer.from('hello'), 7)).toBe(4);
    expect([p(null, null, 3), p(null, null, 3), p(null, null, 3), p(null, null, 3)]).toEqual([0, 1, 2, 0]);
  });

  test('fixed: a subtask always writes to one partition; round-robin cycles', () => {
    expect([1, 2, 3].map(() => createPartitioner<unknown>('fixed', 5)(null, Buffer.from('k'), 3))).toEqual([2, 2, 2]);
    const rr = createPartitioner<unknown>('round-robin', 1);
    expect([rr(null, Buffer.from('k'), 2), rr(null, Buffer.from('k'), 2)]).toEqual([1, 0]);
  });

  test('an unknown partitioner name is refused', () => {
    expect(() => createPartitioner<unknown>('hash' as 'default', 0)).toThrow(/MR_ERR_KAFKA_OPTIONS/);
  });
});
