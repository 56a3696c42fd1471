// Conversions between the row values of row.ts and what text formats carry: JSON values (json
// format) and strings (csv, raw). One function per direction, driven by the column's logical type,
// so every format reads and writes the same representation. A value that does not fit its type is
// a FormatDataError naming the column; formats decide whether to skip or fail.

import type { DataType } from '../../sql/types/data-type.ts';
import { formatDate, formatSqlTimestamp, formatTime, parseDate, parseTime, parseTimestamp } from './temporal.ts';

export class FormatDataError extends Error {
  readonly code = 'MR_ERR_FORMAT_DATA';
}

const bad = (what: string, got: unknown, type: DataType): FormatDataError =>
  new FormatDataError(`${what}: expected a ${type.root} value, got ${typeof got === 'string' ? `'${got.slice(0, 80)}'` : JSON.stringify(got)?.slice(0, 80)}`);

/** Exact decimal text with `scale` fraction digits, rounded half-up like Java's BigDecimal; undefined when not a number or too wide. */
export function normalizeDecimal(input: string | number, precision: number, scale: number): string | undefined {
  let text = typeof input === 'number' ? (Number.isFinite(input) ? numberToPlain(input) : '') : input.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const negative = m[1] === '-';
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let pointAt = (m[2] ?? '').length + Number(m[4] ?? 0); // position of the decimal point in digits
  // scale the digits so that exactly `scale` fraction digits remain (one more for rounding)
  const want = pointAt + scale;
  if (digits.length < want + 1) digits = digits.padEnd(want + 1, '0');
  if (want < 0) {
    digits = '0'.repeat(-want) + digits;
    pointAt += -want;
  }
  const cut = pointAt + scale;
  let unscaled = BigInt(digits.slice(0, cut) || '0');
  if (Number(digits[cut] ?? '0') >= 5) unscaled += 1n;
  text = unscaled.toString().padStart(scale + 1, '0');
  const intPart = text.slice(0, text.length - scale);
  if (intPart.replace(/^0+/, '').length > precision - scale) return undefined;
  const out = scale > 0 ? `${intPart}.${text.slice(text.length - scale)}` : intPart;
  return negative && unscaled !== 0n ? '-' + out : out;
}

function numberToPlain(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/\.?0+$/, '');
}

function integer(v: unknown, type: DataType, what: string): number | bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) {
    const b = BigInt(v.trim());
    return Number.isSafeInteger(Number(b)) ? Number(b) : b;
  }
  throw bad(what, v, type);
}

/** A JSON value (as JSON.parse gives it) to the row value of `type`. */
export function fromJsonValue(type: DataType, v: unknown, what: string): unknown {
  if (v === null || v === undefined) return null;
  switch (type.root) {
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      throw bad(what, v, type);
    case 'TINYINT': case 'SMALLINT': case 'INTEGER': case 'BIGINT': {
      const n = integer(v, type, what);
      if (type.root !== 'BIGINT' && typeof n === 'bigint') throw bad(what, v, type);
      return n;
    }
    case 'FLOAT': case 'DOUBLE': {
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
      if (Number.isNaN(n) && v !== 'NaN') throw bad(what, v, type);
      return n;
    }
    case 'DECIMAL': {
      const d = typeof v === 'number' || typeof v === 'string' ? normalizeDecimal(v, type.precision, type.scale) : undefined;
      if (d === undefined) throw bad(what, v, type);
      return d;
    }
    case 'CHAR': case 'VARCHAR':
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'BINARY': case 'VARBINARY':
      if (typeof v !== 'string') throw bad(what, v, type);
      return new Uint8Array(Buffer.from(v, 'base64'));
    case 'DATE': {
      const d = typeof v === 'string' ? parseDate(v) : undefined;
      if (d === undefined) throw bad(what, v, type);
      return d;
    }
    case 'TIME': {
      const t = typeof v === 'string' ? parseTime(v) : undefined;
      if (t === undefined) throw bad(what, v, type);
      return t;
    }
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': {
      const t = typeof v === 'string' ? parseTimestamp(v) : typeof v === 'number' && type.root === 'TIMESTAMP_LTZ' ? v : undefined;
      if (t === undefined) throw bad(what, v, type);
      return t;
    }
    case 'ARRAY':
      if (!Array.isArray(v)) throw bad(what, v, type);
      return v.map((x, i) => fromJsonValue(type.element, x, `${what}[${i}]`));
    case 'MULTISET': {
      // Flink's json writes a MULTISET as an object element → count (multisetToJson); an array
      // (what Millrace wrote before) is read too, each item one occurrence
      if (Array.isArray(v)) return v.map((x, i) => fromJsonValue(type.element, x, `${what}[${i}]`));
      if (typeof v !== 'object') throw bad(what, v, type);
      const out: unknown[] = [];
      for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
        const count = fromJsonValue({ root: 'INTEGER', nullable: false } as DataType, n, `${what}.${k}`) as number;
        const x = fromTextValue(type.element, k, `${what} element`);
        for (let i = 0; i < count; i++) out.push(x);
      }
      return out;
    }
    case 'MAP':
      if (typeof v !== 'object' || Array.isArray(v)) throw bad(what, v, type);
      return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [fromTextValue(type.key, k, `${what} key`), fromJsonValue(type.value, x, `${what}.${k}`)]));
    case 'ROW': {
      if (typeof v !== 'object' || Array.isArray(v)) throw bad(what, v, type);
      const o = v as Record<string, unknown>;
      return type.fields.map((f) => fromJsonValue(f.type, o[f.name], `${what}.${f.name}`));
    }
    default:
      throw new FormatDataError(`${what}: type ${type.root} cannot be read from JSON`);
  }
}

