// Data types as Flink SQL writes them: `BIGINT`, `DECIMAL(23, 3)`, `VARCHAR`, `STRING`,
// `TIMESTAMP(3) WITH LOCAL TIME ZONE`, `TIMESTAMP_LTZ(3)`, `ARRAY<INT>`, `INT ARRAY`,
// `MAP<STRING, INT>`, `ROW<a INT, b STRING>`, `ROW(a INT, b STRING)`, `... NOT NULL`.
import type { DataType, IntervalResolution, RowField } from '../types/data-type.ts';
import { MAX_DECIMAL_PRECISION, MAX_LENGTH, T, withNullability } from '../types/data-type.ts';
import type { TypeNode } from './ast.ts';
import type { Cursor } from './cursor.ts';

export function parseType(c: Cursor): TypeNode {
  const pos = c.pos();
  let type = parseNonCollectionType(c);
  // Postfix collection syntax: `INT ARRAY`, `STRING MULTISET`.
  for (;;) {
    if (c.acceptWords('ARRAY')) type = T.array(type);
    else if (c.acceptWords('MULTISET')) type = T.multiset(type);
    else break;
    type = applyNullability(c, type);
  }
  return { kind: 'type', type, pos };
}

function applyNullability(c: Cursor, type: DataType): DataType {
  if (c.acceptWords('NOT', 'NULL')) return withNullability(type, false);
  if (c.acceptWords('NULL')) return withNullability(type, true);
  return type;
}

function optionalLength(c: Cursor, fallback: number): number {
  if (!c.acceptOp('(')) return fallback;
  const n = c.integer('a length');
  c.expectOp(')');
  return n;
}

function precisionAndScale(c: Cursor): { precision: number; scale: number } {
  if (!c.acceptOp('(')) return { precision: 10, scale: 0 };
  const at = c.pos();
  const precision = c.integer('a precision');
  const scale = c.acceptOp(',') ? c.integer('a scale') : 0;
  c.expectOp(')');
  if (precision < 1 || precision > MAX_DECIMAL_PRECISION) c.failAt(at, `DECIMAL precision must be between 1 and ${MAX_DECIMAL_PRECISION} (inclusive), was ${precision}`);
  if (scale > precision) c.failAt(at, `DECIMAL scale must be between 0 and the precision ${precision} (inclusive), was ${scale}`);
  return { precision, scale };
}

function timePrecision(c: Cursor, fallback: number): number {
  if (!c.acceptOp('(')) return fallback;
  const at = c.pos();
  const p = c.integer('a precision');
  c.expectOp(')');
  if (p > 9) c.failAt(at, `time precision must be between 0 and 9 (inclusive), was ${p}`);
  return p;
}

function parseNonCollectionType(c: Cursor): DataType {
  const t = c.peek();
  if (t.kind !== 'word') c.fail('a data type');
  const word = t.upper;
  c.next();
  let type: DataType;
  switch (word) {
    case 'BOOLEAN': type = T.boolean(); break;
    case 'TINYINT': type = T.tinyint(); break;
    case 'SMALLINT': type = T.smallint(); break;
    case 'INT': case 'INTEGER': type = T.int(); break;
    case 'BIGINT': type = T.bigint(); break;
    case 'FLOAT': case 'REAL': type = T.float(); break;
    case 'DOUBLE': c.acceptWords('PRECISION'); type = T.double(); break;
    case 'DECIMAL': case 'DEC': case 'NUMERIC': { const { precision, scale } = precisionAndScale(c); type = T.decimal(precision, scale); break; }
    case 'CHAR': case 'CHARACTER':
      if (c.acceptWords('VARYING')) type = T.varchar(optionalLength(c, 1));
      else type = T.char(optionalLength(c, 1));
      break;
    case 'VARCHAR': type = T.varchar(optionalLength(c, MAX_LENGTH)); break;
    case 'STRING': type = T.string(); break;
    case 'BINARY': type = T.binary(optionalLength(c, 1)); break;
    case 'VARBINARY': type = T.varbinary(optionalLength(c, MAX_LENGTH)); break;
    case 'BYTES': type = T.bytes(); break;
    case 'DATE': type = T.date(); break;
    case 'TIME': {
      const p = timePrecision(c, 0);
      if (c.acceptWords('WITHOUT', 'TIME', 'ZONE')) { /* the default */ }
      type = T.time(p);
      break;
    }
    case 'TIMESTAMP': {
      const p = timePrecision(c, 6);
      if (c.acceptWords('WITH', 'LOCAL', 'TIME', 'ZONE')) type = T.timestampLtz(p);
      else { c.acceptWords('WITHOUT', 'TIME', 'ZONE'); type = T.timestamp(p); }
      break;
    }
    case 'TIMESTAMP_LTZ': type = T.timestampLtz(timePrecision(c, 6)); break;
    case 'INTERVAL': type = parseIntervalType(c); break;
    case 'ARRAY': case 'MULTISET': {
      c.expectOp('<');
      const element = parseType(c).type;
      c.expectOp('>');
      type = word === 'ARRAY' ? T.array(element) : T.multiset(element);
      break;
    }
    case 'MAP': {
      c.expectOp('<');
      const key = parseType(c).type;
      c.expectOp(',');
      const value = parseType(c).type;
      c.expectOp('>');
      type = T.map(key, value);
      break;
    }
    case 'ROW': type = T.row(parseRowFields(c)); break;
    case 'RAW': {
      c.expectOp('(');
      const className = c.string('a class name');
      c.expectOp(',');
      c.string('a serializer snapshot');
      c.expectOp(')');
      type = { root: 'RAW', className, nullable: true };
      break;
    }
    case 'NULL': type = T.null(); break;
    default:
      c.reset(c.mark - 1);
      c.fail('a data type');
  }
  return applyNullability(c, type);
}

