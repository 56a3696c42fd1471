// `'connector' = 'upsert-kafka'` (Flink's option names): a changelog by primary key on a
// compacted topic. The record key is the PRIMARY KEY columns in `key.format`, the value the
// columns in `value.format` (all of them, or without the key with `value.fields-include` =
// EXCEPT_KEY). Source: a value → +I of that row (the latest per key wins), a tombstone (null
// value) → -D of the key. Sink: +I and +U → key and value, -D → key and a tombstone, -U dropped
// (the +U after it replaces the row). With exactly-once delivery, records commit with checkpoints.
// A WATERMARK is generated in the source per partition (`scan.watermark.idle-timeout` as for kafka);
// a tombstone does not move it.
import { z } from 'zod';
import type { Sink, SinkWriter } from '../../api/functions.ts';
import type { RowField } from '../../sql/types/data-type.ts';
import { defineConnector } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';
import { resolveFormat, type FormatFactory, type ResolvedFormat } from '../factory/format.ts';
import { avroFormat } from '../factory/formats/avro.ts';
import { csvFormat } from '../factory/formats/csv.ts';
import { jsonFormat } from '../factory/formats/json.ts';
import { rawFormat } from '../factory/formats/raw.ts';
import { durationOption, enumOption, stringOption } from '../factory/options.ts';
import type { ChangelogRow } from '../factory/row.ts';
import { flatMapSource } from '../table/flat-map-source.ts';
import { kafkaSink } from './sink.ts';
import { kafkaSource } from './source.ts';
import { securityTableOptions, tableConnection } from './security.ts';

/** Record formats a key or value can have (changelog and bulk formats cannot). */
const RECORD_FORMATS: Record<string, FormatFactory> = { json: jsonFormat, csv: csvFormat, raw: rawFormat, avro: avroFormat } as unknown as Record<string, FormatFactory>;

function recordFormat(table: string, option: string, name: string, columns: readonly RowField[]): ResolvedFormat {
  const f = RECORD_FORMATS[name];
  if (!f) throw new ConnectorError('MR_ERR_FORMAT_UNKNOWN', `table '${table}': option '${option}' = '${name}' is not a record format; use ${Object.keys(RECORD_FORMATS).join(', ')}`);
  const ctx = { table, columns, options: f.options.parse({}) };
  f.check?.(ctx);
  return resolveFormat(f, ctx);
}

const encode = (f: ResolvedFormat) => {
  const e = f.createEncoder();
  return (values: readonly unknown[]): Buffer => (e.encodeBytes ? Buffer.from(e.encodeBytes(values)) : Buffer.from(e.encode(values)));
};
const decode = (f: ResolvedFormat) => {
  const d = f.createDecoder();
  return (bytes: Buffer): unknown[] | null => (d.decodeBytes ? d.decodeBytes(bytes) : d.decode(bytes.toString('utf8')));
};

/** The writer without -U rows (an upsert sink ignores them), its other methods bound. */
function withoutUpdateBefore(sink: Sink<ChangelogRow>): Sink<ChangelogRow> {
  return {
    name: sink.name,
    createWriter() {
      const w = sink.createWriter();
      const out: SinkWriter<ChangelogRow> = { write: (row, ts) => (row.kind === '-U' ? undefined : w.write(row, ts)) };
      for (const key of ['open', 'finish', 'close', 'snapshotState', 'flushPending', 'notifyCheckpointComplete', 'onWatermark', 'initializeState'] as const) {
        const method = w[key] as ((...args: unknown[]) => unknown) | undefined;
        if (typeof method === 'function') (out as unknown as Record<string, unknown>)[key] = method.bind(w);
      }
      return out;
    },
  };
}

