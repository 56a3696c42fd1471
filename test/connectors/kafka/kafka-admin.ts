// What the Kafka connector tests do to the broker besides running jobs: make topics, produce
// test data, and read a topic back the way a downstream application would (a read_committed
// consumer of the client library, independent of the connector's own fetch loop).
import { Admin, Consumer, FetchIsolationLevels, Producer, stringDeserializers } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
}

export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

export async function addPartitions(bootstrap: string, topic: string, count: number): Promise<void> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [bootstrap] });
  try {
    await admin.createPartitions({ topics: [{ name: topic, count, assignments: null }] });
  } finally {
    await admin.close();
  }
}

export interface TestRecord {
  key?: string;
  value: string;
  partition?: number;
  timestamp?: number;
}

/** Produces with an idempotent producer, acknowledged by the broker. */
export async function produce(bootstrap: string, topic: string, records: readonly TestRecord[]): Promise<void> {
  const producer = new Producer({ clientId: 'test-producer', bootstrapBrokers: [bootstrap], idempotent: true });
  try {
    for (let i = 0; i < records.length; i += 1000) {
      await producer.send({
        messages: records.slice(i, i + 1000).map((r) => ({
          topic, value: Buffer.from(r.value),
          ...(r.key !== undefined ? { key: Buffer.from(r.key) } : {}),
          ...(r.partition !== undefined ? { partition: r.partition } : {}),
          ...(r.timestamp !== undefined ? { timestamp: BigInt(r.timestamp) } : {}),
        })),
      });
    }
  } finally {
    await producer.close();
  }
}

export interface ReadRecord {
  key: string | undefined;
  value: string;
  partition: number;
  offset: number;
  headers: Record<string, string>;
}

/**
 * Everything committed in the topic (read_committed): waits for at least `count` records (or
 * `timeoutMs`), then keeps reading until nothing new came for `idleMs`, so records beyond the
 * expected count (duplicates) are seen too.
 */
export async function readCommitted(bootstrap: string, topic: string, options: { count?: number; timeoutMs?: number; idleMs?: number } = {}): Promise<ReadRecord[]> {
  const consumer = new Consumer({
    clientId: 'test-reader', groupId: `test-reader-${randomUUID()}`, bootstrapBrokers: [bootstrap],
    isolationLevel: FetchIsolationLevels.READ_COMMITTED, deserializers: stringDeserializers, maxWaitTime: 200,
  });
  const out: ReadRecord[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let lastAt = Date.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const enough = out.length >= (options.count ?? 0) && Date.now() - lastAt >= (options.idleMs ?? 1000);
        if (enough || Date.now() > deadline) {
          clearInterval(timer);
          stream.removeAllListeners('data');
          resolve();
        }
      }, 100);
      stream.on('data', (m) => {
        lastAt = Date.now();
        out.push({ key: m.key || undefined, value: m.value, partition: m.partition, offset: Number(m.offset), headers: Object.fromEntries(m.headers) as Record<string, string> });
      });
      stream.on('error', reject);
    });
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return out;
}
