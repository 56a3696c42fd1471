// Changelogs on the real broker: `upsert-kafka` (record key = PRIMARY KEY in json, value in avro,
// deletes as tombstones) written by a job and read back by its source; a `kafka` table in
// `debezium-json` reading Debezium events another application produced, and writing a changelog
// that reads back as Flink's debezium-json writes it; `canal-json` messages read as rows.
import { jest } from '@jest/globals';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { SecretResolver, createConnectorRegistry, type ChangelogRow, type TableDescriptor } from '../../../runtime/connectors/factory/index.ts';
import { kafkaSource } from '../../../runtime/connectors/kafka/source.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { T, type RowField } from '../../../runtime/sql/types/data-type.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { createTopic, produce, uniqueTopic } from './kafka-admin.ts';
import { openReader, pollUntil } from './source-driver.ts';

jest.setTimeout(120_000);

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
const columns: RowField[] = [{ name: 'id', type: T.bigint(false) }, { name: 'name', type: T.string() }, { name: 'amount', type: T.int() }];
const row = (kind: ChangelogRow['kind'], ...values: unknown[]): ChangelogRow => ({ kind, values });
const text = (rows: readonly ChangelogRow[]) => rows.map((r) => `${r.kind}${JSON.stringify(r.values)}`);

async function readAll(table: TableDescriptor): Promise<ChangelogRow[]> {
  const out: ChangelogRow[] = [];
  const source = registry.createSource(table);
  await executeLocally(defineJob({ name: 'read', build: (env) => env.fromSource(source.createSource()).sinkTo(collectSink(out)) }), { parallelism: 1 }).done;
  return out;
}

test('upsert-kafka: +I/+U become key + value, -D a tombstone, -U nothing; its source reads them back as +I and -D by key', async () => {
  const { bootstrap } = await useKafka();
  const topic = uniqueTopic('upsert');
  await createTopic(bootstrap, topic, 2);
  const table: TableDescriptor = {
    name: 'balances', columns, primaryKey: ['id'],
    options: { connector: 'upsert-kafka', topic, 'properties.bootstrap.servers': bootstrap, 'key.format': 'json', 'value.format': 'avro', 'value.fields-include': 'EXCEPT_KEY' },
  };
  const changes = [row('+I', 1, 'a', 10), row('+I', 2, 'b', 20), row('-U', 1, 'a', 10), row('+U', 1, 'a', 11), row('-D', 2, 'b', 20), row('+I', 3, 'c', 30)];
  const sink = registry.createSink(table);
  expect(sink.changelogMode).toBe('upsert');
  await executeLocally(defineJob({ name: 'write', build: (env) => env.fromElements(changes).sinkTo(sink.createSink()) }), { parallelism: 1 }).done;

  // the raw records: key JSON, value Avro bytes or null
  const raw = await openReader(kafkaSource<{ key: string; value: Buffer | null; p: number }>({
    bootstrapServers: bootstrap, topics: [topic], startingOffsets: 'earliest', stoppingOffsets: 'latest',
    deserializer: (r) => ({ key: r.key!.toString('utf8'), value: r.value, p: r.partition }),
  }), 0, 1);
  expect(await pollUntil(raw, (o) => o.length >= 5)).not.toBe('timeout');
  await raw.reader.close?.();
  const byKey = (k: string) => raw.out.filter((r) => r.key === k);
  expect(raw.out).toHaveLength(5);
  expect(byKey('{"id":1}').map((r) => r.value === null)).toEqual([false, false]);
  expect(byKey('{"id":2}').map((r) => r.value === null)).toEqual([false, true]);
  expect(new Set(byKey('{"id":1}').map((r) => r.p)).size).toBe(1); // one key, one partition: its changes stay in order

  const back = await openReader(registry.createSource(table).createSource(), 0, 1);
  expect(await pollUntil(back, (o) => o.length >= 5)).toBe('done');
  await back.reader.close?.();
  const perKey = (id: number) => text(back.out.filter((r) => r.values[0] === id));
  expect(perKey(1)).toEqual(text([row('+I', 1, 'a', 10), row('+I', 1, 'a', 11)]));
  expect(perKey(2)).toEqual(text([row('+I', 2, 'b', 20), row('-D', 2, null, null)]));
  expect(perKey(3)).toEqual(text([row('+I', 3, 'c', 30)]));
});