/** The JSON value Flink's json format writes for a row value of `type`. */
export function toJsonValue(type: DataType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type.root) {
    case 'BIGINT': return typeof v === 'bigint' ? new RawJson(v.toString()) : v;
    case 'DECIMAL': return new RawJson(String(v));
    case 'BINARY': case 'VARBINARY': return Buffer.from(v as Uint8Array).toString('base64');
    case 'DATE': return formatDate(v as number);
    case 'TIME': return formatTime(v as number);
    case 'TIMESTAMP': return formatSqlTimestamp(v as number);
    case 'TIMESTAMP_LTZ': return formatSqlTimestamp(v as number) + 'Z';
    case 'ARRAY': return (v as unknown[]).map((x) => toJsonValue(type.element, x));
    case 'MULTISET': return multisetToJson(type.element, v as unknown[]);
    case 'MAP': return Object.fromEntries([...(v as Map<unknown, unknown>)].map(([k, x]) => [toTextValue(type.key, k), toJsonValue(type.value, x)]));
    case 'ROW': return Object.fromEntries(type.fields.map((f, i) => [f.name, toJsonValue(f.type, (v as unknown[])[i])]));
    case 'FLOAT': case 'DOUBLE': return Number.isFinite(v) ? v : String(v);
    default: return v;
  }
}

/**
 * A MULTISET (an array holding each element as often as it is counted, row.ts) as Flink's json
 * format writes it: an object element → count, the element as map keys are written (text), in
 * first-arrival order (Flink's follows its HashMap; the entries are the same).
 */
function multisetToJson(element: DataType, items: readonly unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) {
    const k = toTextValue(element, x);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** A number that must appear in JSON text exactly as written (BIGINT beyond 2^53, DECIMAL). */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** JSON text of a value built by toJsonValue (RawJson written verbatim). */
export function stringifyJson(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringifyJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${stringifyJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A text field (csv, raw) to the row value of `type`; nested types are read as JSON text. */
export function fromTextValue(type: DataType, text: string, what: string): unknown {
  switch (type.root) {
    case 'CHAR': case 'VARCHAR': return text;
    case 'BINARY': case 'VARBINARY': return new Uint8Array(Buffer.from(text, 'base64'));
    case 'ARRAY': case 'MULTISET': case 'MAP': case 'ROW': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw bad(what, text, type);
      }
      return fromJsonValue(type, parsed, what);
    }
    default:
      if (text.trim() === '') return null; // Flink's csv reads an empty field of a non-string type as NULL
      return fromJsonValue(type, text, what);
  }
}

/** The text of a row value of `type` (csv, raw, CAST to STRING of simple types). */
export function toTextValue(type: DataType, v: unknown): string {
  if (v === null || v === undefined) return '';
  switch (type.root) {
    case 'ARRAY': case 'MULTISET': case 'MAP': case 'ROW': return stringifyJson(toJsonValue(type, v));
    case 'DATE': case 'TIME': case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'BINARY': case 'VARBINARY': return String(toJsonValue(type, v));
    default: return String(v);
  }
}
