// The connector factory: the one place table connectors and formats plug in (SQL DDL, YAML
// pipelines and DataStream code all go through a ConnectorRegistry). Adding a connector is a
// file under runtime/connectors/<name>/ plus one line in createConnectorRegistry.

import { blackholeConnector } from '../table/blackhole.ts';
import { datagenConnector } from '../table/datagen.ts';
import { filesystemConnector } from '../table/filesystem.ts';
import { nexmarkConnector } from '../table/nexmark.ts';
import { printConnector } from '../table/print.ts';
import { kafkaConnector } from '../kafka/table.ts';
import { upsertKafkaConnector } from '../kafka/upsert-table.ts';
import { jdbcConnector } from '../postgres/table.ts';
import { postgresCdcConnector } from '../postgres/cdc-table.ts';
import { csvFormat } from './formats/csv.ts';
import { jsonFormat } from './formats/json.ts';
import { rawFormat } from './formats/raw.ts';
import { parquetFormat } from '../filesystem/parquet-format.ts';
import { avroFormat } from './formats/avro.ts';
import { canalJsonFormat } from './formats/canal-json.ts';
import { debeziumJsonFormat } from './formats/debezium-json.ts';
import { ConnectorRegistry, type ConnectorRegistryOptions } from './registry.ts';

export type { Ability, ConnectorRegistryOptions } from './registry.ts';
export { ConnectorRegistry } from './registry.ts';
export type { ConnectorContext, LookupTableSource, OptionPattern, ScanTableSource, TableConnector, TableDescriptor, TableSink } from './connector.ts';
export { defineConnector } from './connector.ts';
export type { FormatContext, FormatFactory, ResolvedFormat, RowDecoder, RowEncoder } from './format.ts';
export { defineFormat } from './format.ts';
export { ConnectorError, type ConnectorErrorCode } from './errors.ts';
export { SecretResolver, POD_SECRETS_DIR, defaultSecretsDir } from './secrets.ts';
export * from './row.ts';
export * as optionTypes from './options.ts';

/** A registry with every built-in connector and format. */
export function createConnectorRegistry(options: ConnectorRegistryOptions = {}): ConnectorRegistry {
  return new ConnectorRegistry(options)
    .registerFormat(jsonFormat)
    .registerFormat(csvFormat)
    .registerFormat(rawFormat)
    .registerFormat(parquetFormat)
    .registerFormat(avroFormat)
    .registerFormat(debeziumJsonFormat)
    .registerFormat(canalJsonFormat)
    .registerConnector(nexmarkConnector)
    .registerConnector(datagenConnector)
    .registerConnector(filesystemConnector)
    .registerConnector(printConnector)
    .registerConnector(blackholeConnector)
    .registerConnector(kafkaConnector)
    .registerConnector(upsertKafkaConnector)
    .registerConnector(jdbcConnector)
    .registerConnector(postgresCdcConnector);
}
export { describeTable, objectSink, objectSource, objectToRow, parseTypeText, rowToObject, type ObjectTable } from './datastream.ts';
