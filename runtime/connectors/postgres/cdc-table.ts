// `'connector' = 'postgres-cdc'` with Flink CDC's option names: one table's snapshot and changes
// (cdc-source.ts). Needs the server's `wal_level = logical` and a user with the REPLICATION
// attribute (or superuser) that may create the publication.
import { z } from 'zod';
import { defineConnector } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';
import { enumOption, intOption, stringOption } from '../factory/options.ts';
import { postgresCdcSource } from './cdc-source.ts';

export const postgresCdcConnector = defineConnector({
  name: 'postgres-cdc',
  description: 'PostgreSQL table snapshot, then its changes through logical replication (pgoutput) as a changelog',
  options: z.object({
    hostname: stringOption(),
    port: intOption(1, 65535).optional(),
    username: stringOption(),
    password: stringOption().optional(),
    'database-name': stringOption(),
    'schema-name': stringOption().optional(),
    'table-name': stringOption(),
    'slot.name': stringOption(),
    'decoding.plugin.name': enumOption(['pgoutput']).optional(),
    'debezium.publication.name': stringOption().optional(),
  }),
  check(ctx) {
    if (!/^[a-z0-9_]{1,63}$/.test(ctx.options['slot.name'])) {
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table.name}': option 'slot.name' = '${ctx.options['slot.name']}': PostgreSQL slot names are lower-case letters, digits and '_' (at most 63); choose one per job and table`);
    }
  },
  source(ctx) {
    const o = ctx.options;
    return {
      bounded: false,
      changelogMode: 'all',
      createSource: () => postgresCdcSource({
        connection: { host: o.hostname, port: o.port ?? 5432, database: o['database-name'], user: o.username, ...(o.password !== undefined ? { password: o.password } : {}) },
        schema: o['schema-name'] ?? 'public',
        table: o['table-name'],
        columns: ctx.table.columns,
        slotName: o['slot.name'],
        ...(o['debezium.publication.name'] ? { publicationName: o['debezium.publication.name'] } : {}),
        name: `postgres-cdc:${ctx.table.name}`,
      }),
    };
  },
});
