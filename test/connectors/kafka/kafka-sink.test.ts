import { jest } from '@jest/globals';
import type { SinkContext, SinkWriter } from '../../../runtime/api/functions.ts';
import { defineJob } from '../../../runtime/api/environment.ts';
import { kafkaSink, type KafkaSinkOptions } from '../../../runtime/connectors/kafka/sink.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { javaReadCommitted } from './java-reader.ts';
import { createTopic, readCommitted, uniqueTopic } from './kafka-admin.ts';

jest.setTimeout(120_000);

type Event = { id: number; user: string };

const context = (subtaskIndex: number, restoring: boolean): SinkContext => ({
  subtaskIndex, parallelism: 1, attempt: restoring ? 1 : 0, jobId: 'test', startTime: Date.now(), restoring, recordLatency: () => {},
});

async function openWriter<T>(options: KafkaSinkOptions<T>, subtask: number, states?: unknown[]): Promise<SinkWriter<T>> {
  const writer = kafkaSink(options).createWriter();
  await writer.open?.(context(subtask, states !== undefined));
  if (states && states.length > 0) writer.initializeState?.(states);
  return writer;
}

describe('Kafka sink against a real broker', () => {
  test('at-least-once: keys pick the partition, headers travel, every record arrives', async () => {
    const { bootstrap } = await useKafka();
    const topic = uniqueTopic('sink-alo');
    await createTopic(bootstrap, topic, 4);
    const events: Event[] = Array.from({ length: 500 }, (_, i) => ({ id: i, user: `u${i % 5}` }));
    await executeLocally(defineJob({
      name: 'to-kafka',
      build(env) {
        env.fromElements(events).sinkTo(kafkaSink<Event>({
          bootstrapServers: bootstrap, topic, key: (e) => e.user, headers: (e) => ({ source: 'test', parity: String(e.id % 2) }),
        }));
      },
    }), { parallelism: 2 }).done;
    const got = await readCommitted(bootstrap, topic, { count: 500 });
    expect(got.map((r) => (JSON.parse(r.value) as Event).id).sort((a, b) => a - b)).toEqual(events.map((e) => e.id));
    // one key, one partition
    const partitionsByKey = new Map<string, Set<number>>();
    for (const r of got) partitionsByKey.set(r.key!, (partitionsByKey.get(r.key!) ?? new Set()).add(r.partition));
    expect([...partitionsByKey.values()].every((s) => s.size === 1)).toBe(true);
    expect(got.every((r) => r.headers.source === 'test' && r.headers.parity === String((JSON.parse(r.value) as Event).id % 2))).toBe(true);
  });

  test('exactly-once: only committed checkpoints are visible; a crashed attempt\'s open transaction is fenced and its pre-committed one committed on restore', async () => {
    const { bootstrap } = await useKafka();
    const topic = uniqueTopic('sink-eo');
    await createTopic(bootstrap, topic, 2);
    const options: KafkaSinkOptions<Event> = { bootstrapServers: bootstrap, topic, deliveryGuarantee: 'exactly-once', transactionalIdPrefix: `${topic}-tx`, partitioner: 'round-robin' };
    const ev = (id: number): Event => ({ id, user: 'u' });

    // attempt 1: checkpoint 1 completes and commits; checkpoint 2 is pre-committed (its
    // completion never reaches the task); then records 200.. go into a transaction and the task dies
    const first = await openWriter(options, 0);
    for (let i = 0; i < 100; i++) first.write(ev(i), undefined);
    first.snapshotState!(1);
    await first.flushPending!(1);
    first.notifyCheckpointComplete!(1);
    for (let i = 100; i < 200; i++) first.write(ev(i), undefined);
    const state2 = first.snapshotState!(2);
    await first.flushPending!(2);
    for (let i = 200; i < 300; i++) first.write(ev(i), undefined);
    first.snapshotState!(3); // its acknowledgement never completes the checkpoint
    await first.flushPending!(3);
    await first.close!(); // the crash: nothing aborted, nothing committed

    const visibleBefore = await readCommitted(bootstrap, topic, { count: 100, timeoutMs: 5000, idleMs: 1000 });
    expect(visibleBefore.map((r) => (JSON.parse(r.value) as Event).id).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));

    // attempt 2 restores checkpoint 2: it commits 100..199, fences the transaction of 200..299, replays 200.. itself
    const second = await openWriter(options, 0, [state2]);
    for (let i = 200; i < 250; i++) second.write(ev(i), undefined);
    await second.finish!();
    await second.close!();

    // judged by Kafka's own Java consumer (read_committed)
    const visible = await javaReadCommitted(bootstrap, topic, { count: 250, idleMs: 1000 });
    expect(visible.map((v) => (JSON.parse(v) as Event).id).sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  test('exactly-once without transactionalIdPrefix is refused with the fix', () => {
    expect(() => kafkaSink({ bootstrapServers: '127.0.0.1:1', topic: 't', deliveryGuarantee: 'exactly-once' })).toThrow(/MR_ERR_KAFKA_OPTIONS.*transactionalIdPrefix/);
  });
});
