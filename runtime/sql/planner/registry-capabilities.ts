// Connector capabilities answered by the connector factory (runtime/connectors/factory): what a
// table's source emits and which changelog its sink takes come from the connector itself, and a
// table whose connector or options are wrong is refused while planning, as Flink does.
import type { ConnectorRegistry, TableDescriptor } from '../../connectors/factory/index.ts';
import type { CatalogTable } from '../catalog/catalog-objects.ts';
import { pathToString } from '../catalog/catalog-objects.ts';
import { withoutTimeAttribute } from '../types/data-type.ts';
import type { ConnectorCapabilities, RowKindCode } from './changelog.ts';

/** The table as the factory sees it: physical columns, primary key, WITH options. */
export function tableDescriptor(table: CatalogTable): TableDescriptor {
  const columns = table.schema.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: withoutTimeAttribute(c.type) }));
  const d: TableDescriptor = { name: pathToString(table.path), columns, options: table.options, ...(table.partitionKeys.length > 0 ? { partitionKeys: table.partitionKeys } : {}) };
  return table.schema.primaryKey === undefined ? d : { ...d, primaryKey: table.schema.primaryKey.columns };
}

const KINDS: Record<'insert-only' | 'upsert' | 'all', RowKindCode[]> = {
  'insert-only': ['I'],
  upsert: ['I', 'UA', 'D'],
  all: ['I', 'UB', 'UA', 'D'],
};

export function registryCapabilities(registry: ConnectorRegistry): ConnectorCapabilities {
  return {
    sourceKinds: (table) => KINDS[registry.createSource(tableDescriptor(table)).changelogMode],
    sinkMode: (table) => registry.createSink(tableDescriptor(table)).changelogMode,
    watermarkPushDown: (table) => registry.createSource(tableDescriptor(table)).watermarkPushDown === true,
  };
}
