// Table connectors from DataStream code and YAML pipelines, whose records are plain objects:
// a table is described by its columns (`{ id: 'BIGINT', name: 'STRING' }`, Flink's type syntax)
// and its WITH options; rows become objects keyed by column name (nested ROWs too) and back.
//
//   const registry = createConnectorRegistry();
//   env.fromSource(objectSource(registry, { name: 'orders', columns: { id: 'BIGINT', at: 'TIMESTAMP(3)' },
//     options: { connector: 'filesystem', path: '/data/orders', format: 'json' } }))

import type { Sink, SinkWriter } from '../../api/functions.ts';
import type { Source } from '../../api/source.ts';
import { Cursor } from '../../sql/parser/cursor.ts';
import { tokenize } from '../../sql/parser/lexer.ts';
import { parseType } from '../../sql/parser/type-parser.ts';
import type { DataType, RowField } from '../../sql/types/data-type.ts';
import type { TableDescriptor } from './connector.ts';
import { ConnectorError } from './errors.ts';
import type { ConnectorRegistry } from './registry.ts';
import { insertRow, type ChangelogRow } from './row.ts';
import { mapSource } from '../table/map-source.ts';

export interface ObjectTable {
  readonly name: string;
  /** column name → Flink SQL type text, in order */
  readonly columns: Readonly<Record<string, string>>;
  readonly primaryKey?: readonly string[];
  /** PARTITIONED BY columns (filesystem) */
  readonly partitionKeys?: readonly string[];
  readonly options: Readonly<Record<string, string>>;
}

/** Parses `BIGINT`, `ROW<a INT, b STRING>` and the other types of Flink SQL. */
export function parseTypeText(text: string, where: string): DataType {
  try {
    const c = new Cursor(text, tokenize(text));
    const t = parseType(c).type;
    if (!c.atEnd()) c.fail('the end of the type');
    return t;
  } catch (err) {
    throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `${where}: '${text}' is not a Flink SQL type (${(err as Error).message})`);
  }
}

export function describeTable(t: ObjectTable): TableDescriptor {
  const columns: RowField[] = Object.entries(t.columns).map(([name, type]) => ({ name, type: parseTypeText(type, `table '${t.name}', column '${name}'`) }));
  return { name: t.name, columns, options: t.options, ...(t.primaryKey ? { primaryKey: t.primaryKey } : {}), ...(t.partitionKeys ? { partitionKeys: t.partitionKeys } : {}) };
}

function toObject(type: DataType, v: unknown): unknown {
  if (v === null || v === undefined || type.root !== 'ROW') return v ?? null;
  return Object.fromEntries(type.fields.map((f, i) => [f.name, toObject(f.type, (v as unknown[])[i])]));
}

function fromObject(type: DataType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type.root !== 'ROW') return v;
  const o = v as Record<string, unknown>;
  return type.fields.map((f) => fromObject(f.type, o[f.name]));
}

export const rowToObject = (columns: readonly RowField[], values: readonly unknown[]): Record<string, unknown> =>
  Object.fromEntries(columns.map((c, i) => [c.name, toObject(c.type, values[i])]));

export const objectToRow = (columns: readonly RowField[], o: Readonly<Record<string, unknown>>): unknown[] =>
  columns.map((c) => fromObject(c.type, o[c.name]));

/** A table's rows as objects (insert-only sources; a changelog source is refused). */
export function objectSource(registry: ConnectorRegistry, table: ObjectTable): Source<Record<string, unknown>> {
  const d = describeTable(table);
  const src = registry.createSource(d);
  if (src.changelogMode !== 'insert-only') {
    throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${table.name}': connector '${table.options.connector}' emits updates; read it as rows with kinds (registry.createSource) instead of objects`);
  }
  const rows = src.createSource();
  return mapSource(rows, rows.name, (row: ChangelogRow) => rowToObject(d.columns, row.values));
}

/** A sink writing objects as inserted rows of a table. */
export function objectSink(registry: ConnectorRegistry, table: ObjectTable): Sink<Record<string, unknown>> {
  const d = describeTable(table);
  const inner = registry.createSink(d).createSink();
  return {
    name: inner.name,
    createWriter() {
      const w = inner.createWriter();
      // bound, not spread: a writer that is a class instance keeps its prototype's methods and its `this`
      const out: SinkWriter<Record<string, unknown>> = { write: (o, ts) => w.write(insertRow(objectToRow(d.columns, o)), ts) };
      for (const key of ['open', 'finish', 'close', 'snapshotState', 'flushPending', 'notifyCheckpointComplete', 'onWatermark', 'initializeState'] as const) {
        const method = w[key] as ((...args: unknown[]) => unknown) | undefined;
        if (typeof method === 'function') (out as unknown as Record<string, unknown>)[key] = method.bind(w);
      }
      return out;
    },
    // a sink with a global committer (the filesystem sink's partition commit) keeps it
    ...(inner.createCommitter ? { createCommitter: () => inner.createCommitter!() } : {}),
  };
}