test('debezium-json: Debezium events from another producer read as +I/-U/+U/-D; a written changelog reads back as Flink writes it', async () => {
  const { bootstrap } = await useKafka();
  const topic = uniqueTopic('debezium');
  await createTopic(bootstrap, topic, 1);
  await produce(bootstrap, topic, [
    { value: '{"schema":{"type":"struct"},"payload":{"before":null,"after":{"id":1,"name":"a","amount":10},"op":"r"}}' },
    { value: '{"before":{"id":1,"name":"a","amount":10},"after":{"id":1,"name":"a","amount":15},"op":"u"}' },
    { value: '{"before":{"id":1,"name":"a","amount":15},"after":null,"op":"d"}' },
  ]);
  const table = (t: string, extra: Record<string, string> = {}): TableDescriptor => ({ name: 'cdc', columns, options: { connector: 'kafka', topic: t, 'properties.bootstrap.servers': bootstrap, format: 'debezium-json', 'scan.bounded.mode': 'latest-offset', ...extra } });
  expect(registry.createSource(table(topic)).changelogMode).toBe('all');
  expect(text(await readAll(table(topic)))).toEqual(text([row('+I', 1, 'a', 10), row('-U', 1, 'a', 10), row('+U', 1, 'a', 15), row('-D', 1, 'a', 15)]));

  const out = uniqueTopic('debezium-out');
  await createTopic(bootstrap, out, 1);
  const sink = registry.createSink(table(out));
  expect(sink.changelogMode).toBe('all');
  const changes = [row('+I', 2, 'b', 1), row('-U', 2, 'b', 1), row('+U', 2, 'b', 2), row('-D', 2, 'b', 2)];
  await executeLocally(defineJob({ name: 'write', build: (env) => env.fromElements(changes).sinkTo(sink.createSink()) }), { parallelism: 1 }).done;
  expect(text(await readAll(table(out)))).toEqual(text([row('+I', 2, 'b', 1), row('-D', 2, 'b', 1), row('+I', 2, 'b', 2), row('-D', 2, 'b', 2)]));
});

test('canal-json: INSERT, UPDATE (with old values) and DELETE messages read as rows; other tables filtered out', async () => {
  const { bootstrap } = await useKafka();
  const topic = uniqueTopic('canal');
  await createTopic(bootstrap, topic, 1);
  await produce(bootstrap, topic, [
    { value: '{"data":[{"id":"1","name":"a","amount":"10"},{"id":"2","name":"b","amount":"20"}],"database":"shop","table":"balances","type":"INSERT"}' },
    { value: '{"data":[{"id":"9","name":"z","amount":"0"}],"database":"shop","table":"other","type":"INSERT"}' },
    { value: '{"data":[{"id":"1","name":"a","amount":"11"}],"old":[{"amount":"10"}],"database":"shop","table":"balances","type":"UPDATE"}' },
    { value: '{"data":[{"id":"2","name":"b","amount":"20"}],"database":"shop","table":"balances","type":"DELETE"}' },
  ]);
  const rows = await readAll({ name: 'balances', columns, options: { connector: 'kafka', topic, 'properties.bootstrap.servers': bootstrap, format: 'canal-json', 'canal-json.table.include': 'balances', 'scan.bounded.mode': 'latest-offset' } });
  expect(text(rows)).toEqual(text([row('+I', 1, 'a', 10), row('+I', 2, 'b', 20), row('-U', 1, 'a', 10), row('+U', 1, 'a', 11), row('-D', 2, 'b', 20)]));
});
