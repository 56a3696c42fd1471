// `'connector' = 'kafka'` for SQL DDL and YAML pipelines, with Flink's option names: the value is
// read and written in the table's format (`'format'`: also changelog formats, debezium-json and
// canal-json, and binary avro), the source and the sink are this folder's DataStream ones.
// Changelogs by key: `upsert-kafka` (upsert-table.ts). The table's WATERMARK is generated in the
// source per partition (watermark push-down, as in Flink), with `scan.watermark.idle-timeout`.
// Not yet: `key.format`/`key.fields` here, metadata columns (offset, timestamp, headers).

import { z } from 'zod';
import { defineConnector } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';
import { durationOption, enumOption, intOption, stringOption } from '../factory/options.ts';
import type { ResolvedFormat } from '../factory/format.ts';
import { insertRow, type ChangelogRow } from '../factory/row.ts';
import { flatMapSource } from '../table/flat-map-source.ts';
import { kafkaSink } from './sink.ts';
import { kafkaSource, type KafkaSourceOptions, type StartingOffsets } from './source.ts';
import { securityTableOptions, tableConnection } from './security.ts';

/** Flink's `partition:0,offset:42;partition:1,offset:300` for one topic → `topic:partition` → offset. */
export function parseSpecificOffsets(text: string, topic: string, table: string, option: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^partition:(\d+),offset:(\d+)$/.exec(part.replace(/\s+/g, ''));
    if (!m) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': option '${option}' = '${text}': expected 'partition:<n>,offset:<n>' separated by ';'`);
    out[`${topic}:${m[1]}`] = Number(m[2]);
  }
  return out;
}

/** A record value's rows in a format: bytes for binary formats, the changelog of changelog formats; none for a tombstone or a skipped record. */
export function valueRows(format: ResolvedFormat, projection?: readonly number[]): (value: Buffer | null) => ChangelogRow[] {
  const decoder = format.createDecoder(projection);
  return (value) => {
    if (value === null) return [];
    if (decoder.decodeChangelog) return decoder.decodeChangelog(value.toString('utf8'));
    const values = decoder.decodeBytes ? decoder.decodeBytes(value) : decoder.decode(value.toString('utf8'));
    return values === null ? [] : [insertRow(values)];
  };
}

/** An insert-only format's row of a record value; undefined for a tombstone or a skipped record. */
function valueRow(format: ResolvedFormat, projection?: readonly number[]): (value: Buffer | null) => ChangelogRow | undefined {
  const decoder = format.createDecoder(projection);
  return (value) => {
    if (value === null) return undefined;
    const values = decoder.decodeBytes ? decoder.decodeBytes(value) : decoder.decode(value.toString('utf8'));
    return values === null ? undefined : insertRow(values);
  };
}

