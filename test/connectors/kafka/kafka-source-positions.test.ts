// The Kafka source's positions against the real broker: restore and rescale continue exactly,
// start modes, offsets committed to the group, partitions found while running, aborted
// transactions never read.
import { jest } from '@jest/globals';
import { Producer } from '@platformatic/kafka';
import { assignState } from '../../../runtime/checkpoint/state-assignment.ts';
import { kafkaSource, type KafkaSourceOptions } from '../../../runtime/connectors/kafka/source.ts';
import type { JobGraph } from '../../../runtime/graph/job-graph.ts';
import type { SnapshotMetadata } from '../../../runtime/storage/snapshot-metadata.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { addPartitions, createTopic, produce, uniqueTopic } from './kafka-admin.ts';
import { openReader, pollUntil, type Driven } from './source-driver.ts';

jest.setTimeout(120_000);

type Event = { id: number };
const ids = (drivens: ReadonlyArray<Driven<Event>>) => drivens.flatMap((d) => d.out.map((e) => e.id)).sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const events = (from: number, to: number, partitions: number) => range(from, to).map((id) => ({ value: JSON.stringify({ id }), partition: id % partitions }));

/** The positions subtask `i` of `parallelism` restores, as the job manager assigns them (runtime/checkpoint/state-assignment.ts). */
function restoredFor(states: unknown[], parallelism: number, i: number): unknown[] {
  const files = states.map((sourcePosition, subtaskIndex) => ({ subtaskIndex, file: `f-${subtaskIndex}`, size: 1, sha256: '0'.repeat(64), sourcePosition }));
  const metadata: SnapshotMetadata = { formatVersion: 1, kind: 'savepoint', jobId: 'j', checkpointId: 1, timestamp: 1, totalSize: files.length, operators: { kafka: { parallelism: states.length, maxParallelism: 128, files } } };
  const graph: JobGraph = { name: 'g', bounded: true, maxParallelism: 128, vertices: [{ id: 'v0', name: 'kafka', parallelism, maxParallelism: 128, chain: [], uids: ['kafka'], isSource: true, inputs: [], outputs: [] }] };
  return assignState(metadata, graph, false).files.get(`v0/${i}`)!.kafka!.map((f) => states[f.subtaskIndex]);
}

