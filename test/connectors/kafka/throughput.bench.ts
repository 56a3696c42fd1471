// Rough throughput of the Kafka connector on this machine (docs/architecture.md, "Kafka client"):
// N JSON records through the source (bounded, parallelism 1) into a blackhole, and through the
// sink at-least-once and exactly-once (one checkpoint-free transaction committed at the end).
//   npm run -s kafka:up && npx node test/connectors/kafka/throughput.bench.ts
import { defineJob } from '../../../runtime/api/environment.ts';
import { blackholeSink } from '../../../runtime/connectors/blackhole-sink.ts';
import { kafkaSink } from '../../../runtime/connectors/kafka/sink.ts';
import { kafkaSource } from '../../../runtime/connectors/kafka/source.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { createTopic, uniqueTopic } from './kafka-admin.ts';

const N = Number(process.env.N ?? 300_000);
const bootstrap = process.env.MILLRACE_KAFKA_BOOTSTRAP ?? '127.0.0.1:19092';
const rows = Array.from({ length: N }, (_, id) => ({ id, user: `user-${id % 1000}`, amount: id % 97, note: 'x'.repeat(40) }));

async function timed(what: string, run: () => Promise<void>): Promise<void> {
  const t = performance.now();
  await run();
  const s = (performance.now() - t) / 1000;
  console.log(`${what}: ${Math.round(N / s)} records/s (${s.toFixed(1)} s)`);
}

for (let r = 1; r <= 3; r++) {
  for (const guarantee of ['at-least-once', 'exactly-once'] as const) {
    const topic = uniqueTopic(`bench-${guarantee}`);
    await createTopic(bootstrap, topic, 4);
    await timed(`run ${r} sink ${guarantee}`, () => executeLocally(defineJob({
      name: 'bench-sink',
      build(env) {
        env.fromElements(rows).sinkTo(kafkaSink({ bootstrapServers: bootstrap, topic, deliveryGuarantee: guarantee, transactionalIdPrefix: topic, key: (e) => e.user }));
      },
    })).done);
    if (guarantee === 'exactly-once') continue;
    await timed(`run ${r} source`, () => executeLocally(defineJob({
      name: 'bench-source',
      build(env) {
        env.fromSource(kafkaSource<unknown>({ bootstrapServers: bootstrap, topics: [topic], stoppingOffsets: 'latest' })).sinkTo(blackholeSink());
      },
    })).done);
  }
}
