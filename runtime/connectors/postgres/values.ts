// Row values (factory/row.ts) ↔ PostgreSQL. Parameters go as text PostgreSQL casts to the column's
// type; results are read as text (every type parser is the identity, see `textTypes`) and turned
// into the column's row value here, so BIGINT beyond 2^53, NUMERIC and timestamps stay exact.
// Sessions run with TimeZone=UTC so TIMESTAMP_LTZ text carries `+00`.
import type { DataType } from '../../sql/types/data-type.ts';
import { formatDate, formatSqlTimestamp, formatTime, parseDate, parseTime, parseTimestamp } from '../factory/temporal.ts';
import { fromTextValue, normalizeDecimal, stringifyJson, toJsonValue } from '../factory/values.ts';

/** node-postgres `types`: every column arrives as the server's text. */
export const textTypes = { getTypeParser: () => (text: string) => text } as const;

/** A row value of `type` as a query parameter. */
export function toPgParam(type: DataType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type.root) {
    case 'BIGINT': return typeof v === 'bigint' ? v.toString() : v;
    case 'DATE': return formatDate(v as number);
    case 'TIME': return formatTime(v as number);
    case 'TIMESTAMP': return formatSqlTimestamp(v as number);
    case 'TIMESTAMP_LTZ': return new Date(v as number).toISOString();
    case 'BINARY': case 'VARBINARY': return Buffer.from(v as Uint8Array);
    case 'ARRAY': case 'MULTISET': case 'MAP': case 'ROW': return stringifyJson(toJsonValue(type, v));
    default: return v;
  }
}

const bad = (column: string, type: DataType, text: string) => new Error(`MR_ERR_FORMAT_DATA: column '${column}': PostgreSQL returned '${text.slice(0, 80)}', which is not a ${type.root} value`);

/** The server's text of a value to the row value of `type`. */
export function fromPgText(type: DataType, text: string | null, column: string): unknown {
  if (text === null) return null;
  switch (type.root) {
    case 'BOOLEAN': return text === 't' || text === 'true';
    case 'TINYINT': case 'SMALLINT': case 'INTEGER': return Number(text);
    case 'BIGINT': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case 'FLOAT': case 'DOUBLE': return Number(text);
    case 'DECIMAL': {
      const d = normalizeDecimal(text, type.precision, type.scale);
      if (d === undefined) throw bad(column, type, text);
      return d;
    }
    case 'CHAR': case 'VARCHAR': return text;
    case 'BINARY': case 'VARBINARY': return new Uint8Array(Buffer.from(text.replace(/^\\x/, ''), 'hex'));
    case 'DATE': return check(parseDate(text), column, type, text);
    case 'TIME': return check(parseTime(text), column, type, text);
    case 'TIMESTAMP': return check(parseTimestamp(text), column, type, text);
    case 'TIMESTAMP_LTZ': return check(parseTimestamp(text.replace(/\+00(:00)?$/, '')), column, type, text);
    default: return fromTextValue(type, text, `column '${column}'`);
  }
}

function check(v: number | undefined, column: string, type: DataType, text: string): number {
  if (v === undefined) throw bad(column, type, text);
  return v;
}
