// Flink's logical types (org.apache.flink.table.types.logical), as plain data.
// Printing follows Flink's `asSummaryString`, so DESCRIBE and EXPLAIN read like Flink's:
// `STRING`, `DECIMAL(23, 3)`, `TIMESTAMP(3) *ROWTIME*`, `BIGINT NOT NULL`, `ROW<`id` BIGINT>`.

export type TimeAttribute = 'ROWTIME' | 'PROCTIME';

export type IntervalResolution =
  | 'YEAR' | 'YEAR_TO_MONTH' | 'MONTH'
  | 'DAY' | 'DAY_TO_HOUR' | 'DAY_TO_MINUTE' | 'DAY_TO_SECOND'
  | 'HOUR' | 'HOUR_TO_MINUTE' | 'HOUR_TO_SECOND' | 'MINUTE' | 'MINUTE_TO_SECOND' | 'SECOND';

export interface RowField {
  name: string;
  type: DataType;
  description?: string;
}

export type DataType =
  | { root: 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INTEGER' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'DATE' | 'NULL'; nullable: boolean }
  | { root: 'DECIMAL'; precision: number; scale: number; nullable: boolean }
  | { root: 'CHAR' | 'VARCHAR' | 'BINARY' | 'VARBINARY'; length: number; nullable: boolean }
  | { root: 'TIME'; precision: number; nullable: boolean }
  | { root: 'TIMESTAMP' | 'TIMESTAMP_LTZ'; precision: number; nullable: boolean; timeAttribute?: TimeAttribute }
  | { root: 'INTERVAL_YEAR_MONTH'; resolution: IntervalResolution; precision: number; nullable: boolean }
  | { root: 'INTERVAL_DAY_TIME'; resolution: IntervalResolution; precision: number; fractionalPrecision: number; nullable: boolean }
  | { root: 'ARRAY' | 'MULTISET'; element: DataType; nullable: boolean }
  | { root: 'MAP'; key: DataType; value: DataType; nullable: boolean }
  | { root: 'ROW'; fields: RowField[]; nullable: boolean }
  | { root: 'RAW'; className: string; nullable: boolean };

export type TypeRoot = DataType['root'];

/** VARCHAR(2147483647), Flink's STRING. */
export const MAX_LENGTH = 2147483647;
export const MAX_DECIMAL_PRECISION = 38;

export const T = {
  boolean: (nullable = true): DataType => ({ root: 'BOOLEAN', nullable }),
  tinyint: (nullable = true): DataType => ({ root: 'TINYINT', nullable }),
  smallint: (nullable = true): DataType => ({ root: 'SMALLINT', nullable }),
  int: (nullable = true): DataType => ({ root: 'INTEGER', nullable }),
  bigint: (nullable = true): DataType => ({ root: 'BIGINT', nullable }),
  float: (nullable = true): DataType => ({ root: 'FLOAT', nullable }),
  double: (nullable = true): DataType => ({ root: 'DOUBLE', nullable }),
  date: (nullable = true): DataType => ({ root: 'DATE', nullable }),
  null: (): DataType => ({ root: 'NULL', nullable: true }),
  decimal: (precision: number, scale: number, nullable = true): DataType => ({ root: 'DECIMAL', precision, scale, nullable }),
  char: (length: number, nullable = true): DataType => ({ root: 'CHAR', length, nullable }),
  varchar: (length: number, nullable = true): DataType => ({ root: 'VARCHAR', length, nullable }),
  string: (nullable = true): DataType => ({ root: 'VARCHAR', length: MAX_LENGTH, nullable }),
  binary: (length: number, nullable = true): DataType => ({ root: 'BINARY', length, nullable }),
  varbinary: (length: number, nullable = true): DataType => ({ root: 'VARBINARY', length, nullable }),
  bytes: (nullable = true): DataType => ({ root: 'VARBINARY', length: MAX_LENGTH, nullable }),
  time: (precision = 0, nullable = true): DataType => ({ root: 'TIME', precision, nullable }),
  timestamp: (precision = 6, nullable = true): DataType => ({ root: 'TIMESTAMP', precision, nullable }),
  timestampLtz: (precision = 6, nullable = true): DataType => ({ root: 'TIMESTAMP_LTZ', precision, nullable }),
  intervalDayTime: (resolution: IntervalResolution = 'SECOND', nullable = true): DataType => ({ root: 'INTERVAL_DAY_TIME', resolution, precision: 2, fractionalPrecision: 3, nullable }),
  intervalYearMonth: (resolution: IntervalResolution = 'MONTH', nullable = true): DataType => ({ root: 'INTERVAL_YEAR_MONTH', resolution, precision: 2, nullable }),
  array: (element: DataType, nullable = true): DataType => ({ root: 'ARRAY', element, nullable }),
  multiset: (element: DataType, nullable = true): DataType => ({ root: 'MULTISET', element, nullable }),
  map: (key: DataType, value: DataType, nullable = true): DataType => ({ root: 'MAP', key, value, nullable }),
  row: (fields: RowField[], nullable = true): DataType => ({ root: 'ROW', fields, nullable }),
};

export function withNullability<D extends DataType>(type: D, nullable: boolean): D {
  return type.nullable === nullable ? type : { ...type, nullable };
}

/** The type without its time attribute (what a time attribute becomes after a non-forwarding expression). */
export function withoutTimeAttribute(type: DataType): DataType {
  if ((type.root === 'TIMESTAMP' || type.root === 'TIMESTAMP_LTZ') && type.timeAttribute !== undefined) {
    const { timeAttribute: _dropped, ...rest } = type;
    return rest;
  }
  return type;
}

export function timeAttributeOf(type: DataType): TimeAttribute | undefined {
  return type.root === 'TIMESTAMP' || type.root === 'TIMESTAMP_LTZ' ? type.timeAttribute : undefined;
}

export const INTEGER_ROOTS: ReadonlySet<TypeRoot> = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT']);
export const NUMERIC_ROOTS: ReadonlySet<TypeRoot> = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE']);
export const CHARACTER_ROOTS: ReadonlySet<TypeRoot> = new Set(['CHAR', 'VARCHAR']);
export const BINARY_ROOTS: ReadonlySet<TypeRoot> = new Set(['BINARY', 'VARBINARY']);
export const DATETIME_ROOTS: ReadonlySet<TypeRoot> = new Set(['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ']);
export const INTERVAL_ROOTS: ReadonlySet<TypeRoot> = new Set(['INTERVAL_YEAR_MONTH', 'INTERVAL_DAY_TIME']);

export const isNumeric = (t: DataType): boolean => NUMERIC_ROOTS.has(t.root);
export const isInteger = (t: DataType): boolean => INTEGER_ROOTS.has(t.root);
export const isCharacter = (t: DataType): boolean => CHARACTER_ROOTS.has(t.root);
export const isBinary = (t: DataType): boolean => BINARY_ROOTS.has(t.root);
export const isTemporal = (t: DataType): boolean => DATETIME_ROOTS.has(t.root);
export const isInterval = (t: DataType): boolean => INTERVAL_ROOTS.has(t.root);
export const isTimestamp = (t: DataType): boolean => t.root === 'TIMESTAMP' || t.root === 'TIMESTAMP_LTZ';

/** Precision of an exact numeric, as a DECIMAL of the same range would need (Flink's getPrecision). */
export function decimalPrecisionOf(t: DataType): { precision: number; scale: number } | undefined {
  switch (t.root) {
    case 'TINYINT': return { precision: 3, scale: 0 };
    case 'SMALLINT': return { precision: 5, scale: 0 };
    case 'INTEGER': return { precision: 10, scale: 0 };
    case 'BIGINT': return { precision: 19, scale: 0 };
    case 'DECIMAL': return { precision: t.precision, scale: t.scale };
    default: return undefined;
  }
}

function quoteName(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

const INTERVAL_TEXT: Record<IntervalResolution, (p: number, f: number) => string> = {
  YEAR: (p) => `INTERVAL YEAR(${p})`,
  YEAR_TO_MONTH: (p) => `INTERVAL YEAR(${p}) TO MONTH`,
  MONTH: () => 'INTERVAL MONTH',
  DAY: (p) => `INTERVAL DAY(${p})`,
  DAY_TO_HOUR: (p) => `INTERVAL DAY(${p}) TO HOUR`,
  DAY_TO_MINUTE: (p) => `INTERVAL DAY(${p}) TO MINUTE`,
  DAY_TO_SECOND: (p, f) => `INTERVAL DAY(${p}) TO SECOND(${f})`,
  HOUR: () => 'INTERVAL HOUR',
  HOUR_TO_MINUTE: () => 'INTERVAL HOUR TO MINUTE',
  HOUR_TO_SECOND: (_p, f) => `INTERVAL HOUR TO SECOND(${f})`,
  MINUTE: () => 'INTERVAL MINUTE',
  MINUTE_TO_SECOND: (_p, f) => `INTERVAL MINUTE TO SECOND(${f})`,
  SECOND: (_p, f) => `INTERVAL SECOND(${f})`,
};

/** Flink's summary string of a type (LogicalType#asSummaryString). */
export function typeToString(t: DataType): string {
  const notNull = t.nullable ? '' : ' NOT NULL';
  const attr = timeAttributeOf(t);
  // Flink: `TIMESTAMP(3) NOT NULL *ROWTIME*` (the time attribute after the nullability).
  if (attr !== undefined) return `${baseString(withoutTimeAttribute(t))}${notNull} *${attr}*`;
  return baseString(t) + notNull;
}

function baseString(t: DataType): string {
  switch (t.root) {
    case 'INTEGER': return 'INT';
    case 'DECIMAL': return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'VARCHAR': return t.length === MAX_LENGTH ? 'STRING' : `VARCHAR(${t.length})`;
    case 'VARBINARY': return t.length === MAX_LENGTH ? 'BYTES' : `VARBINARY(${t.length})`;
    case 'CHAR': case 'BINARY': return `${t.root}(${t.length})`;
    case 'TIME': return `TIME(${t.precision})`;
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': {
      const name = t.root === 'TIMESTAMP' ? `TIMESTAMP(${t.precision})` : `TIMESTAMP_LTZ(${t.precision})`;
      return t.timeAttribute === undefined ? name : `${name} *${t.timeAttribute}*`;
    }
    case 'INTERVAL_YEAR_MONTH': return INTERVAL_TEXT[t.resolution](t.precision, 0);
    case 'INTERVAL_DAY_TIME': return INTERVAL_TEXT[t.resolution](t.precision, t.fractionalPrecision);
    case 'ARRAY': case 'MULTISET': return `${t.root}<${typeToString(t.element)}>`;
    case 'MAP': return `MAP<${typeToString(t.key)}, ${typeToString(t.value)}>`;
    case 'ROW': return `ROW<${t.fields.map((f) => `${quoteName(f.name)} ${typeToString(f.type)}${f.description === undefined ? '' : ` '${f.description.replaceAll("'", "''")}'`}`).join(', ')}>`;
    case 'RAW': return `RAW('${t.className}', ?)`;
    default: return t.root;
  }
}

/** Structural equality, nullability and time attributes included. */
export function typesEqual(a: DataType, b: DataType): boolean {
  return typeToString(a) === typeToString(b);
}

/** Equality ignoring nullability (at the top level) and time attributes. */
export function sameTypeIgnoringNullability(a: DataType, b: DataType): boolean {
  return typeToString(withoutTimeAttribute(withNullability(a, true))) === typeToString(withoutTimeAttribute(withNullability(b, true)));
}
