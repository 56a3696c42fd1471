// Measures the Kafka client candidates on this machine against the local broker (docs/architecture.md,
// "Kafka client"). Not part of `npm test`; kafkajs is not a dependency, so install both into a scratch
// directory first:
//   mkdir -p /tmp/kbench && cd /tmp/kbench && npm init -y && npm i @platformatic/kafka@2.12.1 kafkajs@2.2.4
//   npm run -s kafka:up && NODE_PATH=/tmp/kbench/node_modules npx node test/services/kafka/client-bench.ts
// It produces N records of 100 bytes with an idempotent producer (acks=all) in batches of 1,000,
// then reads them back from the earliest offset, and prints records/s for both phases.
import { createRequire } from 'node:module';

const require = createRequire(process.env.NODE_PATH ? `${process.env.NODE_PATH}/` : import.meta.url);
const N = Number(process.env.N ?? 300_000);
const BATCH = 1000;
const bootstrap = process.env.MILLRACE_KAFKA_BOOTSTRAP ?? '127.0.0.1:19092';
const value = Buffer.alloc(100, 'x');

async function platformatic(topic: string): Promise<[number, number]> {
  const { Admin, Producer, Consumer } = require('@platformatic/kafka');
  const admin = new Admin({ clientId: 'bench', bootstrapBrokers: [bootstrap] });
  await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 });
  await admin.close();
  const producer = new Producer({ clientId: 'bench', bootstrapBrokers: [bootstrap], idempotent: true, acks: -1 });
  let t = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < N; i += BATCH) {
    const messages = [];
    for (let j = 0; j < BATCH; j++) messages.push({ topic, key: Buffer.from(String(i + j)), value });
    inflight.push(producer.send({ messages }));
    if (inflight.length >= 8) await inflight.shift();
  }
  await Promise.all(inflight);
  const produce = N / ((performance.now() - t) / 1000);
  await producer.close();
  const consumer = new Consumer({ clientId: 'bench', groupId: `bench-${topic}`, bootstrapBrokers: [bootstrap], maxBytes: 8 << 20 });
  t = performance.now();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let n = 0;
  for await (const _ of stream) if (++n >= N) break;
  const consume = N / ((performance.now() - t) / 1000);
  await stream.close();
  await consumer.close(true);
  return [produce, consume];
}

async function kafkajs(topic: string): Promise<[number, number]> {
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let t = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const messages = [];
    for (let j = 0; j < BATCH; j++) messages.push({ key: String(i + j), value });
    await producer.send({ topic, acks: -1, messages });
  }
  const produce = N / ((performance.now() - t) / 1000);
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxBytes: 8 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  t = performance.now();
  let n = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({ autoCommit: false, eachBatch: async ({ batch }: { batch: { messages: unknown[] } }) => { n += batch.messages.length; if (n >= N) resolve(); } });
  });
  const consume = N / ((performance.now() - t) / 1000);
  await consumer.disconnect();
  return [produce, consume];
}

const run = Date.now();
for (const [name, fn] of [['@platformatic/kafka', platformatic], ['kafkajs', kafkajs]] as const) {
  for (let r = 0; r < 3; r++) {
    const [p, c] = await fn(`bench-${name.replace(/\W/g, '')}-${run}-${r}`);
    console.log(`${name} run ${r + 1}: produce ${Math.round(p)} records/s, consume ${Math.round(c)} records/s`);
  }
}
