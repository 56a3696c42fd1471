// Flink's `json.map-null-key.mode` and `json.map-null-key.literal` (JsonFormatOptions): how the json
// format writes a MAP entry whose key is NULL (and a MULTISET's NULL element, which Flink writes
// as a map key too), at any depth: FAIL (the default) fails the job with Flink's message, DROP
// leaves the entry out, LITERAL writes the literal (default 'null') as its key. Reading is not
// affected (a JSON object has no NULL keys).
import { z } from 'zod';
import type { DataType } from '../../../sql/types/data-type.ts';
import { ConnectorError } from '../errors.ts';
import { enumOption } from '../options.ts';
import { toJsonValue, toTextValue } from '../values.ts';

export const MAP_NULL_KEY_MODES = ['FAIL', 'DROP', 'LITERAL'] as const;
export type MapNullKeyMode = (typeof MAP_NULL_KEY_MODES)[number];

/** The options, as the json format's schema holds them (without the `json.` prefix). */
export const mapNullKeyOptions = {
  'map-null-key.mode': enumOption(MAP_NULL_KEY_MODES).default('FAIL'),
  'map-null-key.literal': z.string().default('null'),
};

export interface MapNullKeyPolicy {
  readonly mode: MapNullKeyMode;
  readonly literal: string;
  /** the table, for the error of FAIL */
  readonly table: string;
}

/** Whether values of `type` can hold a MAP or MULTISET (only those need the policy). */
export function holdsMapKeys(type: DataType): boolean {
  switch (type.root) {
    case 'MAP': case 'MULTISET': return true;
    case 'ARRAY': return holdsMapKeys(type.element);
    case 'ROW': return type.fields.some((f) => holdsMapKeys(f.type));
    default: return false;
  }
}

/** toJsonValue, with NULL map keys and MULTISET elements as the policy says. */
export function toJsonValueWithNullKeys(type: DataType, v: unknown, policy: MapNullKeyPolicy, column: string): unknown {
  if (v === null || v === undefined || !holdsMapKeys(type)) return toJsonValue(type, v);
  switch (type.root) {
    case 'ARRAY': return (v as unknown[]).map((x) => toJsonValueWithNullKeys(type.element, x, policy, column));
    case 'ROW': return Object.fromEntries(type.fields.map((f, i) => [f.name, toJsonValueWithNullKeys(f.type, (v as unknown[])[i], policy, column)]));
    case 'MAP': {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v as Map<unknown, unknown>) {
        const key = keyText(type.key, k, policy, column);
        if (key !== undefined) out[key] = toJsonValueWithNullKeys(type.value, x, policy, column);
      }
      return out;
    }
    case 'MULTISET': {
      // element → count, as values.ts writes a MULTISET
      const out: Record<string, number> = {};
      for (const x of v as unknown[]) {
        const key = keyText(type.element, x, policy, column);
        if (key !== undefined) out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    }
    default: return toJsonValue(type, v);
  }
}

/** A key's text; undefined when a NULL key is dropped. */
function keyText(type: DataType, k: unknown, policy: MapNullKeyPolicy, column: string): string | undefined {
  if (k !== null && k !== undefined) return toTextValue(type, k);
  switch (policy.mode) {
    case 'DROP': return undefined;
    case 'LITERAL': return policy.literal;
    case 'FAIL':
      throw new ConnectorError('MR_ERR_FORMAT_DATA', `table '${policy.table}', column '${column}', format json: JSON format doesn't support to serialize map data with null keys. You can drop null key entries or encode null in literals by specifying map-null-key.mode option: set 'json.map-null-key.mode' = 'DROP' or 'LITERAL' (with 'json.map-null-key.literal')`);
  }
}
