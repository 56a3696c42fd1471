// What debezium-json and canal-json share: a row's columns as one JSON object (the json format's
// value rules: SQL timestamps, exact decimals) and back, by column name.
import type { RowField } from '../../../sql/types/data-type.ts';
import { fromJsonValue, toJsonValue } from '../values.ts';

export function rowToJson(columns: readonly RowField[], values: readonly unknown[]): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  columns.forEach((c, i) => (obj[c.name] = toJsonValue(c.type, values[i])));
  return obj;
}

export function jsonToRow(columns: readonly RowField[], obj: unknown, what: string): unknown[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`'${what}' is not a JSON object`);
  const rec = obj as Record<string, unknown>;
  return columns.map((c) => fromJsonValue(c.type, rec[c.name], c.name));
}
