// `'connector' = 'filesystem'` with Flink's options: files under a local directory or an S3
// prefix (`s3://bucket/prefix`, with the workspace's S3 settings and credentials) in a format
// (json, csv, raw, parquet); `PARTITIONED BY` columns become `col=value/` directories. Source:
// bounded read of the visible files, or continuous with `source.monitor-interval`. Sink: exactly-once append, files visible when a checkpoint
// completes, rolled by size and time, partitions committed with a success file
// (runtime/connectors/filesystem/).

import { z } from 'zod';
import { defineConnector } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';
import { durationOption, enumOption, memoryOption, stringOption } from '../factory/options.ts';
import { filesystemSink } from '../filesystem/sink.ts';
import { filesystemSource } from '../filesystem/source.ts';
import { DEFAULT_ROLLING_POLICY } from '../filesystem/rolling-policy.ts';
import { DEFAULT_PARTITION_NAME } from '../filesystem/partitions.ts';
import { filesystemLookup } from './filesystem-lookup.ts';

const POLICY_KINDS = ['success-file', 'metastore', 'custom'] as const;

export const filesystemConnector = defineConnector({
  name: 'filesystem',
  description: 'files of a local directory or an S3 prefix in a format; bounded source, exactly-once append sink with partitions',
  usesFormat: true,
  options: z.object({
    path: stringOption(),
    'sink.rolling-policy.file-size': memoryOption().default(DEFAULT_ROLLING_POLICY.fileSizeBytes),
    'sink.rolling-policy.rollover-interval': durationOption().default(DEFAULT_ROLLING_POLICY.rolloverIntervalMs),
    'sink.rolling-policy.inactivity-interval': durationOption().default(DEFAULT_ROLLING_POLICY.inactivityIntervalMs),
    'sink.rolling-policy.check-interval': durationOption().default(DEFAULT_ROLLING_POLICY.checkIntervalMs),
    'sink.partition-commit.trigger': enumOption(['process-time', 'partition-time'] as const).default('process-time'),
    'sink.partition-commit.delay': durationOption().default(0),
    'sink.partition-commit.policy.kind': stringOption().optional(),
    'sink.partition-commit.success-file.name': stringOption().default('_SUCCESS'),
    'sink.partition-commit.watermark-time-zone': stringOption().default('UTC'),
    'partition.time-extractor.kind': enumOption(['default'] as const).default('default'),
    'partition.time-extractor.timestamp-pattern': stringOption().optional(),
    'partition.default-name': stringOption().default(DEFAULT_PARTITION_NAME),
    'source.monitor-interval': durationOption().optional(),
  }),
  check(ctx) {
    const o = ctx.options;
    const fail = (msg: string): never => {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table.name}': ${msg}`);
    };
    if (o.path.trim() === '') fail("option 'path' must not be empty");
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(o.path) && !/^(file|s3a?):\/\//i.test(o.path)) {
      fail(`option 'path' = '${o.path}': the scheme is not supported; use s3://bucket/prefix, file:///dir or a directory`);
    }
    if (ctx.format && (ctx.format.changelogMode !== 'insert-only' || ctx.format.name === 'avro')) {
      fail(`format '${ctx.format.name}' is not a file format; use json, csv, raw or parquet`);
    }
    const keys = ctx.table.partitionKeys ?? [];
    for (const k of keys) if (!ctx.table.columns.some((c) => c.name === k)) fail(`PARTITIONED BY names '${k}', which is not a physical column`);
    const kinds = o['sink.partition-commit.policy.kind']?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? [];
    for (const k of kinds) {
      if (!(POLICY_KINDS as readonly string[]).includes(k)) fail(`option 'sink.partition-commit.policy.kind': '${k}' is not a policy; use success-file`);
      if (k !== 'success-file') fail(`option 'sink.partition-commit.policy.kind': '${k}' is not supported here (no metastore, no custom classes); use success-file`);
    }
    if (kinds.length > 0 && keys.length === 0) fail("option 'sink.partition-commit.policy.kind' needs a partitioned table; add PARTITIONED BY (...) or remove the option");
    const successFile = o['sink.partition-commit.success-file.name'];
    // the committer writes it into each partition directory; the source skips names starting with '.' or '_'
    if (successFile === '' || /[/\\]/.test(successFile) || successFile === '.' || successFile === '..') {
      fail(`option 'sink.partition-commit.success-file.name' = '${successFile}' must be a file name without '/' (default _SUCCESS)`);
    }
    if (o['sink.partition-commit.watermark-time-zone'].toUpperCase() !== 'UTC') {
      fail("option 'sink.partition-commit.watermark-time-zone': only 'UTC' is supported (TIMESTAMP values are wall-clock times read as UTC)");
    }
    if (o['sink.rolling-policy.file-size'] <= 0) fail("option 'sink.rolling-policy.file-size' must be positive");
    if (o['source.monitor-interval'] !== undefined && o['source.monitor-interval'] <= 0) fail("option 'source.monitor-interval' must be greater than 0; leave it unset for a bounded read");
  },
  source: (ctx) => ({
    // 'source.monitor-interval': list the path again every interval and read new files (continuous)
    bounded: ctx.options['source.monitor-interval'] === undefined,
    changelogMode: 'insert-only',
    createSource: () => filesystemSource({
      table: ctx.table.name, path: ctx.options.path, columns: ctx.table.columns, partitionKeys: ctx.table.partitionKeys ?? [],
      format: ctx.format!, defaultPartitionName: ctx.options['partition.default-name'], monitorIntervalMs: ctx.options['source.monitor-interval'],
    }),
  }),
  lookup: (ctx) => filesystemLookup(ctx),
  sink: (ctx) => ({
    changelogMode: 'insert-only',
    createSink() {
      const o = ctx.options;
      const commits = (o['sink.partition-commit.policy.kind'] ?? '').includes('success-file');
      return filesystemSink({
        table: ctx.table.name, path: o.path, columns: ctx.table.columns, partitionKeys: ctx.table.partitionKeys ?? [], format: ctx.format!,
        rolling: {
          fileSizeBytes: o['sink.rolling-policy.file-size'], rolloverIntervalMs: o['sink.rolling-policy.rollover-interval'],
          inactivityIntervalMs: o['sink.rolling-policy.inactivity-interval'], checkIntervalMs: o['sink.rolling-policy.check-interval'],
        },
        ...(commits ? { commit: { trigger: o['sink.partition-commit.trigger'], delayMs: o['sink.partition-commit.delay'], successFileName: o['sink.partition-commit.success-file.name'] } } : {}),
        ...(o['partition.time-extractor.timestamp-pattern'] === undefined ? {} : { timestampPattern: o['partition.time-extractor.timestamp-pattern'] }),
        defaultPartitionName: o['partition.default-name'],
      });
    },
  }),
});
