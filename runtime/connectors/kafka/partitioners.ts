// Which partition a record goes to (Flink's `sink.partitioner`): `default` by key hash as
// Kafka's Java client does (murmur2, so Java consumers and Kafka Streams agree on the key's
// partition) and round-robin for records without a key; `round-robin`; `fixed`: every record of
// sink subtask i to partition i mod n (Flink's FlinkFixedPartitioner); or a function.

import { murmur2 } from '@platformatic/kafka';

export type PartitionerFunction<T> = (value: T, key: Buffer | null, partitions: number) => number;
export type Partitioner<T> = 'default' | 'round-robin' | 'fixed' | PartitionerFunction<T>;

export function createPartitioner<T>(p: Partitioner<T>, subtask: number): PartitionerFunction<T> {
  if (typeof p === 'function') return p;
  let next = subtask; // subtasks start at different partitions
  const roundRobin = (n: number) => next++ % n;
  switch (p) {
    case 'default':
      return (_v, key, n) => (key ? (murmur2(key) & 0x7fffffff) % n : roundRobin(n));
    case 'round-robin':
      return (_v, _k, n) => roundRobin(n);
    case 'fixed':
      return (_v, _k, n) => subtask % n;
    default:
      throw new Error(`MR_ERR_KAFKA_OPTIONS: sink partitioner '${String(p)}' is not one of default, round-robin, fixed, or a function`);
  }
}
