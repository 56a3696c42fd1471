// `'connector' = 'kafka'` through the connector factory (what SQL DDL and YAML pipelines use),
// against the real broker: rows written exactly-once in JSON come back from a bounded read.
import { jest } from '@jest/globals';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { SecretResolver, createConnectorRegistry, insertRow, type ChangelogRow, type TableDescriptor } from '../../../runtime/connectors/factory/index.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { T, type RowField } from '../../../runtime/sql/types/data-type.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { createTopic, readCommitted, uniqueTopic } from './kafka-admin.ts';

jest.setTimeout(120_000);

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
const columns: RowField[] = [{ name: 'id', type: T.bigint() }, { name: 'name', type: T.string() }];

describe("'connector' = 'kafka'", () => {
  test('an exactly-once JSON sink and a bounded source of the same table round-trip the rows', async () => {
    const { bootstrap } = await useKafka();
    const topic = uniqueTopic('table');
    await createTopic(bootstrap, topic, 2);
    const table = (extra: Record<string, string>): TableDescriptor => ({
      name: 'orders', columns,
      options: { connector: 'kafka', topic, 'properties.bootstrap.servers': bootstrap, format: 'json', ...extra },
    });
    const rows = Array.from({ length: 200 }, (_, i) => insertRow([i, `name ${i}`]));
    const sink = registry.createSink(table({ 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': `${topic}-tx` }));
    await executeLocally(defineJob({ name: 'write', build: (env) => env.fromElements(rows).sinkTo(sink.createSink()) }), { parallelism: 2 }).done;
    // what another application sees: Flink's JSON format
    const raw = await readCommitted(bootstrap, topic, { count: 200 });
    expect(raw.map((r) => JSON.parse(r.value) as { id: number; name: string }).find((v) => v.id === 7)).toEqual({ id: 7, name: 'name 7' });

    const back: ChangelogRow[] = [];
    const source = registry.createSource(table({ 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset' }));
    expect(source.bounded).toBe(true);
    await executeLocally(defineJob({ name: 'read', build: (env) => env.fromSource(source.createSource()).sinkTo(collectSink(back)) }), { parallelism: 2 }).done;
    expect(back.map((r) => JSON.stringify(r)).sort()).toEqual(rows.map((r) => JSON.stringify(r)).sort());
  });

  test('options are checked with the option named', () => {
    const base = { connector: 'kafka', 'properties.bootstrap.servers': '127.0.0.1:1', format: 'json' };
    expect(() => registry.createSource({ name: 't', columns, options: base })).toThrow("give exactly one of 'topic' and 'topic-pattern'");
    expect(() => registry.createSource({ name: 't', columns, options: { ...base, topic: 'x', 'scan.startup.mode': 'timestamp' } })).toThrow("needs 'scan.startup.timestamp-millis'");
    expect(() => registry.createSink({ name: 't', columns, options: { ...base, topic: 'x', 'sink.delivery-guarantee': 'exactly-once' } })).toThrow("needs 'sink.transactional-id-prefix'");
    expect(() => registry.createSource({ name: 't', columns, options: { ...base, topic: 'x', 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'p0=1' } })).toThrow("expected 'partition:<n>,offset:<n>'");
  });
});
