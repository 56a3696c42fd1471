// The canonical JSON of result rows that both sides of sql:compare are reduced to before they
// are compared as multisets (the Java side is bench/flink-sql/.../CanonicalJson.java): DECIMAL as
// the exact string, TIMESTAMP `yyyy-MM-dd HH:mm:ss.SSS`, TIMESTAMP_LTZ the same in UTC with `Z`,
// DATE `yyyy-MM-dd`, TIME `HH:mm:ss.SSS`, BYTES base64, ROW/ARRAY arrays, MAP sorted [key, value]
// pairs, MULTISET sorted [element, count] pairs (Flink's external form is a Map). Floating-point
// numbers are compared to 12 significant digits (the two engines may sum in different orders);
// integers exactly.

import type { DataType, RowField } from '../../../runtime/sql/types/data-type.ts';
import type { ChangelogRow, RowKind } from '../../../runtime/connectors/factory/row.ts';
import { formatDate } from '../../../runtime/connectors/factory/temporal.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function timestamp(ms: number): string {
  const d = new Date(ms);
  return `${formatDate(Math.floor(ms / 86_400_000))} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

function value(type: DataType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type.root) {
    case 'BIGINT': case 'INTEGER': case 'SMALLINT': case 'TINYINT': return typeof v === 'bigint' ? new Exact(v.toString()) : v;
    case 'FLOAT': case 'DOUBLE': return Number.isFinite(v) ? v : (v as number) > 0 ? 'Infinity' : Number.isNaN(v) ? 'NaN' : '-Infinity';
    case 'DECIMAL': return String(v);
    case 'TIMESTAMP': return timestamp(v as number);
    case 'TIMESTAMP_LTZ': return timestamp(v as number) + 'Z';
    case 'DATE': return formatDate(v as number);
    case 'TIME': return timestamp(v as number).slice(11);
    case 'BINARY': case 'VARBINARY': return Buffer.from(v as Uint8Array).toString('base64');
    case 'ROW': return type.fields.map((f, i) => value(f.type, (v as unknown[])[i]));
    case 'ARRAY': return (v as unknown[]).map((x) => value(type.element, x));
    case 'MULTISET': {
      // Flink's MULTISET is a Map<element, count>: sorted [element, count] pairs, as a MAP
      const counts = new Map<string, number>();
      for (const x of v as unknown[]) {
        const k = stringify(value(type.element, x));
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return [...counts].map(([k, n]) => `[${k},${n}]`).sort().map((s) => new Exact(s));
    }
    case 'MAP': return [...(v as Map<unknown, unknown>)].map(([k, x]) => JSON.stringify([value(type.key, k), value(type.value, x)])).sort().map((s) => new Exact(s));
    default: return v;
  }
}

/** A number (or prepared JSON) written verbatim. */
class Exact {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

function stringify(v: unknown): string {
  if (v instanceof Exact) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringify).join(',')}]`;
  return JSON.stringify(v);
}

/** One Millrace row in the oracle's canonical JSON. */
export function canonicalRow(columns: readonly RowField[], values: readonly unknown[]): string {
  return stringify(columns.map((c, i) => value(c.type, values[i])));
}

/**
 * Rewrites a canonical JSON line so that numbers compare as the engines' results should:
 * integers exactly as written, other numbers rounded to 12 significant digits.
 */
export function normalizeNumbers(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out += line.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(line.slice(i, i + 40));
    if (m && (c === '-' || (c >= '0' && c <= '9'))) {
      const text = m[0];
      out += m[1] === undefined && m[2] === undefined ? text : String(Number(Number(text).toPrecision(12)));
      i += text.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

export interface CanonicalChange {
  readonly kind: RowKind;
  /** canonical JSON of the row */
  readonly row: string;
}

/**
 * Applies a changelog: the final multiset (+I/+U add a row, -U/-D remove one), or with key
 * indices the final row per key (upsert: -U ignored, -D removes the key). Sorted lines.
 */
export function applyChangelog(changes: readonly CanonicalChange[], keyIndexes: readonly number[] = []): { rows: string[]; problems: string[] } {
  const problems: string[] = [];
  if (keyIndexes.length > 0) {
    const byKey = new Map<string, string>();
    for (const ch of changes) {
      if (ch.kind === '-U') continue;
      const parsed = JSON.parse(ch.row) as unknown[];
      const key = JSON.stringify(keyIndexes.map((k) => parsed[k]));
      if (ch.kind === '-D') byKey.delete(key);
      else byKey.set(key, ch.row);
    }
    return { rows: [...byKey.values()].sort(), problems };
  }
  const counts = new Map<string, number>();
  for (const ch of changes) {
    const n = (counts.get(ch.row) ?? 0) + (ch.kind === '+I' || ch.kind === '+U' ? 1 : -1);
    if (n < 0) problems.push(`retraction of a row that is not there: ${ch.row}`);
    if (n === 0) counts.delete(ch.row);
    else counts.set(ch.row, n);
  }
  const rows: string[] = [];
  for (const [row, n] of counts) for (let i = 0; i < n; i++) rows.push(row);
  return { rows: rows.sort(), problems };
}

export function canonicalChangelog(columns: readonly RowField[], rows: readonly ChangelogRow[]): CanonicalChange[] {
  return rows.map((r) => ({ kind: r.kind, row: canonicalRow(columns, r.values) }));
}
