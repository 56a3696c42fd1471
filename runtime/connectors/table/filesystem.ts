// `'connector' = 'filesystem'`: bounded reading of a file or a directory's files (hidden and
// in-progress files skipped), and an exactly-once append sink that commits files on checkpoint
// completion (the runtime's file sink, two-phase commit). Records are lines in the table's format.

import { z } from 'zod';
import { fileSink } from '../file-sink.ts';
import { fileSource } from '../file-source.ts';
import { defineConnector } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';
import { stringOption } from '../factory/options.ts';
import { insertRow, type ChangelogRow } from '../factory/row.ts';
import { mapSource } from './map-source.ts';

export const filesystemConnector = defineConnector({
  name: 'filesystem',
  description: 'files of a local directory in a format; bounded source, exactly-once append sink',
  usesFormat: true,
  options: z.object({
    path: stringOption(),
  }),
  check(ctx) {
    if (ctx.options.path.trim() === '') {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table.name}': option 'path' must not be empty`);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ctx.options.path) && !ctx.options.path.startsWith('file://')) {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table.name}': option 'path' = '${ctx.options.path}': only local paths are supported so far (object-store paths come with the connectors issue)`);
    }
  },
  source: (ctx) => ({
    bounded: true,
    changelogMode: 'insert-only',
    createSource() {
      const path = ctx.options.path.replace(/^file:\/\//, '');
      const decoder = ctx.format!.createDecoder();
      return mapSource(fileSource<string>({ path, format: 'text' }), `filesystem:${ctx.table.name}`, (line) => {
        const values = decoder.decode(line);
        return values === null ? null : insertRow(values);
      });
    },
  }),
  sink: (ctx) => ({
    changelogMode: 'insert-only',
    createSink() {
      const path = ctx.options.path.replace(/^file:\/\//, '');
      const encoder = ctx.format!.createEncoder();
      const inner = fileSink<string>({ path, format: 'lines', ext: ctx.format!.name });
      return {
        name: `filesystem:${ctx.table.name}`,
        createWriter() {
          const w = inner.createWriter();
          return {
            ...w,
            write(row: ChangelogRow, ts: number | undefined) {
              if (row.kind !== '+I') {
                throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${ctx.table.name}': the filesystem sink is append-only and got a ${row.kind} row; write updates to an upsert sink`);
              }
              w.write(encoder.encode(row.values), ts);
            },
          };
        },
      };
    },
  }),
});
