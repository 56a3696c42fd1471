// The declared type of a SQL stream's records for the data plane (network/typed-rows.ts): the
// planner knows every node's row type, so the channels after it write changelog rows by field kind
// instead of with per-field tags and key lists. The kinds follow the values' representation
// (connectors/factory/row.ts): BIGINT a number or a bigint, DECIMAL its text, TIMESTAMP epoch ms.
import type { StreamRef } from '../../api/data-stream.ts';
import type { StreamGraph } from '../../graph/stream-graph.ts';
import type { FieldKind, RecordType } from '../../network/typed-rows.ts';
import type { DataType } from '../types/data-type.ts';

/** How values of `t` are written; undefined for a type without a known representation (RAW). */
export function fieldKindOf(t: DataType): FieldKind | undefined {
  switch (t.root) {
    case 'BOOLEAN': return 'bool';
    case 'TINYINT': case 'SMALLINT': case 'INTEGER': case 'DATE': case 'TIME': case 'INTERVAL_YEAR_MONTH': return 'i32';
    case 'BIGINT': return 'i64';
    case 'FLOAT': case 'DOUBLE': case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'INTERVAL_DAY_TIME': return 'f64';
    case 'DECIMAL': case 'CHAR': case 'VARCHAR': return 'string';
    case 'BINARY': case 'VARBINARY': return 'bytes';
    case 'NULL': return 'null';
    case 'ARRAY': case 'MULTISET': {
      const element = fieldKindOf(t.element);
      return element === undefined ? undefined : { array: element };
    }
    case 'MAP': {
      const key = fieldKindOf(t.key);
      const value = fieldKindOf(t.value);
      return key === undefined || value === undefined ? undefined : { map: [key, value] };
    }
    case 'ROW': {
      const fields = t.fields.map((f) => fieldKindOf(f.type));
      return fields.every((f) => f !== undefined) ? { row: fields as FieldKind[] } : undefined;
    }
    default: return undefined;
  }
}

/** The record type of a stream of changelog rows with these fields; undefined when one has no kind. */
export function changelogRecordType(fields: readonly { type: DataType }[]): RecordType | undefined {
  const kinds = fields.map((f) => fieldKindOf(f.type));
  return kinds.every((k) => k !== undefined) ? { changelogRow: kinds as FieldKind[] } : undefined;
}

/**
 * Declares the row type of what `stream`'s nodes emit on their main outputs. A node that already
 * has a type keeps it (a Union's inputs keep their own, the stricter one).
 */
export function declareRowType(graph: StreamGraph, stream: { readonly refs: readonly StreamRef[] }, fields: readonly { type: DataType }[]): void {
  const type = changelogRecordType(fields);
  if (type === undefined) return;
  for (const ref of stream.refs) {
    if (ref.sideOutputTag !== undefined) continue;
    const node = graph.node(ref.nodeId);
    node.recordType ??= type;
  }
}