/** `ROW<a INT, b STRING 'comment'>`, `ROW(a INT, b STRING)`, `ROW<>`. */
function parseRowFields(c: Cursor): RowField[] {
  const angle = c.isOp('<');
  const close = angle ? '>' : ')';
  if (!c.acceptOp('<') && !c.acceptOp('(')) c.fail("'<' or '('");
  const fields: RowField[] = [];
  if (c.acceptOp(close)) return fields;
  const names = new Set<string>();
  do {
    const at = c.pos();
    const name = c.identifier('a field name');
    if (names.has(name)) c.failAt(at, `field name '${name}' appears twice in the ROW type`);
    names.add(name);
    const type = parseType(c).type;
    const description = c.peek().kind === 'string' ? c.string() : undefined;
    fields.push(description === undefined ? { name, type } : { name, type, description });
  } while (c.acceptOp(','));
  c.expectOp(close);
  return fields;
}

const YEAR_MONTH = new Set(['YEAR', 'MONTH']);

/** `INTERVAL DAY(2) TO SECOND(3)`, `INTERVAL YEAR TO MONTH`, `INTERVAL SECOND(3)`. */
function parseIntervalType(c: Cursor): DataType {
  const { resolution, precision, fractionalPrecision } = parseIntervalQualifier(c);
  if (YEAR_MONTH.has(resolution.split('_')[0]!)) return { root: 'INTERVAL_YEAR_MONTH', resolution, precision: precision ?? 2, nullable: true };
  return { root: 'INTERVAL_DAY_TIME', resolution, precision: precision ?? 2, fractionalPrecision: fractionalPrecision ?? 6, nullable: true };
}

const RESOLUTIONS = new Set<string>(['YEAR', 'YEAR_TO_MONTH', 'MONTH', 'DAY', 'DAY_TO_HOUR', 'DAY_TO_MINUTE', 'DAY_TO_SECOND', 'HOUR', 'HOUR_TO_MINUTE', 'HOUR_TO_SECOND', 'MINUTE', 'MINUTE_TO_SECOND', 'SECOND']);
const UNIT_WORDS: Record<string, string> = { YEAR: 'YEAR', YEARS: 'YEAR', MONTH: 'MONTH', MONTHS: 'MONTH', DAY: 'DAY', DAYS: 'DAY', HOUR: 'HOUR', HOURS: 'HOUR', MINUTE: 'MINUTE', MINUTES: 'MINUTE', SECOND: 'SECOND', SECONDS: 'SECOND' };

/** The unit part of an interval type or literal: `DAY(2) TO SECOND(3)`. */
export function parseIntervalQualifier(c: Cursor): { resolution: IntervalResolution; precision?: number; fractionalPrecision?: number } {
  const first = UNIT_WORDS[c.peek().kind === 'word' ? c.peek().upper : ''];
  if (first === undefined) c.fail('an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)');
  c.next();
  let precision: number | undefined;
  let fractionalPrecision: number | undefined;
  if (c.acceptOp('(')) {
    precision = c.integer('a precision');
    if (first === 'SECOND' && c.acceptOp(',')) fractionalPrecision = c.integer('a fractional precision');
    c.expectOp(')');
    if (first === 'SECOND') { fractionalPrecision ??= precision; }
  }
  let resolution = first;
  if (c.acceptWords('TO')) {
    const at = c.pos();
    const last = UNIT_WORDS[c.peek().kind === 'word' ? c.peek().upper : ''];
    if (last === undefined) c.fail('an interval unit after TO');
    c.next();
    if (last === 'SECOND' && c.acceptOp('(')) {
      fractionalPrecision = c.integer('a fractional precision');
      c.expectOp(')');
    }
    resolution = `${first}_TO_${last}`;
    if (!RESOLUTIONS.has(resolution)) c.failAt(at, `interval ${first} TO ${last} is not a valid interval qualifier`);
  }
  const out: { resolution: IntervalResolution; precision?: number; fractionalPrecision?: number } = { resolution: resolution as IntervalResolution };
  if (precision !== undefined && first !== 'SECOND') out.precision = precision;
  if (fractionalPrecision !== undefined) out.fractionalPrecision = fractionalPrecision;
  return out;
}
