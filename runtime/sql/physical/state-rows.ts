// Rows in keyed state and as keys: the stateful SQL operators (joins, Top-N, deduplication, ...)
// partition by some columns and keep rows in the runtime's keyed state, which snapshots as JSON.
// Row values (connectors/factory/row.ts) may be bigint (BIGINT beyond 2^53), Uint8Array or Map,
// which JSON does not carry: `toStateRow`/`fromStateRow` tag them; plain rows pass unchanged.
import type { Key } from '../../keys/key-groups.ts';
import type { ChangelogRow } from '../../connectors/factory/row.ts';

type Values = readonly unknown[];

/** A deterministic text for any row value (the same value gives the same text on every process). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'number': return Object.is(v, -0) ? '0' : String(v);
    case 'string': return JSON.stringify(v);
    case 'bigint': return `${v}n`;
    case 'boolean': return v ? 'true' : 'false';
    default: break;
  }
  if (Array.isArray(v)) return `[${v.map(valueText).join(',')}]`;
  if (v instanceof Uint8Array) return `x'${Buffer.from(v).toString('hex')}'`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${valueText(k)}:${valueText(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The identity of a row's values (rows with equal values are the same record of a multiset). */
export const rowText = (values: Values): string => valueText(values);

const rowTexts = new WeakMap<Values, string>();

/**
 * rowText of a row array that is not changed afterwards, computed once per array: an operator that
 * compares the rows it keeps again on every input (Top-N's before/after diff) pays for each text once.
 */
export function keptRowText(values: Values): string {
  let t = rowTexts.get(values);
  if (t === undefined) rowTexts.set(values, (t = valueText(values)));
  return t;
}

/** Key of a row by some columns: the value itself for one number or string column, else a text. */
export function keySelector(indexes: readonly number[]): (row: ChangelogRow) => Key {
  if (indexes.length === 0) return () => 0;
  if (indexes.length === 1) {
    const i = indexes[0]!;
    return (row) => {
      const v = row.values[i];
      return typeof v === 'number' || typeof v === 'string' ? v : valueText(v);
    };
  }
  return (row) => indexes.map((i) => valueText(row.values[i])).join('\u0001');
}

/** Whether any of the columns is NULL (an equi-join key with NULL matches nothing). */
export function hasNull(values: Values, indexes: readonly number[]): boolean {
  for (const i of indexes) if (values[i] === null || values[i] === undefined) return true;
  return false;
}

const needsTag = (v: unknown): boolean =>
  typeof v === 'bigint' || v instanceof Uint8Array || v instanceof Map || (Array.isArray(v) && v.some(needsTag));

function tag(v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [tag(k), tag(x)]) };
  if (Array.isArray(v)) return v.map(tag);
  return v;
}

function untag(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.some((x) => x !== null && typeof x === 'object') ? v.map(untag) : v;
  const o = v as { $bigint?: string; $bytes?: string; $map?: [unknown, unknown][] };
  if (o.$bigint !== undefined) return BigInt(o.$bigint);
  if (o.$bytes !== undefined) return new Uint8Array(Buffer.from(o.$bytes, 'base64'));
  if (o.$map !== undefined) return new Map(o.$map.map(([k, x]) => [untag(k), untag(x)]));
  return v;
}

/** Row values as keyed state keeps them (JSON-able). */
export function toStateRow(values: Values): unknown[] {
  return values.some(needsTag) ? values.map(tag) : (values as unknown[]);
}

/** Row values back from keyed state. */
export function fromStateRow(stored: readonly unknown[]): unknown[] {
  return stored.some((x) => x !== null && typeof x === 'object') ? stored.map(untag) : (stored as unknown[]);
}

/** `n` NULLs: the padding of an outer join's missing side. */
export const nulls = (n: number): null[] => new Array<null>(n).fill(null);