export const upsertKafkaConnector = defineConnector({
  name: 'upsert-kafka',
  description: 'a changelog by primary key on a Kafka topic (key = primary key, tombstones = deletes); source and upsert sink',
  options: z.object({
    topic: stringOption(),
    'properties.bootstrap.servers': stringOption(),
    'properties.group.id': stringOption().optional(),
    'key.format': stringOption(),
    'value.format': stringOption(),
    'value.fields-include': enumOption(['ALL', 'EXCEPT_KEY'] as const).default('ALL'),
    'scan.topic-partition-discovery.interval': durationOption().optional(),
    'scan.watermark.idle-timeout': durationOption().optional(),
    'sink.delivery-guarantee': enumOption(['none', 'at-least-once', 'exactly-once'] as const).optional(),
    'sink.transactional-id-prefix': stringOption().optional(),
    ...securityTableOptions,
  }),
  check(ctx) {
    const t = ctx.table;
    tableConnection(t, ctx.options, ctx.checkOnly); // security options (SASL, TLS) consistent, truststore readable where the job runs
    if (!t.primaryKey || t.primaryKey.length === 0) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${t.name}': 'upsert-kafka' needs a PRIMARY KEY (...) NOT ENFORCED; its columns are the record key`);
    if (ctx.options.topic.includes(';')) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${t.name}': 'upsert-kafka' reads and writes one 'topic'`);
    if (ctx.options['sink.delivery-guarantee'] === 'exactly-once' && !ctx.options['sink.transactional-id-prefix']) {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${t.name}': 'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix', unique per Deployment and sink`);
    }
    const { keyColumns, valueColumns } = split(ctx.table.columns, t.primaryKey, ctx.options['value.fields-include']);
    recordFormat(t.name, 'key.format', ctx.options['key.format'], keyColumns);
    recordFormat(t.name, 'value.format', ctx.options['value.format'], valueColumns);
  },
  source: (ctx) => ({
    bounded: false,
    changelogMode: 'upsert',
    // the table's WATERMARK is generated per partition in the source, before ChangelogNormalize (as Flink)
    watermarkPushDown: true,
    createSource() {
      const t = ctx.table;
      const { keyIdx, valueIdx, keyColumns, valueColumns } = split(t.columns, t.primaryKey!, ctx.options['value.fields-include']);
      const readKey = decode(recordFormat(t.name, 'key.format', ctx.options['key.format'], keyColumns));
      const readValue = decode(recordFormat(t.name, 'value.format', ctx.options['value.format'], valueColumns));
      const inner = kafkaSource<ChangelogRow[]>({
        name: `upsert-kafka:${t.name}`,
        bootstrapServers: ctx.options['properties.bootstrap.servers'],
        ...tableConnection(t, ctx.options, ctx.checkOnly),
        topics: [ctx.options.topic],
        ...(ctx.options['properties.group.id'] ? { groupId: ctx.options['properties.group.id'] } : {}),
        startingOffsets: 'earliest',
        ...(ctx.options['scan.topic-partition-discovery.interval'] !== undefined ? { partitionDiscoveryIntervalMs: ctx.options['scan.topic-partition-discovery.interval'] } : {}),
        ...(ctx.options['scan.watermark.idle-timeout'] !== undefined ? { watermarkIdleTimeoutMs: ctx.options['scan.watermark.idle-timeout'] } : {}),
        deserializer: (r) => {
          const key = r.key === null ? null : readKey(r.key);
          if (key === null) return [];
          const values: unknown[] = t.columns.map(() => null);
          keyIdx.forEach((ci, i) => (values[ci] = key[i]));
          if (r.value === null) return [{ kind: '-D', values }];
          const v = readValue(r.value);
          if (v === null) return [];
          valueIdx.forEach((ci, i) => (values[ci] = v[i]));
          return [{ kind: '+I', values }];
        },
      });
      return flatMapSource(inner, `upsert-kafka:${t.name}`, (rows) => rows);
    },
  }),
  sink: (ctx) => ({
    changelogMode: 'upsert',
    createSink() {
      const t = ctx.table;
      const { keyIdx, valueIdx, keyColumns, valueColumns } = split(t.columns, t.primaryKey!, ctx.options['value.fields-include']);
      const writeKey = encode(recordFormat(t.name, 'key.format', ctx.options['key.format'], keyColumns));
      const writeValue = encode(recordFormat(t.name, 'value.format', ctx.options['value.format'], valueColumns));
      const guarantee = ctx.options['sink.delivery-guarantee'] ?? 'at-least-once';
      return withoutUpdateBefore(kafkaSink<ChangelogRow>({
        name: `upsert-kafka:${t.name}`,
        bootstrapServers: ctx.options['properties.bootstrap.servers'],
        ...tableConnection(t, ctx.options, ctx.checkOnly),
        topic: ctx.options.topic,
        deliveryGuarantee: guarantee,
        ...(ctx.options['sink.transactional-id-prefix'] ? { transactionalIdPrefix: ctx.options['sink.transactional-id-prefix'] } : {}),
        partitioner: 'default', // by key: all changes of a key stay in order on one partition
        key: (row) => writeKey(keyIdx.map((i) => row.values[i])),
        serializer: (row) => (row.kind === '-D' ? null : writeValue(valueIdx.map((i) => row.values[i]))),
      }));
    },
  }),
});

function split(columns: readonly RowField[], key: readonly string[], include: 'ALL' | 'EXCEPT_KEY') {
  const keyIdx = key.map((k) => columns.findIndex((c) => c.name === k));
  const valueIdx = columns.map((_, i) => i).filter((i) => include === 'ALL' || !keyIdx.includes(i));
  return { keyIdx, valueIdx, keyColumns: keyIdx.map((i) => columns[i]!), valueColumns: valueIdx.map((i) => columns[i]!) };
}