describe('Kafka source positions', () => {
  let bootstrap: string;
  beforeAll(async () => {
    bootstrap = (await useKafka()).bootstrap;
  });

  test.each([[2, 3], [3, 2], [2, 4]])('checkpoint at parallelism %i, restore at %i: partitions spread over every subtask, every record exactly once', async (from, to) => {
    const topic = uniqueTopic('src-rescale');
    await createTopic(bootstrap, topic, 5);
    await produce(bootstrap, topic, events(0, 2000, 5));
    const source = kafkaSource<Event>({ bootstrapServers: bootstrap, topics: [topic], stoppingOffsets: 'latest', maxBufferedRecords: 200 });
    const first = await Promise.all(range(0, from).map((i) => openReader(source, i, from)));
    // each reads part of its partitions, then the checkpoint
    for (const d of first) expect(await pollUntil(d, (out) => out.length >= 150)).toBe('done');
    const states = first.map((d) => d.reader.snapshotState!(1));
    await Promise.all(first.map((d) => d.reader.close!()));
    // the positions go to the new subtasks as the job manager hands them out (union state: all to each)
    const second = await Promise.all(range(0, to).map((i) => openReader(source, i, to, restoredFor(states, to, i))));
    for (const d of second) expect(await pollUntil(d, () => false)).toBe('end');
    await Promise.all(second.map((d) => d.reader.close!()));
    expect(ids([...first, ...second])).toEqual(range(0, 2000));
    // every new subtask read: the partitions were spread, not left with the old subtasks
    for (const d of second) expect(d.out.length).toBeGreaterThan(0);
  });

  test('start modes: latest, timestamp, specific offsets', async () => {
    const topic = uniqueTopic('src-start');
    await createTopic(bootstrap, topic, 1);
    const t0 = Date.now();
    await produce(bootstrap, topic, range(0, 10).map((id) => ({ value: JSON.stringify({ id }), timestamp: t0 + id * 1000 })));
    const read = async (o: Partial<KafkaSourceOptions<Event>>, until: number) => {
      const d = await openReader(kafkaSource<Event>({ bootstrapServers: bootstrap, topics: [topic], ...o }), 0, 1);
      await pollUntil(d, (out) => out.length >= until, 3000);
      await d.reader.close!();
      return d.out.map((e) => e.id);
    };
    expect(await read({ startingOffsets: { timestamp: t0 + 6500 }, stoppingOffsets: 'latest' }, 100)).toEqual([7, 8, 9]);
    expect(await read({ startingOffsets: { specific: { [`${topic}:0`]: 4 } }, stoppingOffsets: { specific: { [`${topic}:0`]: 6 } } }, 100)).toEqual([4, 5]);
    // latest: only what is produced after the start
    const latest = await openReader(kafkaSource<Event>({ bootstrapServers: bootstrap, topics: [topic], startingOffsets: 'latest' }), 0, 1);
    expect(await pollUntil(latest, () => false, 1500)).toBe('timeout');
    await produce(bootstrap, topic, [{ value: JSON.stringify({ id: 10 }) }]);
    expect(await pollUntil(latest, (out) => out.length >= 1)).toBe('done');
    await latest.reader.close!();
    expect(latest.out).toEqual([{ id: 10 }]);
  });

  test('a checkpoint taken before the start offsets were resolved restores to the start mode, not to the beginning', async () => {
    const topic = uniqueTopic('src-early-checkpoint');
    await createTopic(bootstrap, topic, 1);
    await produce(bootstrap, topic, events(0, 5, 1));
    const source = kafkaSource<Event>({ bootstrapServers: bootstrap, topics: [topic], startingOffsets: 'latest' });
    const first = await openReader(source, 0, 1);
    const early = first.reader.snapshotState!(1); // before the first poll
    await first.reader.close!();
    const restored = await openReader(source, 0, 1, [early]);
    expect(await pollUntil(restored, () => false, 1500)).toBe('timeout');
    await produce(bootstrap, topic, events(5, 6, 1));
    expect(await pollUntil(restored, (out) => out.length >= 1)).toBe('done');
    await restored.reader.close!();
    expect(ids([restored])).toEqual([5]);
  });

  test('offsets of a completed checkpoint are committed to the group, and group-offsets starts there', async () => {
    const topic = uniqueTopic('src-group');
    const groupId = `${topic}-group`;
    await createTopic(bootstrap, topic, 2);
    await produce(bootstrap, topic, events(0, 100, 2));
    const options = { bootstrapServers: bootstrap, topics: [topic], groupId, stoppingOffsets: 'latest' as const, maxBufferedRecords: 10 };
    const first = await openReader(kafkaSource<Event>(options), 0, 1);
    await pollUntil(first, (out) => out.length >= 40);
    first.reader.snapshotState!(7);
    const atCheckpoint = first.out.length;
    first.reader.notifyCheckpointComplete!(7);
    // the commit is asynchronous; group-offsets must see it
    let again: Driven<Event> | undefined;
    const deadline = Date.now() + 10_000;
    for (;;) {
      again = await openReader(kafkaSource<Event>({ ...options, startingOffsets: 'group-offsets' }), 0, 1);
      await pollUntil(again, () => false);
      await again.reader.close!();
      if (again.out.length === 100 - atCheckpoint || Date.now() > deadline) break;
    }
    await first.reader.close!();
    expect(ids([{ reader: first.reader, out: first.out.slice(0, atCheckpoint) }, again])).toEqual(range(0, 100));
  });

  test('partitions added while running are found and read from their start', async () => {
    const topic = uniqueTopic('src-discovery');
    await createTopic(bootstrap, topic, 1);
    await produce(bootstrap, topic, events(0, 10, 1));
    const d = await openReader(kafkaSource<Event>({ bootstrapServers: bootstrap, topics: [topic], partitionDiscoveryIntervalMs: 200 }), 0, 1);
    expect(await pollUntil(d, (out) => out.length >= 10)).toBe('done');
    await addPartitions(bootstrap, topic, 3);
    await produce(bootstrap, topic, range(10, 20).map((id) => ({ value: JSON.stringify({ id }), partition: 1 + (id % 2) })));
    expect(await pollUntil(d, (out) => out.length >= 20)).toBe('done');
    await d.reader.close!();
    expect(ids([d])).toEqual(range(0, 20));
  });

  test('a topic pattern reads every matching topic; aborted transactions are never read', async () => {
    const base = uniqueTopic('src-pattern');
    await createTopic(bootstrap, `${base}-a`, 1);
    await createTopic(bootstrap, `${base}-b`, 1);
    await createTopic(bootstrap, `${base}-other`, 1);
    const producer = new Producer({ clientId: 'test-tx', bootstrapBrokers: [bootstrap], transactionalId: `${base}-tx`, idempotent: true, producerId: -1n, producerEpoch: -1 });
    const send = async (topic: string, from: number, to: number, commit: boolean) => {
      const tx = await producer.beginTransaction();
      await tx.send({ messages: range(from, to).map((id) => ({ topic, value: Buffer.from(JSON.stringify({ id })) })) });
      await (commit ? tx.commit() : tx.abort());
    };
    await send(`${base}-a`, 0, 5, true);
    await send(`${base}-a`, 100, 105, false);
    await send(`${base}-b`, 5, 10, true);
    await send(`${base}-other`, 200, 205, true);
    await send(`${base}-b`, 10, 12, true);
    await producer.close();
    const d = await openReader(kafkaSource<Event>({ bootstrapServers: bootstrap, topicPattern: `${base}-(a|b)` }), 0, 1);
    expect(await pollUntil(d, (out) => out.length >= 12)).toBe('done');
    expect(await pollUntil(d, () => false, 1000)).toBe('timeout'); // nothing more comes
    await d.reader.close!();
    expect(ids([d])).toEqual(range(0, 12));
  });
});