export const kafkaConnector = defineConnector({
  name: 'kafka',
  description: 'Apache Kafka topics in a format; source (unbounded or bounded) and append sink (none, at-least-once, exactly-once)',
  usesFormat: true,
  options: z.object({
    topic: stringOption().optional(),
    'topic-pattern': stringOption().optional(),
    'properties.bootstrap.servers': stringOption(),
    'properties.group.id': stringOption().optional(),
    'properties.isolation.level': enumOption(['read_committed', 'read_uncommitted']).optional(),
    'scan.startup.mode': enumOption(['earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets']).optional(),
    'scan.startup.timestamp-millis': intOption(0).optional(),
    'scan.startup.specific-offsets': stringOption().optional(),
    'scan.bounded.mode': enumOption(['unbounded', 'latest-offset', 'specific-offsets']).optional(),
    'scan.bounded.specific-offsets': stringOption().optional(),
    'scan.topic-partition-discovery.interval': durationOption().optional(),
    'scan.watermark.idle-timeout': durationOption().optional(),
    'sink.partitioner': enumOption(['default', 'fixed', 'round-robin']).optional(),
    'sink.delivery-guarantee': enumOption(['none', 'at-least-once', 'exactly-once']).optional(),
    'sink.transactional-id-prefix': stringOption().optional(),
    ...securityTableOptions,
  }),
  check(ctx) {
    const o = ctx.options;
    const table = ctx.table.name;
    tableConnection(ctx.table, o, ctx.checkOnly); // security options (SASL, TLS) consistent, truststore readable where the job runs
    if ((o.topic === undefined) === (o['topic-pattern'] === undefined)) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': give exactly one of 'topic' and 'topic-pattern'`);
    const mode = o['scan.startup.mode'];
    if (mode === 'timestamp' && o['scan.startup.timestamp-millis'] === undefined) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': 'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis'`);
    if (mode === 'specific-offsets' && o['scan.startup.specific-offsets'] === undefined) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': 'scan.startup.mode' = 'specific-offsets' needs 'scan.startup.specific-offsets'`);
    if (mode === 'group-offsets' && o['properties.group.id'] === undefined) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': 'scan.startup.mode' = 'group-offsets' needs 'properties.group.id'`);
    if (o['scan.bounded.mode'] === 'specific-offsets' && o['scan.bounded.specific-offsets'] === undefined) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': 'scan.bounded.mode' = 'specific-offsets' needs 'scan.bounded.specific-offsets'`);
    if ((mode === 'specific-offsets' || o['scan.bounded.mode'] === 'specific-offsets') && o.topic?.includes(';')) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': specific offsets name partitions of one topic; 'topic' lists several`);
  },
  source: (ctx) => {
    const o = ctx.options;
    const table = ctx.table.name;
    const topics = o.topic?.split(';').map((t) => t.trim()).filter(Boolean);
    const mode = o['scan.startup.mode'] ?? (o['properties.group.id'] ? 'group-offsets' : 'earliest-offset');
    const starting: StartingOffsets =
      mode === 'earliest-offset' ? 'earliest'
        : mode === 'latest-offset' ? 'latest'
          : mode === 'group-offsets' ? 'group-offsets'
            : mode === 'timestamp' ? { timestamp: o['scan.startup.timestamp-millis']! }
              : { specific: parseSpecificOffsets(o['scan.startup.specific-offsets']!, topics![0]!, table, 'scan.startup.specific-offsets') };
    const bounded = o['scan.bounded.mode'] ?? 'unbounded';
    const options: KafkaSourceOptions<ChangelogRow> = {
      name: `kafka:${table}`,
      bootstrapServers: o['properties.bootstrap.servers'],
      ...tableConnection(ctx.table, o, ctx.checkOnly),
      ...(topics ? { topics } : { topicPattern: o['topic-pattern']! }),
      ...(o['properties.group.id'] ? { groupId: o['properties.group.id'] } : {}),
      startingOffsets: starting,
      ...(bounded === 'latest-offset' ? { stoppingOffsets: 'latest' as const } : {}),
      ...(bounded === 'specific-offsets' ? { stoppingOffsets: { specific: parseSpecificOffsets(o['scan.bounded.specific-offsets']!, topics![0]!, table, 'scan.bounded.specific-offsets') } } : {}),
      ...(o['scan.topic-partition-discovery.interval'] !== undefined ? { partitionDiscoveryIntervalMs: o['scan.topic-partition-discovery.interval'] } : {}),
      ...(o['properties.isolation.level'] ? { isolationLevel: o['properties.isolation.level'] } : {}),
      ...(o['scan.watermark.idle-timeout'] !== undefined ? { watermarkIdleTimeoutMs: o['scan.watermark.idle-timeout'] } : {}),
    };
    const format = ctx.format!;
    // projection push-down: the json format then builds rows of only the columns the query uses
    const projectable = format.projectable && format.changelogMode === 'insert-only';
    return {
      bounded: bounded !== 'unbounded',
      watermarkPushDown: true,
      projectionPushDown: projectable,
      changelogMode: format.changelogMode,
      createSource(projection) {
        if (projection !== undefined && !projectable) throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${table}': format '${format.name}' cannot read a projection of the columns`);
        if (format.changelogMode === 'insert-only') {
          // one row per record (or none): the source emits it as it is, no list per record
          const decode = valueRow(format, projection);
          return kafkaSource<ChangelogRow>({ ...options, deserializer: (r) => decode(r.value) });
        }
        const decode = valueRows(format, projection);
        // a record becomes the rows its format gives (a changelog format's update: -U and +U)
        return flatMapSource(kafkaSource<ChangelogRow[]>({ ...options, deserializer: (r) => decode(r.value) }), `kafka:${table}`, (rows) => rows);
      },
    };
  },
  sink: (ctx) => {
    const o = ctx.options;
    const table = ctx.table.name;
    if (o.topic === undefined || o.topic.includes(';')) throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': a Kafka sink writes to one 'topic' (not a list or a pattern)`);
    const guarantee = o['sink.delivery-guarantee'] ?? 'at-least-once';
    if (guarantee === 'exactly-once' && !o['sink.transactional-id-prefix']) {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': 'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix', unique per Deployment and sink and stable across restarts`);
    }
    const changelog = ctx.format!.changelogMode !== 'insert-only';
    return {
      changelogMode: changelog ? 'all' : 'insert-only',
      createSink() {
        const encoder = ctx.format!.createEncoder();
        return kafkaSink<ChangelogRow>({
          name: `kafka:${table}`,
          bootstrapServers: o['properties.bootstrap.servers'],
          ...tableConnection(ctx.table, o, ctx.checkOnly),
          topic: o.topic!,
          deliveryGuarantee: guarantee,
          ...(o['sink.transactional-id-prefix'] ? { transactionalIdPrefix: o['sink.transactional-id-prefix'] } : {}),
          partitioner: o['sink.partitioner'] ?? 'default',
          serializer: (row) => {
            if (changelog) return Buffer.from(encoder.encodeChangelog!(row) ?? '');
            if (row.kind !== '+I') {
              throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${table}': the kafka sink is append-only and got a ${row.kind} row; write updates to an upsert sink (upsert-kafka) or use a changelog format (debezium-json, canal-json)`);
            }
            return encoder.encodeBytes ? Buffer.from(encoder.encodeBytes(row.values)) : Buffer.from(encoder.encode(row.values));
          },
        });
      },
    };
  },
});
