import { jest } from '@jest/globals';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { kafkaSource } from '../../../runtime/connectors/kafka/source.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { createTopic, produce, uniqueTopic } from './kafka-admin.ts';

jest.setTimeout(120_000);

type Event = { id: number };

describe('Kafka source against a real broker', () => {
  test('a bounded read of three partitions by two subtasks returns every record once', async () => {
    const { bootstrap } = await useKafka();
    const topic = uniqueTopic('src-bounded');
    await createTopic(bootstrap, topic, 3);
    await produce(bootstrap, topic, Array.from({ length: 3000 }, (_, i) => ({ key: `k${i % 17}`, value: JSON.stringify({ id: i }) })));
    const got: Event[] = [];
    await executeLocally(defineJob({
      name: 'kafka-bounded',
      build(env) {
        env.fromSource(kafkaSource<Event>({ bootstrapServers: bootstrap, topics: [topic], stoppingOffsets: 'latest' })).sinkTo(collectSink(got));
      },
    }), { parallelism: 2 }).done;
    expect(got.map((e) => e.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });
});
